/**
 * The queue telling the truth, through the real binary (`node dist/bin/cli.js
 * --demo`) in real tmux at 80x24: the footer keeps `? help` and `q quit` in
 * every pane; after `D` the queue empties and a notice says what was done and
 * what failed (one file fails on purpose); the speed then falls to idle.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import {jobId} from '../../fixtures/jobs.js';
import {builtBin} from '../helpers/cli-io.js';
import {TmuxTerminal} from '../helpers/ui-tmux.js';

// The newest job's first image always fails.
const faults = JSON.stringify([{kind: 'server-error', status: 500, route: 'cdn', pathIncludes: `${jobId(0)}/0_0.png`}]);

test.before(() => {
	if (!fs.existsSync(builtBin)) throw new Error(`${builtBin} is missing: npm test builds it (npm run build)`);
});

test.serial('80x24: footer keeps help and quit; the emptied queue says what was downloaded and what failed; the speed falls to idle', async (t) => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-tui-e2e-queue-'));
	const terminal = await TmuxTerminal.start(80, 24);
	t.teardown(async () => {
		await terminal.kill();
		fs.rmSync(dir, {recursive: true, force: true});
	});
	await terminal.command(
		`cd ${dir} && env -u FORCE_COLOR -u NO_COLOR -u CI -u CONTINUOUS_INTEGRATION TZ=UTC MJ_TUI_DEMO_JOBS=8 MJ_TUI_DEMO_FAULTS='${faults}' node ${builtBin} --demo --archive ${dir}/archive --retries 0 --concurrency 2`,
	);
	let screen = await terminal.waitFor((text) => text.includes('No jobs here yet'), 'the app to start');
	const footer = (text: string) => text.split('\n').filter((line) => line.trim()).at(-1) ?? '';
	t.true(footer(screen).endsWith('? help  q/^C quit'), footer(screen));

	await terminal.press('s', (text) => text.includes('synced +8 new'), 'the sync');
	screen = await terminal.press('D', (text) => /queue empty: [\d,]+ files? downloaded \([^)]+\), 1 failed/.test(text), 'the queue-empty notice', 60_000);
	const [, downloaded] = /queue empty: ([\d,]+) files? downloaded/.exec(screen)!;
	t.true(Number(downloaded!.replace(/,/g, '')) > 0, screen);

	// Past the notice: the queue pane (Tab twice) with its footer, and the speed at idle once nothing moves.
	await terminal.press('Tab', (text) => text.includes('Params') || text.includes('No job selected'), 'the details pane');
	screen = await terminal.press('Tab', (text) => /Queue .*done/.test(text), 'the queue pane');
	t.true(footer(screen).endsWith('? help  q/^C quit'), footer(screen));
	t.regex(screen, /sort: state ↑/, 'the sort by its full name');
	screen = await terminal.waitFor((text) => text.includes('↓ idle') && text.includes('↓ 0 B/s'), 'the speed to fall to zero', 20_000);
	t.regex(screen, /0 B left/);
});
