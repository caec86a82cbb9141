/**
 * Files are found by what identifies them, not by the host they were first
 * planned on: an archive planned against one CDN base (an earlier --demo
 * port, an old --cdn-base) resumes against the current one, and archives
 * written before the change are migrated. URL lists keep their absolute URLs.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import {startStandIn} from '../../../fixtures/stand-in.js';
import {ArchiveStore} from '../../../source/core/archive/store.js';
import {migrations} from '../../../source/core/archive/schema.js';
import {createDownloadEngine} from '../../../source/core/downloads/engine.js';
import {planMissing} from '../../../source/core/downloads/plan.js';
import {runDownloads} from '../../../source/core/downloads/run.js';
import {archiveDb} from '../../helpers/archive-db.js';
import {assertAllFilesCorrect, downloadFixture, imageRows, waitFor} from '../../helpers/download-setup.js';

test('a run interrupted against one CDN base resumes against another: every remaining file arrives from the new one', async (t) => {
	const fixture = await downloadFixture(t, {jobs: 4, imageBytes: 128 * 1024});
	const first = createDownloadEngine(fixture.store, {...fixture.config, limitRate: 512 * 1024});
	first.enqueueMissing();
	await waitFor(() => first.snapshot().totals.done >= 3, 'a few files done');
	await first.stop();
	const doneBefore = imageRows(fixture.store).filter((row) => row.status === 'done').length;
	t.true(doneBefore < imageRows(fixture.store).length, 'files remain');

	// The same account on a new port, as the next --demo run gets.
	const moved = await startStandIn({jobs: 4, imageBytes: 128 * 1024});
	t.teardown(() => moved.close());
	t.not(moved.cdnBase, fixture.standIn.cdnBase);
	const oldRequests = fixture.standIn.requests().length;
	const summary = await runDownloads({store: fixture.store, config: {...fixture.config, cdnBase: moved.cdnBase}});
	t.is(summary.failed, 0);
	t.is(summary.downloaded, imageRows(fixture.store).length - doneBefore);
	t.is(fixture.standIn.requests().length, oldRequests, 'nothing asked of the old base');
	t.is(moved.requests().filter((r) => r.route === 'cdn').length, summary.downloaded, 'each remaining file fetched once from the new base');
	assertAllFilesCorrect(t, fixture);
});

test('an archive written before the change is migrated: CDN rows lose their host, URL-list rows keep theirs, and it resumes', async (t) => {
	const fixture = await downloadFixture(t, {jobs: 2});
	planMissing(fixture.store.images, fixture.config);
	const rowsBefore = imageRows(fixture.store);
	// What an older mj-tui stored: the stand-in of an earlier run, long gone, in every URL (and a path prefix).
	const older = archiveDb(t, fixture.dir, {writable: true});
	older.prepare(`UPDATE images SET url = 'http://127.0.0.1:9/cdn' || url`).run();
	older
		.prepare(`INSERT INTO images (job_id, idx, variant, url, path, status, updated_at) VALUES (NULL, 0, 'url', ?, 'urls/elsewhere/a.png', 'failed', 0)`)
		.run('https://example.org/keep/me.png');
	const migration = migrations.findIndex((sql) => sql.includes("instr(url, '/video/' || job_id || '/')"));
	t.true(migration > 0);
	older.pragma(`user_version = ${migration}`);
	older.close();
	fixture.store.close();

	const store = ArchiveStore.open(fixture.dir);
	t.teardown(() => store.close());
	const db = archiveDb(t, fixture.dir, {writable: true});
	t.is(db.pragma('user_version', {simple: true}), migrations.length);
	const rows = imageRows(store);
	t.deepEqual(
		rows.filter((row) => row.job_id !== null).map((row) => row.url),
		rowsBefore.map((row) => row.url),
		'the CDN rows are relative again',
	);
	t.true(rowsBefore.every((row) => row.url.startsWith('/')));
	t.is(rows.find((row) => row.variant === 'url')!.url, 'https://example.org/keep/me.png');

	db.prepare(`DELETE FROM images WHERE variant = 'url'`).run();
	const summary = await runDownloads({store, config: fixture.config});
	t.is(summary.failed, 0);
	t.is(summary.downloaded, rowsBefore.length);
	for (const row of imageRows(store)) t.true(fs.existsSync(path.join(fixture.dir, row.path!)), row.path!);
});
