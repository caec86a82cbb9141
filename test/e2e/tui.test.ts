/**
 * The real binary (`node dist/bin/cli.js --demo`, the installed command) in real tmux at 80x24 and
 * 200x60: navigate, search and open details, download, sort the queue, see a
 * failed transfer's reason, cancel and retry one, quit; then the shell is back
 * as it was. Every step asserts what is on the screen.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import {jobId} from '../../fixtures/jobs.js';
import {builtBin} from '../helpers/cli-io.js';
import {shellPrompt, TmuxTerminal} from '../helpers/ui-tmux.js';

const binary = builtBin;
const jobs = 60;
// The newest job's first image always fails: the queue must say why.
// The second newest job's first image stalls mid-body, so one transfer stays running to be canceled.
const stalled = jobId(1);
const faults = JSON.stringify([
	{kind: 'server-error', status: 500, route: 'cdn', pathIncludes: `${jobId(0)}/0_0.png`},
	{kind: 'stall', ms: 120_000, route: 'cdn', pathIncludes: `${stalled}/0_0.png`, count: 1},
]);

test.before(() => {
	if (!fs.existsSync(binary)) throw new Error(`${binary} is missing: npm test builds it (npm run build)`);
});

/** Start the demo in a fresh terminal; the environment is cleaned of what ava sets for its own output (FORCE_COLOR, CI). */
async function launch(t: {teardown(fn: () => unknown): void}, columns: number, rows: number, env = '') {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-tui-e2e-'));
	const terminal = await TmuxTerminal.start(columns, rows);
	t.teardown(async () => {
		await terminal.kill();
		fs.rmSync(dir, {recursive: true, force: true});
	});
	await terminal.command(
		`cd ${dir} && env -u FORCE_COLOR -u NO_COLOR -u CI -u CONTINUOUS_INTEGRATION TZ=UTC MJ_TUI_DEMO_JOBS=${jobs} MJ_TUI_DEMO_FAULTS='${faults}' ${env} node ${binary} --demo --archive ${dir}/archive --retries 0 --concurrency 2`,
	);
	await terminal.waitFor((screen) => screen.includes('sync idle') && screen.includes('No jobs here yet'), 'the app to start');
	return terminal;
}

/** Lines on screen that hold text (the frame must leave the last row free). */
function lastUsedRow(screen: string): number {
	const lines = screen.split('\n');
	let last = -1;
	lines.forEach((line, index) => {
		if (line.trim()) last = index;
	});
	return last;
}

