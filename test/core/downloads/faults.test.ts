/**
 * One transfer done right against each of the stand-in CDN's faults: the
 * final files must have exactly the served bytes, partials must be resumed
 * (never appended to blindly), and failures must say why.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import {MjError} from '../../../source/core/errors.js';
import {createDownloadEngine} from '../../../source/core/downloads/engine.js';
import {runDownloads} from '../../../source/core/downloads/run.js';
import type {TransferState} from '../../../source/core/downloads/types.js';
import {archiveDb} from '../../helpers/archive-db.js';
import {assertAllFilesCorrect, cdnPath, cdnRequests, downloadFixture, imageRows, listParts, sha256, waitFor} from '../../helpers/download-setup.js';

test('every file of every job arrives complete, verified and recorded, each fetched once', async (t) => {
	// More files than the engine's in-memory window, so it refills from the archive several times.
	const fixture = await downloadFixture(t, {jobs: 60, imageBytes: 4096});
	const summary = await runDownloads({store: fixture.store, config: fixture.config});
	const files = assertAllFilesCorrect(t, fixture);
	t.true(files > 150, `${files} files`);
	t.is(summary.downloaded, files);
	const fetched = fixture.standIn.requests().filter((r) => r.route === 'cdn').map((r) => r.path);
	t.is(new Set(fetched).size, fetched.length, 'no file asked for twice');
	t.is(summary.failed, 0);
	t.is(summary.bytes, imageRows(fixture.store).reduce((n, row) => n + row.bytes!, 0));
	// A second run finds nothing to do and asks the CDN for nothing.
	const before = fixture.standIn.requests().length;
	const again = await runDownloads({store: fixture.store, config: fixture.config});
	t.is(again.downloaded, 0);
	t.is(again.skipped, files);
	t.is(fixture.standIn.requests().length, before);
});

for (const status of [500, 503] as const) {
	test(`HTTP ${status} is retried until the file arrives`, async (t) => {
		const fixture = await downloadFixture(t, {config: {retryAfterCapMs: 200}});
		const target = fixture.standIn.filePaths(fixture.standIn.jobs()[1]!.id)[0]!;
		fixture.standIn.setFault({kind: 'server-error', status, route: 'cdn', pathIncludes: target, count: 2});
		const summary = await runDownloads({store: fixture.store, config: fixture.config});
		assertAllFilesCorrect(t, fixture);
		t.deepEqual(
			cdnRequests(fixture.standIn, target).map((r) => r.status),
			[status, status, 200],
		);
		t.is(summary.failed, 0);
		const row = imageRows(fixture.store).find((r) => cdnPath(r.url) === target)!;
		t.is(row.attempts, 2, 'both failed tries are counted in the archive');
	});
}

test('429 with Retry-After holds the host, then the file arrives', async (t) => {
	const fixture = await downloadFixture(t, {jobs: 2});
	const target = fixture.standIn.filePaths(fixture.standIn.jobs()[0]!.id)[1]!;
	fixture.standIn.setFault({kind: 'rate-limit', retryAfterSeconds: 1, route: 'cdn', pathIncludes: target, count: 1});
	const engine = createDownloadEngine(fixture.store, fixture.config);
	const held: Array<{state: TransferState; heldUntil: number | null}> = [];
	engine.subscribe((snapshot) => {
		for (const transfer of snapshot.transfers) if (transfer.url.endsWith(target)) held.push({state: transfer.state, heldUntil: transfer.heldUntil});
	});
	engine.enqueueMissing();
	await engine.onIdle();
	await engine.stop();
	assertAllFilesCorrect(t, fixture);
	t.deepEqual(
		cdnRequests(fixture.standIn, target).map((r) => r.status),
		[429, 200],
	);
	t.true(
		held.some((s) => s.state === 'held' && s.heldUntil !== null),
		'the snapshot showed the transfer held with a time',
	);
	t.is(engine.stats().retriesByHost[new URL(fixture.standIn.cdnBase).host], 1);
});

test('a reset connection is retried', async (t) => {
	const fixture = await downloadFixture(t, {config: {retryAfterCapMs: 100}});
	const target = fixture.standIn.filePaths(fixture.standIn.jobs()[0]!.id)[0]!;
	fixture.standIn.setFault({kind: 'reset', route: 'cdn', pathIncludes: target, count: 1});
	await runDownloads({store: fixture.store, config: fixture.config});
	assertAllFilesCorrect(t, fixture);
	t.is(cdnRequests(fixture.standIn, target).length, 2);
});

// 1 MiB: the half that arrives spans several socket reads, some still gathered for the next disk write when the body ends.
for (const imageBytes of [64 * 1024, 1024 * 1024]) test(`a truncated body keeps its prefix and the retry asks only for the rest (${imageBytes / 1024} KiB files)`, async (t) => {
	const fixture = await downloadFixture(t, {imageBytes, config: {retryAfterCapMs: 100}});
	const target = fixture.standIn.filePaths(fixture.standIn.jobs()[0]!.id)[0]!;
	const size = fixture.standIn.fileBytes(target).length;
	fixture.standIn.setFault({kind: 'truncate', route: 'cdn', pathIncludes: target, count: 1});
	await runDownloads({store: fixture.store, config: fixture.config});
	assertAllFilesCorrect(t, fixture);
	const [first, second, ...rest] = cdnRequests(fixture.standIn, target);
	t.is(rest.length, 0);
	t.is(first!.range, undefined);
	t.is(second!.range, `bytes=${first!.bytesSent}-`, 'resumed exactly after what arrived');
	t.is(second!.status, 206);
	t.is(first!.bytesSent + second!.bytesSent, size, 'no byte fetched twice');
});

test('a stalled body is aborted and resumed', async (t) => {
	// Retries to spare: on a loaded machine a slow answer can look stalled too, and must not use them all up.
	const fixture = await downloadFixture(t, {imageBytes: 256 * 1024, config: {stallTimeoutMs: 2000, retryAfterCapMs: 100, retries: 10}});
	const target = fixture.standIn.filePaths(fixture.standIn.jobs()[0]!.id)[0]!;
	fixture.standIn.setFault({kind: 'stall', ms: 60_000, route: 'cdn', pathIncludes: target, count: 1});
	const summary = await runDownloads({store: fixture.store, config: fixture.config});
	assertAllFilesCorrect(t, fixture);
	t.is(summary.failed, 0);
	// Judged by what happened, not by how many tries it took: on a loaded machine a slow answer can look stalled too,
	// and retrying it is right. What must hold: the stalled request sent part of the file, and every later one resumed.
	const [stalled, ...retries] = cdnRequests(fixture.standIn, target);
	t.is(stalled!.range, undefined, 'the first request asked for the whole file');
	t.true(stalled!.bytesSent > 0 && stalled!.bytesSent < fixture.standIn.fileBytes(target).length, 'it stalled part-way');
	t.true(retries.length >= 1, 'the stall was retried');
	for (const retry of retries) t.regex(retry.range ?? '', /^bytes=[1-9]\d*-$/, 'every retry resumed from the partial');
});

/** Leave a partial of `target` behind: the CDN stalls after half the file, and the engine is stopped there. */
async function leavePartial(fixture: Awaited<ReturnType<typeof downloadFixture>>, target: string): Promise<void> {
	fixture.standIn.setFault({kind: 'stall', ms: 60_000, route: 'cdn', pathIncludes: target, count: 1});
	const engine = createDownloadEngine(fixture.store, {...fixture.config, stallTimeoutMs: 60_000});
	engine.enqueueMissing();
	const half = Math.floor(fixture.standIn.fileBytes(target).length / 2);
	await waitFor(() => {
		const part = imageRows(fixture.store).find((r) => cdnPath(r.url) === target)!.part_path;
		return part !== null && fs.existsSync(path.join(fixture.dir, part)) && fs.statSync(path.join(fixture.dir, part)).size >= half;
	}, 'half the file in its partial');
	await engine.stop();
}

