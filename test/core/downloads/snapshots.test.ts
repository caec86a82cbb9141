/**
 * What the queue's header and rows say: the speed falls to zero when nothing
 * moves, bytes left count every queued file (unknown sizes at the mean of
 * known ones), the ETA is bytes left over that speed, and under --limit-rate
 * an active file shows real progress and speed. Clocks are injected for the
 * maths; the engine tests wait for states, never for time.
 */
import test from 'ava';
import type {ImageRow} from '../../../source/core/archive/images.js';
import {createDownloadEngine} from '../../../source/core/downloads/engine.js';
import type {LiveTransfer} from '../../../source/core/downloads/live-transfer.js';
import {payOut} from '../../../source/core/downloads/rate-limit.js';
import {estimateRemaining, etaFor, summarise} from '../../../source/core/downloads/snapshots.js';
import {SpeedMeter} from '../../../source/core/downloads/speed.js';
import type {EngineRunStats, EngineSnapshot} from '../../../source/core/downloads/types.js';
import {assertAllFilesCorrect, downloadFixture, waitFor} from '../../helpers/download-setup.js';

/** 100 KiB/s for two seconds, sampled at 10 Hz as snapshots do; returns the meter and the time and count reached. */
function steadyMeter(): {meter: SpeedMeter; t: number; bytes: number} {
	const meter = new SpeedMeter();
	let bytes = 0;
	let t = 0;
	for (; t <= 2000; t += 100, bytes += 10 * 1024) meter.sample(bytes, t);
	return {meter, t: t - 100, bytes: bytes - 10 * 1024};
}

test('the speed is what moved in the last seconds, and falls to zero once nothing moves', (t) => {
	const {meter, t: end, bytes} = steadyMeter();
	t.is(Math.round(meter.sample(bytes, end)), 100 * 1024);
	// Half a window after the last byte the speed is about half; a full window after, zero.
	t.true(Math.abs(meter.sample(bytes, end + 1500) - 50 * 1024) < 2 * 1024);
	t.is(meter.sample(bytes, end + 3000), 0);
});

test('a meter not sampled for ten seconds after the last file says 0 B/s, not the old rate', (t) => {
	const {meter, t: end, bytes} = steadyMeter();
	t.is(meter.sample(bytes, end + 10_000), 0);
});

test('bytes left count files of unknown size at the mean of the known ones, marked as an estimate', (t) => {
	t.deepEqual(estimateRemaining({knownBytes: 600, unsizedFiles: 0, sized: {files: 2, bytes: 2000}}), {bytes: 600, estimated: false, meanFileSize: 1000});
	// 1,013 queued files never started, mean 1,000 bytes: about a megabyte, not the 600 bytes of the two in flight.
	t.deepEqual(estimateRemaining({knownBytes: 600, unsizedFiles: 1013, sized: {files: 2, bytes: 2000}}), {bytes: 1_013_600, estimated: true, meanFileSize: 1000});
	t.deepEqual(estimateRemaining({knownBytes: 0, unsizedFiles: 5, sized: {files: 0, bytes: 0}}), {bytes: null, estimated: true, meanFileSize: null});
});

test('the ETA is bytes left over the speed, and unknown when nothing moves or nothing is left', (t) => {
	t.is(etaFor(1_000_000, 10_000), 100);
	t.is(etaFor(1_000_000, 0), null);
	t.is(etaFor(0, 10_000), null);
	t.is(etaFor(null, 10_000), null);
});

function live(id: number, state: LiveTransfer['state'], bytes: number, total: number | null): LiveTransfer {
	const row = {id, job_id: `job-${id}`, url: `https://cdn.example/${id}.png`, path: `images/${id}.png`, priority: 0, last_error: null} as unknown as ImageRow;
	return {row, url: row.url, host: 'cdn.example', state, generation: 1, bytes, total, attempts: 1, lastError: null, heldUntil: null, meter: new SpeedMeter()};
}