for (const [columns, rows] of [
	[80, 24],
	[200, 60],
] as const) {
	test.serial(`${columns}x${rows}: navigate, search, details, download, sort, fail, cancel, retry, quit`, async (t) => {
		const terminal = await launch(t, columns, rows);
		t.is(await terminal.format('#{alternate_on}'), '1', 'the app runs on the alternate screen');

		let screen = await terminal.press('s', (text) => text.includes(`synced +${jobs} new`) && text.includes(`of ${jobs}`), 'the first sync');
		t.true(lastUsedRow(screen) <= rows - 2, 'the frame stays at most rows-1 high');
		for (const line of screen.split('\n')) t.true([...line].length <= columns, `line wider than the terminal: ${line}`);
		t.false(screen.includes('pwned'), 'an OSC title escape in a prompt did not leak its payload');

		// Navigate: down twice, to the end, back to the top.
		screen = await terminal.press('j', (text) => /^› /m.test(text), 'a selection');
		const firstSelected = screen.split('\n').find((line) => line.startsWith('›'));
		screen = await terminal.press('j', (text) => text.split('\n').find((line) => line.startsWith('›')) !== firstSelected, 'the cursor to move');
		screen = await terminal.press('G', (text) => new RegExp(`–${jobs} of ${jobs}`).test(text), 'the last page');
		screen = await terminal.press('g', (text) => new RegExp(`1–\\d+ of ${jobs}`).test(text), 'the first page');

		// Search a known prompt and open its details.
		screen = await terminal.press('/', (text) => text.includes('type words'), 'the search line');
		await terminal.type('harbour');
		screen = await terminal.waitFor((text) => /\/harbour +\d+ hits/.test(text), 'search hits');
		t.regex(screen, /harbour/);
		screen = await terminal.press('Enter', (text) => text.includes('Params') && text.includes('Files'), 'the details');
		t.regex(screen, /quiet harbour at dawn|harbour/);

		// Start every download; go to the queue.
		screen = await terminal.press('Escape', (text) => text.includes('Enter details'), 'the jobs pane');
		screen = await terminal.press('D', (text) => /queued [\d,]+ missing files/.test(text), 'downloads to start');
		await terminal.key('Tab');
		screen = await terminal.press('Tab', (text) => text.includes('State') && text.includes('x cancel'), 'the queue');

		// Sort by ETA, then by state so failures come right after running transfers.
		screen = await terminal.press('E', (text) => text.includes('ETA↑'), 'the ETA sort');
		screen = await terminal.press('E', (text) => text.includes('ETA↓'), 'the ETA sort reversed');
		screen = await terminal.press('T', (text) => text.includes('State↑'), 'the state sort');
		screen = await terminal.waitFor((text) => /failed +\S+ +✗ HTTP 500/.test(text), 'the failed transfer and its reason', 30_000);

		// Cancel the stalled transfer (asks first), then retry it.
		const mark = `${stalled.slice(-8)}_0.png`;
		await terminal.waitFor((text) => new RegExp(`active +\\S*${mark}`).test(text), 'the stalled transfer to run', 30_000);
		screen = await terminal.press('g', (text) => /› \S+ active/.test(text), 'a running transfer selected');
		for (let step = 0; step < 20; step++) {
			// A finished transfer leaving the list also changes the selected file: let a key still in flight land before judging.
			await new Promise((resolve) => setTimeout(resolve, 300));
			screen = await terminal.screen();
			if (selectedLine(screen).includes(mark)) break;
			// Rows move while transfers finish: step towards where the stalled one is now, up or down.
			const rows = queueRows(screen);
			const target = rows.findIndex((line) => line.includes(mark));
			const current = rows.findIndex((line) => line.startsWith('›'));
			// The selected file, not the whole line: its speed and bytes change on their own while it runs.
			const before = selectedFile(screen);
			screen = await terminal.press(target >= 0 && target < current ? 'k' : 'j', (text) => selectedFile(text) !== before, 'the next transfer');
		}
		t.regex(selectedLine(screen), /active/, `the stalled transfer is running:\n${screen}`);
		screen = await terminal.press('x', (text) => text.includes('y/N'), 'the cancel confirmation');
		t.true(screen.includes('keeping its partial file'));
		t.true(screen.split('\n').some((line) => line.includes('y/N') && line.includes(mark)), `the question names the stalled file:\n${screen}`);
		screen = await terminal.press('y', (text) => new RegExp(`canceled +\\S*${mark}`).test(text), 'the canceled row');
		screen = await terminal.press('G', (text) => /canceled/.test(selectedLine(text)), 'the canceled row selected');
		t.true(selectedLine(screen).includes(mark));
		screen = await terminal.press('r', (text) => !new RegExp(`canceled +\\S*${mark}`).test(text), 'the retry');

		// Quit: transfers stop, the shell comes back.
		await terminal.key('q');
		screen = await terminal.waitFor((text) => text.trimEnd().endsWith(shellPrompt.trim()), 'the shell prompt', 10_000);
		t.is(await terminal.format('#{alternate_on}'), '0', 'the alternate screen is left');
		t.is(await terminal.format('#{cursor_flag}'), '1', 'the cursor is visible');
		t.false(screen.includes('Queue'), 'no leftover frame on the normal screen');
		await terminal.command('echo "exit=$?"');
		await terminal.waitFor((text) => text.includes('exit=0'), 'exit code 0');
	});
}

