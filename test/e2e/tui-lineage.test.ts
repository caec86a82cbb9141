/**
 * Lineage in the real binary (`node dist/bin/cli.js --demo`) in real tmux at
 * 80x24: after a sync, the details of a variation show its Family (the parent
 * grid and the upscales made from it); `u` goes to the parent, Enter on a
 * child line goes back down. Every step waits for what is on the screen.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import {generateJobs, undatedJobIndex} from '../../fixtures/jobs.js';
import {builtBin} from '../helpers/cli-io.js';
import {shellPrompt, TmuxTerminal} from '../helpers/ui-tmux.js';

const jobs = 60;

test.before(() => {
	if (!fs.existsSync(builtBin)) throw new Error(`${builtBin} is missing: npm test builds it (npm run build)`);
});

/** The job the details pane shows: `Job     <id> · <date>`. */
const shownJob = (screen: string) => /^Job +(\S+)/m.exec(screen)?.[1];

test('80x24: details show the family; u goes to the parent, Enter on a child line comes back', async t => {
	// The demo serves the stand-in's jobs (seed 1): a variation with a parent grid and children of its own.
	const served = generateJobs(jobs);
	const index = served.findIndex(job => job.event_type === 'variation' && job.parent_id && served.some(other => other.parent_id === job.id));
	t.not(index, -1, 'the demo account holds a variation with children');
	const variation = served[index]!;
	const children = served.filter(job => job.parent_id === variation.id);
	// Rows list newest first; the one job without a time is listed last.
	const row = index > undatedJobIndex ? index - 1 : index;

	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-tui-e2e-lineage-'));
	const terminal = await TmuxTerminal.start(80, 24);
	t.teardown(async () => {
		await terminal.kill();
		fs.rmSync(dir, {recursive: true, force: true});
	});
	await terminal.command(`cd ${dir} && env -u FORCE_COLOR -u NO_COLOR -u CI TZ=UTC MJ_TUI_DEMO_JOBS=${jobs} node ${builtBin} --demo --archive ${dir}/archive`);
	await terminal.waitFor(screen => screen.includes('sync idle') && screen.includes('No jobs here yet'), 'the app to start');
	await terminal.press('s', screen => screen.includes(`synced +${jobs} new`), 'the first sync');
	// Keys arrive in order: j moves the cursor row by row, Enter then opens that row's details.
	for (let step = 0; step < row; step++) await terminal.key('j');
	let screen = await terminal.press('Enter', text => text.includes('Family'), 'the details');
	t.is(shownJob(screen), variation.id, screen);
	t.regex(screen, new RegExp(`Family \\(parent, ${children.length} made from it\\)`));
	t.regex(screen, /^› ↑ parent: (grid|draft grid|variation|pan) · \d{4}-\d\d-\d\d \d\d:\d\d · image #\d/m);
	t.true(screen.split('\n').some(line => /^ {2}↓ (upscale|variation|pan|video|video extension)/.test(line)), `a child line:\n${screen}`);

	// u: the parent's details, with the line of the variation we came from selected.
	screen = await terminal.press('u', text => shownJob(text) === variation.parent_id && /^› ↓ /m.test(text), 'the parent’s details');
	t.regex(screen, /Family \((no parent|parent), \d+ made from it/);
	t.regex(screen, /^› ↓ variation of #\d · /m, `the line of the variation u came from is selected:\n${screen}`);

	// Enter on that line goes back down.
	screen = await terminal.press('Enter', text => shownJob(text) === variation.id, 'the variation’s details again');
	t.regex(screen, /^› ↑ parent: /m);

	await terminal.key('q');
	await terminal.waitFor(text => text.trimEnd().endsWith(shellPrompt.trim()), 'the shell prompt', 10_000);
});