test('a 200 answer to a ranged request restarts from zero instead of appending', async (t) => {
	const fixture = await downloadFixture(t);
	const target = fixture.standIn.filePaths(fixture.standIn.jobs()[0]!.id)[0]!;
	await leavePartial(fixture, target);
	fixture.standIn.setFault({kind: 'ignore-range', pathIncludes: target, count: 1});
	await runDownloads({store: fixture.store, config: fixture.config});
	assertAllFilesCorrect(t, fixture);
	const requests = cdnRequests(fixture.standIn, target);
	t.is(requests.at(-1)!.status, 200);
	t.truthy(requests.at(-1)!.range, 'the ranged request was answered in full');
});

for (const hashWhileReceiving of [true, false]) {
	const how = hashWhileReceiving ? 'hashed as they arrive' : 'read back and hashed';
	test(`files ${how} record the served bytes' sha256, also one resumed after a truncated body`, async (t) => {
		const fixture = await downloadFixture(t, {jobs: 2, config: {retryAfterCapMs: 100}});
		const resumed = fixture.standIn.filePaths(fixture.standIn.jobs()[0]!.id)[0]!;
		fixture.standIn.setFault({kind: 'truncate', route: 'cdn', pathIncludes: resumed, count: 1});
		await runDownloads({store: fixture.store, config: fixture.config, engineOptions: {hashWhileReceiving}});
		t.true(assertAllFilesCorrect(t, fixture) >= 6);
		t.is(cdnRequests(fixture.standIn, resumed).at(-1)!.status, 206, 'the truncated file was resumed');
	});
}