test.serial('a resize re-lays out: small terminals get tabs, wide ones side-by-side panes', async (t) => {
	const terminal = await launch(t, 200, 60);
	await terminal.press('s', (text) => text.includes(`synced +${jobs} new`), 'the sync');
	t.false((await terminal.screen()).includes('Tab switches'));
	await terminal.tmux('resize-window', '-t', 'main', '-x', '80', '-y', '24');
	let screen = await terminal.waitFor((text) => text.includes('Tab switches') && text.includes('of 60'), 'the small layout');
	t.true(lastUsedRow(screen) <= 22, 'the frame fits 24 rows');
	for (const line of screen.split('\n')) t.true([...line].length <= 80, line);
	await terminal.tmux('resize-window', '-t', 'main', '-x', '150', '-y', '40');
	screen = await terminal.waitFor((text) => !text.includes('Tab switches') && text.includes('Details') && text.includes('State'), 'the wide layout');
	t.true(lastUsedRow(screen) <= 38);
	await terminal.key('q');
	await terminal.waitFor((text) => text.trimEnd().endsWith(shellPrompt.trim()), 'the shell prompt');
	t.is(await terminal.format('#{alternate_on}'), '0');
});

test.serial('NO_COLOR: no colour codes reach the terminal; without it there are some', async (t) => {
	for (const noColor of [false, true]) {
		const terminal = await launch(t, 100, 30, noColor ? 'NO_COLOR=1' : '');
		await terminal.press('s', (text) => text.includes(`synced +${jobs} new`), 'the sync');
		const escapes = await terminal.screen({escapes: true});
		t.is(hasColour(escapes), !noColor, noColor ? 'NO_COLOR set: no colours' : 'colours by default');
		await terminal.key('q');
		await terminal.waitFor((text) => text.trimEnd().endsWith(shellPrompt.trim()), 'the shell prompt');
		await terminal.kill();
	}
});

test.serial('SIGTERM while running: the terminal is restored and the exit code says so', async (t) => {
	const terminal = await launch(t, 80, 24);
	await terminal.press('s', (text) => text.includes(`synced +${jobs} new`), 'the sync');
	const shell = await terminal.format('#{pane_pid}');
	const {execFileSync} = await import('node:child_process');
	const node = execFileSync('pgrep', ['-P', shell]).toString().trim().split('\n')[0]!;
	process.kill(Number(node), 'SIGTERM');
	await terminal.waitFor((text) => text.trimEnd().endsWith(shellPrompt.trim()), 'the shell prompt');
	t.is(await terminal.format('#{alternate_on}'), '0');
	t.is(await terminal.format('#{cursor_flag}'), '1');
	await terminal.command('echo "exit=$?"');
	await terminal.waitFor((text) => text.includes('exit=143'), 'exit code 143 (128 + SIGTERM)');
});

/** The queue's selected row (on wide screens the jobs table has a marked row too). */
/** The queue pane's transfer rows, as drawn (the selected one starts with ›). */
function queueRows(screen: string): string[] {
	return screen.split('\n').filter((line) => /^[ ›] +(?:\S )?(?:active|queued|held|paused|failed|canceled) /.test(line));
}

function selectedLine(screen: string): string {
	return queueRows(screen).find((line) => line.startsWith('›')) ?? '';
}

function selectedFile(screen: string): string {
	return /\S+\.(?:png|webp|jpg|mp4)\b/.exec(selectedLine(screen))?.[0] ?? '';
}

/** Any SGR that sets a foreground or background colour (30-37, 38, 40-47, 48, 90-97, 100-107). */
function hasColour(screen: string): boolean {
	for (const match of screen.matchAll(/\u001B\[([\d;]*)m/g)) {
		for (const parameter of match[1]!.split(';').map(Number)) {
			if ((parameter >= 30 && parameter <= 38) || (parameter >= 40 && parameter <= 48) || (parameter >= 90 && parameter <= 97) || (parameter >= 100 && parameter <= 107)) return true;
		}
	}
	return false;
}
