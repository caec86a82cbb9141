/**
 * The first launch says what it is doing: while the first sync signs in and
 * waits for its first page, and then page by page, the empty jobs table and
 * the status line say so (not a bare spinner).
 */
import test from 'ava';
import type {SyncProgress, SyncSummary} from '../../source/core/sync.js';
import type {TuiServices} from '../../source/ui/services.js';
import {renderAppOnArchive} from '../helpers/app-on-archive.js';
import {waitForFrame} from '../helpers/ui-testing.js';

test('the first sync says it is signing in, then which page and how many jobs so far', async t => {
	let report: ((progress: SyncProgress) => void) | undefined;
	let finish: ((summary: SyncSummary) => void) | undefined;
	const sync: TuiServices['sync'] = ({onProgress}) =>
		new Promise<SyncSummary>(resolve => {
			report = onProgress;
			finish = resolve;
		});
	const {app} = renderAppOnArchive(t, {columns: 80, rows: 24, jobs: 0, sync});
	await waitForFrame(app.lastFrame, text => text.includes('No jobs here yet'));
	app.stdin.write('s');
	let frame = await waitForFrame(app.lastFrame, text => text.includes('First sync: signing in and asking Midjourney for the first page of jobs…'));
	t.true(frame.includes('sync: signing in, asking for the first page…'), frame);

	report!({state: 'listing', page: 3, pages: 2, jobsSeen: 100, jobsNew: 100, jobsUpdated: 0, oddities: {}});
	frame = await waitForFrame(app.lastFrame, text => text.includes('First sync: page 3, 100 jobs so far…'));
	t.true(frame.includes('syncing page 3 (100 jobs, 100 new)'), frame);
	finish!({jobsSeen: 100, jobsNew: 0, jobsUpdated: 0, pages: 3, stoppedBecause: 'end', oddities: {}} as unknown as SyncSummary);
	await waitForFrame(app.lastFrame, text => text.includes('No jobs here yet') && text.includes('synced +0 new'));
});
