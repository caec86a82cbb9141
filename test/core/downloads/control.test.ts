/**
 * Steering the engine while it runs, as the TUI's queue pane does: pause and
 * resume (one or all), cancel, retry, reprioritise, change concurrency, stop
 * and resume in a new engine. Transfers are slowed with the engine's own
 * bandwidth cap so there is something to steer.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import {createDownloadEngine} from '../../../source/core/downloads/engine.js';
import type {EngineSnapshot} from '../../../source/core/downloads/types.js';
import {assertAllFilesCorrect, cdnPath, cdnRequests, downloadFixture, imageRows, waitFor} from '../../helpers/download-setup.js';

const slow = {imageBytes: 256 * 1024, config: {limitRate: 512 * 1024, concurrency: 2, perHostConcurrency: 2}};

function rowById(fixture: Awaited<ReturnType<typeof downloadFixture>>, id: number) {
	return imageRows(fixture.store).find((r) => r.id === id)!;
}

function partSize(fixture: Awaited<ReturnType<typeof downloadFixture>>, id: number): number {
	const row = rowById(fixture, id);
	return row.part_path ? fs.statSync(path.join(fixture.dir, row.part_path)).size : 0;
}

test('pause one active transfer keeps its partial; resume continues from it', async (t) => {
	const fixture = await downloadFixture(t, {jobs: 2, ...slow});
	const engine = createDownloadEngine(fixture.store, fixture.config);
	t.teardown(() => engine.stop({immediate: true}));
	engine.enqueueMissing();
	await waitFor(() => engine.snapshot().transfers.some((s) => s.state === 'active' && s.bytes > 0), 'an active transfer with bytes');
	const victim = engine.snapshot().transfers.find((s) => s.state === 'active' && s.bytes > 0)!;
	engine.pause(victim.id);
	await engine.onIdle();
	t.is(engine.snapshot().transfers.find((s) => s.id === victim.id)?.state, 'paused');
	t.is(rowById(fixture, victim.id).status, 'pending');
	const kept = partSize(fixture, victim.id);
	t.true(kept > 0, 'the partial stays on disk');
	t.true(imageRows(fixture.store).filter((r) => r.id !== victim.id).every((r) => r.status === 'done'), 'the others went on');

	engine.resume(victim.id);
	await engine.onIdle();
	await engine.stop();
	assertAllFilesCorrect(t, fixture);
	const last = cdnRequests(fixture.standIn, cdnPath(victim.url)).at(-1)!;
	t.is(last.range, `bytes=${kept}-`, 'resumed from exactly the kept partial');
});

test('pauseAll stops every transfer; resumeAll finishes them', async (t) => {
	const fixture = await downloadFixture(t, {jobs: 2, ...slow});
	const engine = createDownloadEngine(fixture.store, fixture.config);
	engine.enqueueMissing();
	await waitFor(() => engine.snapshot().totals.active > 0, 'a transfer to start');
	engine.pauseAll();
	await waitFor(() => engine.snapshot().totals.active === 0, 'all transfers to stop');
	const snapshot = engine.snapshot();
	t.true(snapshot.paused);
	t.true(snapshot.totals.queued > 0);
	engine.resumeAll();
	await engine.onIdle();
	await engine.stop();
	assertAllFilesCorrect(t, fixture);
});

test('cancel keeps the partial unless asked to discard it; retry brings a canceled file back', async (t) => {
	const fixture = await downloadFixture(t, {jobs: 2, ...slow});
	const engine = createDownloadEngine(fixture.store, fixture.config);
	engine.enqueueMissing();
	await waitFor(() => engine.snapshot().transfers.filter((s) => s.state === 'active' && s.bytes > 0).length === 2, 'two transfers with bytes');
	const [keep, discard] = engine.snapshot().transfers.filter((s) => s.state === 'active');
	engine.cancel(keep!.id);
	engine.cancel(discard!.id, {discardPartial: true});
	await engine.onIdle();
	t.is(rowById(fixture, keep!.id).status, 'canceled');
	t.is(rowById(fixture, discard!.id).status, 'canceled');
	t.true(partSize(fixture, keep!.id) > 0, 'canceled: partial kept');
	t.is(rowById(fixture, discard!.id).part_path, null);
	t.false(fs.readdirSync(path.join(fixture.dir, '.parts')).some((name) => name.startsWith(`${discard!.id}-`)), 'discarded partial removed');
	const canceled = engine.snapshot().transfers.filter((s) => s.state === 'canceled').map((s) => s.id);
	t.deepEqual(canceled.sort(), [keep!.id, discard!.id].sort());
	t.is(engine.snapshot().totals.canceled, 2);

	engine.retry(keep!.id);
	engine.retry(discard!.id);
	await engine.onIdle();
	await engine.stop();
	assertAllFilesCorrect(t, fixture);
	t.regex(cdnRequests(fixture.standIn, cdnPath(keep!.url)).at(-1)!.range ?? '', /^bytes=[1-9]/, 'the kept partial was resumed');
});

test('retry one failed file, and retryFailed for all of them', async (t) => {
	const fixture = await downloadFixture(t, {jobs: 2, config: {retries: 0}});
	const paths = fixture.standIn.jobs().flatMap((job) => fixture.standIn.filePaths(job.id));
	for (const target of paths.slice(0, 3)) fixture.standIn.setFault({kind: 'server-error', status: 502, route: 'cdn', pathIncludes: target, count: 1});
	const engine = createDownloadEngine(fixture.store, fixture.config);
	engine.enqueueMissing();
	await engine.onIdle();
	let snapshot = engine.snapshot();
	t.is(snapshot.totals.failed, 3);
	const failed = snapshot.transfers.filter((s) => s.state === 'failed');
	t.is(failed.length, 3);
	t.true(failed.every((s) => s.lastError === 'HTTP 502'));

	engine.retry(failed[0]!.id);
	await engine.onIdle();
	snapshot = engine.snapshot();
	t.is(snapshot.totals.failed, 2);
	t.is(rowById(fixture, failed[0]!.id).status, 'done');

	t.is(engine.retryFailed(), 2);
	await engine.onIdle();
	await engine.stop();
	assertAllFilesCorrect(t, fixture);
});

test('setPriority moves a queued file to the front', async (t) => {
	const fixture = await downloadFixture(t, {jobs: 3, config: {concurrency: 1}});
	const engine = createDownloadEngine(fixture.store, fixture.config);
	engine.enqueueMissing();
	const rows = imageRows(fixture.store);
	const last = rows.at(-1)!;
	engine.setPriority(last.id, 10);
	await engine.onIdle();
	await engine.stop();
	assertAllFilesCorrect(t, fixture);
	const order = fixture.standIn.requests().filter((r) => r.route === 'cdn').map((r) => r.path);
	t.is(order[0], cdnPath(rows[0]!.url), 'the first file had already started');
	t.is(order[1], cdnPath(last.url), 'the reprioritised file came next');
	t.is(rowById(fixture, last.id).priority, 10, 'the priority is kept in the archive');
});

test('setConcurrency changes how many transfers run at once, live', async (t) => {
	const fixture = await downloadFixture(t, {jobs: 4, imageBytes: 256 * 1024, config: {limitRate: 2 * 1024 * 1024, concurrency: 1, perHostConcurrency: 8}});
	const engine = createDownloadEngine(fixture.store, fixture.config);
	const seen: EngineSnapshot[] = [];
	engine.subscribe((snapshot) => seen.push(snapshot));
	engine.enqueueMissing();
	await waitFor(() => (imageRows(fixture.store).filter((r) => r.status === 'done').length >= 2), 'two files done');
	t.true(seen.every((s) => s.totals.active <= 1), 'one at a time at concurrency 1');
	engine.setConcurrency(4);
	await waitFor(() => engine.snapshot().totals.active === 4, 'four transfers at once');
	t.is(engine.snapshot().concurrency, 4);
	engine.setPerHostConcurrency(2);
	engine.setLimitRate(0);
	await engine.onIdle();
	const after = seen.at(-1)!;
	t.is(after.perHostConcurrency, 2);
	t.is(after.limitRate, 0);
	await engine.stop();
	assertAllFilesCorrect(t, fixture);
});

test('per-host concurrency caps transfers to one host below the global concurrency', async (t) => {
	const fixture = await downloadFixture(t, {jobs: 3, imageBytes: 128 * 1024, config: {limitRate: 2 * 1024 * 1024, concurrency: 4, perHostConcurrency: 1}});
	const engine = createDownloadEngine(fixture.store, fixture.config);
	const active: number[] = [];
	engine.subscribe((snapshot) => active.push(snapshot.totals.active));
	engine.enqueueMissing();
	await engine.onIdle();
	await engine.stop();
	assertAllFilesCorrect(t, fixture);
	t.true(active.length > 0);
	t.true(active.every((n) => n <= 1), `at most one at a time from the one host (saw ${Math.max(...active)})`);
});

test('a file paused while it waits for its host does not start when the host frees up', async (t) => {
	const fixture = await downloadFixture(t, {jobs: 2, imageBytes: 256 * 1024, config: {limitRate: 512 * 1024, concurrency: 3, perHostConcurrency: 1}});
	const engine = createDownloadEngine(fixture.store, fixture.config);
	engine.enqueueMissing();
	await waitFor(() => engine.snapshot().totals.active === 1, 'the one transfer the host allows');
	// The second in line already holds a queue slot and waits for the host.
	const waiting = engine.snapshot().transfers.filter((s) => s.state === 'queued')[0]!;
	engine.pause(waiting.id);
	await engine.onIdle();
	t.is(engine.snapshot().transfers.find((s) => s.id === waiting.id)?.state, 'paused');
	t.is(imageRows(fixture.store).find((r) => r.id === waiting.id)!.status, 'pending');
	t.is(cdnRequests(fixture.standIn, cdnPath(waiting.url)).length, 0, 'never requested');
	engine.resume(waiting.id);
	await engine.onIdle();
	await engine.stop();
	assertAllFilesCorrect(t, fixture);
});

test('stop keeps partials and state; a new engine resumes each file where it stopped', async (t) => {
	const fixture = await downloadFixture(t, {jobs: 2, ...slow});
	const first = createDownloadEngine(fixture.store, fixture.config);
	first.enqueueMissing();
	await waitFor(() => first.snapshot().transfers.filter((s) => s.state === 'active' && s.bytes > 0).length === 2, 'two transfers with bytes');
	await first.stop();
	t.true(first.snapshot().stopping);
	const partials = imageRows(fixture.store).filter((r) => r.status === 'pending' && r.part_path !== null);
	t.true(partials.length >= 2);
	const sizes = new Map(partials.map((r) => [r.id, partSize(fixture, r.id)]));
	const requestsBefore = new Map(partials.map((r) => [r.id, cdnRequests(fixture.standIn, cdnPath(r.url)).length]));

	const second = createDownloadEngine(fixture.store, {...fixture.config, limitRate: 0});
	second.enqueueMissing();
	await second.onIdle();
	await second.stop();
	assertAllFilesCorrect(t, fixture);
	for (const row of partials) {
		const next = cdnRequests(fixture.standIn, cdnPath(row.url))[requestsBefore.get(row.id)!]!;
		t.is(next.range, sizes.get(row.id)! > 0 ? `bytes=${sizes.get(row.id)}-` : undefined, `${row.id} resumed from its partial`);
	}
});

test('snapshots list a bounded number of queued files while the totals count all of them', async (t) => {
	const fixture = await downloadFixture(t, {jobs: 90, imageBytes: 4096, config: {concurrency: 1}});
	const engine = createDownloadEngine(fixture.store, fixture.config);
	engine.pauseAll();
	const queued = engine.enqueueMissing();
	const total = imageRows(fixture.store).length;
	t.true(total > 250, `enough files (${total})`);
	t.is(queued, total);
	const snapshot = engine.snapshot();
	t.is(snapshot.totals.queued + snapshot.totals.active, total);
	const listed = snapshot.transfers.filter((s) => s.state === 'queued').length;
	t.true(listed > 0 && listed <= 200, `listed ${listed}`);
	await engine.stop();
});

test('a big archive is planned in batches between event-loop turns; the totals grow to every file', async (t) => {
	const fixture = await downloadFixture(t, {jobs: 1500, imageBytes: 4096});
	const expected = fixture.standIn.jobs().reduce((n, job) => n + fixture.standIn.filePaths(job.id).length, 0);
	const engine = createDownloadEngine(fixture.store, fixture.config);
	engine.pauseAll();
	const first = engine.enqueueMissing();
	t.true(first > 0 && first < expected, `first batch ${first} of ${expected}`);
	await waitFor(() => engine.snapshot().totals.queued === expected, 'every file planned');
	t.is(imageRows(fixture.store).length, expected);
	await engine.stop();
});