test('the header agrees with the rows: the queue tail is counted, and the ETA follows the bytes left', (t) => {
	const {meter, t: end, bytes} = steadyMeter();
	const stats: EngineRunStats = {downloaded: 4, duplicates: 0, failed: 0, bytes, finishedBytes: 4000, failures: [], retriesByHost: {}, startedAt: 0};
	const lives = [live(1, 'active', 400, 1000), live(2, 'active', 0, 1000), live(3, 'queued', 0, null)];
	// 1,013 pending: the three in memory and 1,010 further down the table.
	const {totals} = summarise(lives, {counts: {pending: 1013, done: 4, failed: 0, canceled: 0}, stats, meter, feeding: true}, end);
	t.is(totals.queued, 1011);
	// Known: 600 + 1000 left; 1,011 files of unknown size at the mean of the six known (1,000 bytes each).
	t.is(totals.bytesRemaining, 1600 + 1011 * 1000);
	t.true(totals.bytesRemainingEstimated);
	t.is(Math.round(totals.eta!), Math.round(totals.bytesRemaining / (100 * 1024)));
});

test('nothing left, nothing moving: 0 B left and no ETA (never an ETA beside 0 B)', (t) => {
	const stats: EngineRunStats = {downloaded: 4, duplicates: 0, failed: 0, bytes: 4000, finishedBytes: 4000, failures: [], retriesByHost: {}, startedAt: 0};
	const {totals} = summarise([], {counts: {pending: 0, done: 4, failed: 0, canceled: 0}, stats, meter: new SpeedMeter(), feeding: true}, 0);
	t.is(totals.bytesRemaining, 0);
	t.false(totals.bytesRemainingEstimated);
	t.is(totals.eta, null);
});

test('bytes held back by the cap are counted in steps over the wait, all of them before it ends', async (t) => {
	const counted: number[] = [];
	await new Promise<void>((resolve) => payOut(1000, 300, (n) => counted.push(n), resolve));
	t.is(counted.length, 3);
	t.is(counted.reduce((a, b) => a + b, 0), 1000);
});

test('an abort during the wait counts the rest at the next step and ends the wait', async (t) => {
	const counted: number[] = [];
	let aborted = false;
	await new Promise<void>((resolve) =>
		payOut(
			1000,
			60_000,
			(n) => {
				counted.push(n);
				aborted = true;
			},
			resolve,
			() => aborted,
		),
	);
	t.is(counted.reduce((a, b) => a + b, 0), 1000);
	t.is(counted.length, 2);
});

test('under --limit-rate a small file shows progress and speed while it runs, not 100% at 0 B/s', async (t) => {
	// 6 KiB files at 8 KiB/s: each file arrives in one read, then waits for the cap.
	const fixture = await downloadFixture(t, {jobs: 1, imageBytes: 6 * 1024, config: {limitRate: 8 * 1024, concurrency: 1, perHostConcurrency: 1}});
	const engine = createDownloadEngine(fixture.store, fixture.config);
	t.teardown(() => engine.stop({immediate: true}));
	engine.enqueueMissing();
	const midway = (snapshot: EngineSnapshot) =>
		snapshot.transfers.find((s) => s.state === 'active' && s.total !== null && s.bytes > 0 && s.bytes < s.total && s.speed > 0);
	let seen: ReturnType<typeof midway>;
	await waitFor(() => (seen = midway(engine.snapshot())) !== undefined, 'an active file part-way with a speed');
	t.true(seen!.speed < 64 * 1024, `a speed near the cap, got ${seen!.speed}`);
	await engine.onIdle();
	await engine.stop();
	assertAllFilesCorrect(t, fixture);
});

test('after the last file the published speed falls to zero and the queue is empty', async (t) => {
	const fixture = await downloadFixture(t, {jobs: 2, imageBytes: 64 * 1024, config: {limitRate: 256 * 1024}});
	const engine = createDownloadEngine(fixture.store, fixture.config);
	t.teardown(() => engine.stop({immediate: true}));
	let last: EngineSnapshot | undefined;
	let fastest = 0;
	engine.subscribe((snapshot) => {
		last = snapshot;
		fastest = Math.max(fastest, snapshot.totals.speed);
	});
	engine.enqueueMissing();
	await engine.onIdle();
	t.true(fastest > 0, 'a speed was shown while files came in');
	await waitFor(() => last !== undefined && last.totals.speed === 0 && last.totals.active === 0, 'a published snapshot with 0 B/s');
	t.is(last!.totals.bytesRemaining, 0);
	t.is(last!.totals.eta, null);
});