test('a 206 starting elsewhere than asked is refused and the file fetched again', async (t) => {
	const fixture = await downloadFixture(t, {config: {retryAfterCapMs: 100}});
	const target = fixture.standIn.filePaths(fixture.standIn.jobs()[0]!.id)[0]!;
	await leavePartial(fixture, target);
	fixture.standIn.setFault({kind: 'wrong-range', pathIncludes: target, count: 1});
	await runDownloads({store: fixture.store, config: fixture.config});
	assertAllFilesCorrect(t, fixture);
	const statuses = cdnRequests(fixture.standIn, target).map((r) => r.status);
	t.deepEqual(statuses.slice(1), [206, 200], 'the wrong range, then the whole file afresh');
});

test('416 finalises a partial that already holds the whole file, without downloading it again', async (t) => {
	const fixture = await downloadFixture(t);
	const target = fixture.standIn.filePaths(fixture.standIn.jobs()[0]!.id)[0]!;
	await leavePartial(fixture, target);
	// Complete the partial by hand, as a crash right before the rename would leave it.
	const row = imageRows(fixture.store).find((r) => cdnPath(r.url) === target)!;
	fs.writeFileSync(path.join(fixture.dir, row.part_path!), fixture.standIn.fileBytes(target));
	await runDownloads({store: fixture.store, config: fixture.config});
	assertAllFilesCorrect(t, fixture);
	const last = cdnRequests(fixture.standIn, target).at(-1)!;
	t.is(last.status, 416);
	t.is(last.bytesSent, 0);
});

test('416 for a partial that is not the whole file discards it and fetches the file again', async (t) => {
	const fixture = await downloadFixture(t, {config: {retryAfterCapMs: 100}});
	const db = archiveDb(t, fixture.dir, {writable: true});
	const target = fixture.standIn.filePaths(fixture.standIn.jobs()[0]!.id)[0]!;
	await leavePartial(fixture, target);
	const row = imageRows(fixture.store).find((r) => cdnPath(r.url) === target)!;
	const served = fixture.standIn.fileBytes(target);
	// A partial longer than the file (stale size on record): the server says 416, and the bytes are not the file.
	const bogus = Buffer.concat([served, Buffer.from('trailing junk')]);
	fs.writeFileSync(path.join(fixture.dir, row.part_path!), bogus);
	db.prepare('UPDATE images SET total_bytes = ? WHERE id = ?').run(bogus.length, row.id);
	await runDownloads({store: fixture.store, config: fixture.config});
	assertAllFilesCorrect(t, fixture);
	t.deepEqual(
		cdnRequests(fixture.standIn, target).slice(1).map((r) => r.status),
		[416, 200],
	);
});

