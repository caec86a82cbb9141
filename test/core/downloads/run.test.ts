/**
 * A download run that goes to the end cleans up after the runs before it:
 * partials that no pending file waits for (left by a killed run whose files
 * later finished) are removed, so `verify` finds nothing stale; partials a
 * pending file still resumes from are kept.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import {runDownloads} from '../../../source/core/downloads/run.js';
import {planMissing} from '../../../source/core/downloads/plan.js';
import {downloadFixture, imageRows, listParts} from '../../helpers/download-setup.js';

test('a completed run removes the partials nothing waits for', async (t) => {
	const fixture = await downloadFixture(t, {jobs: 3});
	planMissing(fixture.store.images, fixture.config);
	const [resumable] = imageRows(fixture.store);
	// One partial a pending file resumes from (recorded in its row), one a finished file left behind, one nobody knows.
	fs.mkdirSync(path.join(fixture.dir, '.parts'), {recursive: true});
	const orphan = path.join(fixture.dir, '.parts', '999999-gone.png.part');
	fs.writeFileSync(orphan, Buffer.alloc(8192));
	const leftover = path.join(fixture.dir, '.parts', `${resumable!.id}-leftover.png.part`);
	fs.writeFileSync(leftover, Buffer.alloc(0));

	const summary = await runDownloads({store: fixture.store, config: fixture.config});
	t.is(summary.failed, 0);
	t.true(imageRows(fixture.store).every((row) => row.status === 'done'));
	t.deepEqual(listParts(fixture.dir), [], 'no partial is left once every file is done');
});

test('a stopped run keeps every partial for the next one', async (t) => {
	const fixture = await downloadFixture(t, {jobs: 3});
	fs.mkdirSync(path.join(fixture.dir, '.parts'), {recursive: true});
	fs.writeFileSync(path.join(fixture.dir, '.parts', '999999-gone.png.part'), Buffer.alloc(10));
	const controller = new AbortController();
	controller.abort();
	await runDownloads({store: fixture.store, config: fixture.config, signal: controller.signal});
	t.deepEqual(listParts(fixture.dir), ['999999-gone.png.part']);
});
