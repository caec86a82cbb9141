/**
 * "More like this" in the app, through ink-testing-library, on a real archive
 * the stand-in filled (synced, downloaded, hashed at download): `m` on a grid
 * job lists the upscale made from one of its images, Enter jumps to that job's
 * details, Esc closes the list. Every wait is for a frame condition.
 */
import test from 'ava';
import React from 'react';
import {render} from 'ink-testing-library';
import {createDownloadEngine} from '../../source/core/downloads/engine.js';
import {App} from '../../source/ui/app.js';
import {formatJobDate} from '../../source/ui/jobs-table/job-columns.js';
import type {TuiServices} from '../../source/ui/services.js';
import {themeFor} from '../../source/ui/theme.js';
import {keys, waitForFrame} from '../helpers/ui-testing.js';
import {syncedArchive, type ToolsArchive} from '../helpers/tools-archive.js';

let archive: ToolsArchive;

test.before(async () => {
	archive = await syncedArchive(36);
});

test.after.always(async () => {
	await archive?.close();
});

test('m lists the images most like the job’s; Enter jumps to one, Esc closes', async t => {
	const engine = createDownloadEngine(archive.store, archive.config, {hashOnMainThread: true});
	t.teardown(() => engine.stop());
	const services: TuiServices = {
		archive: archive.store,
		engine,
		sync: async () => {
			throw new Error('no sync in this test');
		},
		openImage: (file) => `image: ${file}`,
	};
	const jobs = archive.standIn.jobs();
	const upscale = jobs.find(job => job.event_type === 'upscale' && job.parent_id && jobs.some(parent => parent.id === job.parent_id) && Number.isInteger(Number(job.parent_grid)))!;
	t.truthy(upscale, 'the stand-in has an upscale of an archived grid');
	const parent = archive.store.getJob(upscale.parent_id!)!;
	const app = render(<App services={services} columns={200} rows={60} theme={themeFor({NO_COLOR: '1'})} />);
	Object.defineProperty(app.stdout, 'columns', {get: () => 200});
	app.stdout.emit('resize');
	t.teardown(() => app.unmount());
	// Walk the table down until the details pane shows the parent grid.
	let frame = await waitForFrame(app.lastFrame, text => text.includes('of 36'));
	for (let step = 0; !frame.includes(`${parent.id} ·`); step++) {
		if (step > 40) t.fail(`never reached ${parent.id}`);
		app.stdin.write('j');
		const before = frame;
		frame = await waitForFrame(app.lastFrame, text => text !== before);
	}
	t.regex(frame, /m similar/, 'the footer offers the key');
	app.stdin.write('m');
	frame = await waitForFrame(app.lastFrame, text => /More like this .*\d+ similar images?/.test(text), 15_000);
	const lines = frame.split('\n');
	const upscaleLine = lines.findIndex(line => line.includes(`${formatJobDate(archive.store.getJob(upscale.id)!.enqueuedAt)} #0`));
	t.true(upscaleLine >= 0, `the upscale is listed:\n${frame}`);
	const cursorLine = lines.findIndex(line => line.trimStart().startsWith('›'));
	t.true(cursorLine >= 0 && cursorLine <= upscaleLine);
	t.regex(lines[upscaleLine]!, /\s\d\s/, 'with its distance');
	for (let step = cursorLine; step < upscaleLine; step++) {
		const before = app.lastFrame();
		app.stdin.write('j');
		await waitForFrame(app.lastFrame, text => text !== before);
	}
	app.stdin.write(keys.enter);
	frame = await waitForFrame(app.lastFrame, text => text.includes(`${upscale.id} ·`) && !text.includes('More like this'));
	t.true(frame.includes('Params'), 'the details of the chosen job are shown');
	app.stdin.write('m');
	await waitForFrame(app.lastFrame, text => text.includes('More like this'));
	app.stdin.write(keys.escape);
	frame = await waitForFrame(app.lastFrame, text => !text.includes('More like this'));
	t.true(frame.includes('of 36'), 'back to the jobs table');
});