for (const status of [200, 403] as const) {
	test(`a Cloudflare challenge page (HTTP ${status}) on every file is never saved and stops the run with exit 69`, async (t) => {
		const fixture = await downloadFixture(t, {config: {concurrency: 8}});
		fixture.standIn.setFault({kind: 'cloudflare', status, route: 'cdn'});
		const error = await t.throwsAsync(runDownloads({store: fixture.store, config: fixture.config}), {instanceOf: MjError});
		t.is(error!.exitCode, 69);
		t.regex(error!.message, /3 different files in a row with Cloudflare's challenge page/);
		t.truthy(error!.hint);
		// After a challenge the files go one at a time: three distinct files prove the host blocks us, a fourth is never asked.
		const asked = fixture.standIn.requests().filter((r) => r.route === 'cdn').map((r) => r.path);
		t.is(new Set(asked).size, 3, `asked for ${asked.join(', ')}`);
		t.false(fs.existsSync(path.join(fixture.dir, 'images')), 'no file saved');
		for (const part of listParts(fixture.dir)) t.is(fs.statSync(path.join(fixture.dir, '.parts', part)).size, 0, 'no HTML in a partial');
		t.true(imageRows(fixture.store).every((r) => r.status === 'pending'), 'files stay pending for the next run');
	});
}

test('a Cloudflare challenge on one file fails that file after its retries; every other file arrives', async (t) => {
	const fixture = await downloadFixture(t, {jobs: 4, config: {retryAfterCapMs: 50, retries: 2}});
	const target = fixture.standIn.filePaths(fixture.standIn.jobs()[1]!.id)[0]!;
	fixture.standIn.setFault({kind: 'cloudflare', status: 403, route: 'cdn', pathIncludes: target});
	const summary = await runDownloads({store: fixture.store, config: fixture.config});
	t.is(summary.failed, 1);
	t.deepEqual(
		summary.failures.map((failure) => failure.url),
		[`${fixture.standIn.cdnBase}${target}`],
		'the summary names the challenged file',
	);
	t.regex(summary.failures[0]!.reason, /Cloudflare challenge/);
	t.is(cdnRequests(fixture.standIn, target).length, 3, 'the first try and its two retries');
	for (const row of imageRows(fixture.store)) {
		if (cdnPath(row.url) === target) {
			t.is(row.status, 'failed');
			t.is(row.path && fs.existsSync(path.join(fixture.dir, row.path)), false, 'no page saved as the file');
		} else {
			t.is(row.status, 'done', `${row.url}: ${row.last_error}`);
			t.is(sha256(fs.readFileSync(path.join(fixture.dir, row.path!))), sha256(fixture.standIn.fileBytes(cdnPath(row.url))));
		}
	}
});

test('401 from the CDN on the first file stops the run early with exit 77', async (t) => {
	const fixture = await downloadFixture(t, {jobs: 10});
	fixture.standIn.setFault({kind: 'unauthorized', route: 'cdn'});
	const error = await t.throwsAsync(runDownloads({store: fixture.store, config: {...fixture.config, concurrency: 8, perHostConcurrency: 8}}), {instanceOf: MjError});
	t.is(error!.exitCode, 77);
	t.regex(error!.message, /refused access \(HTTP 401\)/);
	t.is(fixture.standIn.requests().filter((r) => r.route === 'cdn').length, 1, 'one request, not one per file');
	t.true(imageRows(fixture.store).every((r) => r.status === 'pending' && r.attempts === 0));
	// With access restored, the next run gets everything.
	fixture.standIn.clearFaults();
	await runDownloads({store: fixture.store, config: fixture.config});
	assertAllFilesCorrect(t, fixture);
});

test('404 fails that file at once with the reason; the others arrive', async (t) => {
	const fixture = await downloadFixture(t);
	// A job the CDN has never heard of.
	const ghost = {...fixture.standIn.jobs()[0]!, id: '00000000-0000-4000-8000-000000000000', batch_size: 1};
	fixture.store.upsertJobs([ghost]);
	const summary = await runDownloads({store: fixture.store, config: fixture.config});
	const ghostUrl = `${fixture.standIn.cdnBase}/${ghost.id}/0_0.png`;
	t.is(summary.failed, 1);
	t.deepEqual(summary.failures, [{url: ghostUrl, reason: 'HTTP 404: not found on the CDN'}]);
	t.is(cdnRequests(fixture.standIn, `/${ghost.id}/0_0.png`).length, 1, 'no retries for a 404');
	const ghostPath = `/${ghost.id}/0_0.png`;
	const row = imageRows(fixture.store).find((r) => cdnPath(r.url) === ghostPath)!;
	t.is(row.status, 'failed');
	t.is(row.last_error, 'HTTP 404: not found on the CDN');
	for (const other of imageRows(fixture.store).filter((r) => cdnPath(r.url) !== ghostPath)) {
		t.is(other.status, 'done');
		t.is(sha256(fs.readFileSync(path.join(fixture.dir, other.path!))), sha256(fixture.standIn.fileBytes(cdnPath(other.url))));
	}
});
