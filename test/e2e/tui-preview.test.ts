/**
 * Pictures in a real terminal: the installed binary (`--demo`) in tmux, which
 * gets half blocks (tmux 3.3 draws no sixel, and kitty graphics would need
 * passthrough). The details pane shows the downloaded job's pictures, cell by
 * cell the colours of the file on disk (read back with capture-pane -e); a job
 * not downloaded shows the CDN's thumbnail, and one whose thumbnail fails says
 * so; `v` is full-screen and Esc returns; leaving the pane or quitting leaves
 * no picture behind.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import {jobId} from '../../fixtures/jobs.js';
import {makePicture} from '../../source/core/preview/picture.js';
import {defaultCellPixels} from '../../source/core/preview/renderers.js';
import {readArchiveDb} from '../helpers/archive-db.js';
import {builtBin, runBin, sandbox} from '../helpers/cli-io.js';
import {shellPrompt, TmuxTerminal} from '../helpers/ui-tmux.js';

const jobs = 12;
// The third newest job's thumbnail fails: its preview must say why.
const faults = JSON.stringify([{kind: 'server-error', status: 500, route: 'cdn', pathIncludes: `${jobId(2)}/0_0_384_N.webp`}]);

test.before(() => {
	if (!fs.existsSync(builtBin)) throw new Error(`${builtBin} is missing: npm test builds it (npm run build)`);
});

async function launch(t: {teardown(fn: () => unknown): void}, columns: number, rows: number) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-tui-preview-'));
	const terminal = await TmuxTerminal.start(columns, rows);
	t.teardown(async () => {
		await terminal.kill();
		fs.rmSync(dir, {recursive: true, force: true});
	});
	await terminal.command(
		`cd ${dir} && env -u FORCE_COLOR -u NO_COLOR -u CI -u CONTINUOUS_INTEGRATION TZ=UTC MJ_TUI_DEMO_JOBS=${jobs} MJ_TUI_DEMO_FAULTS='${faults}' node ${builtBin} --demo --archive ${dir}/archive --concurrency 2`,
	);
	await terminal.waitFor((screen) => screen.includes('sync idle'), 'the app to start');
	await terminal.press('s', (text) => text.includes(`synced +${jobs} new`), 'the sync');
	return {terminal, archive: path.join(dir, 'archive')};
}

type Rgb = [number, number, number];
interface Cell {
	column: number;
	top: Rgb;
	bottom: Rgb;
}

/** The half-block cells of each screen line as tmux holds them (capture-pane -e), with their column. */
function halfBlockCells(screen: string): Cell[][] {
	return screen.split('\n').map((line) => {
		const cells: Cell[] = [];
		let fg: Rgb = [-1, -1, -1];
		let bg: Rgb = [-1, -1, -1];
		let column = 0;
		for (const token of line.matchAll(/\u001B\[([\d;]*)m|[^\u001B]/gu)) {
			if (token[1] === undefined) {
				if (token[0] === '▀') cells.push({column, top: fg, bottom: bg});
				column++;
				continue;
			}
			const codes = token[1].split(';').map(Number);
			for (let index = 0; index < codes.length; index++) {
				if ((codes[index] === 38 || codes[index] === 48) && codes[index + 1] === 2) {
					const rgb = codes.slice(index + 2, index + 5) as Rgb;
					if (codes[index] === 38) fg = rgb;
					else bg = rgb;
					index += 4;
				}
			}
		}
		return cells;
	});
}

/** The first picture on screen: the first run of adjacent half-block cells on each line, from its first line on. */
function firstPicture(screen: string): Cell[][] {
	const lines = halfBlockCells(screen).filter((cells) => cells.length > 0);
	return lines.map((cells) => cells.filter((cell, index) => index === 0 || cells.slice(0, index + 1).every((previous, at) => at === 0 || previous.column === cells[at - 1]!.column + 1)));
}

const colourful = (screen: string) => halfBlockCells(screen).flat().length > 0 && /\u001B\[[\d;]*38;2;/.test(screen);

test.serial('200x60: the downloaded job’s pictures in 24-bit half blocks, the thumbnail of one not downloaded, a failed thumbnail explained, v full-screen and back, nothing left on quit', async (t) => {
	const {terminal, archive} = await launch(t, 200, 60);
	await terminal.press('d', (text) => /Files \(4\/4 done\)/.test(text), 'the newest job downloaded', 30_000);
	// A picture in the box: the CDN thumbnail shown before the download, or already the file's (same box).
	const box = firstPicture(await waitForEscapes(terminal, (text) => firstPicture(text).length > 0, 'the picture'));

	// The first picture becomes file #0 on disk, cell by cell (it is made at low priority once the download is recorded).
	const file = readArchiveDb(archive, (db) => db.prepare('SELECT path FROM images WHERE job_id = ? AND idx = 0').pluck().get(jobId(0)) as string);
	const expected = await makePicture(path.join(archive, file), {columns: box[0]!.length, rows: box.length}, {renderer: 'blocks', colour: 'truecolor', tmux: true, cell: defaultCellPixels, reason: ''}, 'x');
	t.is(expected.kind, 'overlay-rows');
	if (expected.kind !== 'overlay-rows') return;
	const wanted = expected.lines.map((line) => halfBlockCells(line)[0]!.map(({top, bottom}) => ({top, bottom})));
	const colours = (cells: Cell[][]) => JSON.stringify(cells.map((row) => row.map(({top, bottom}) => ({top, bottom}))));
	const escapes = await waitForEscapes(terminal, (text) => colours(firstPicture(text)) === JSON.stringify(wanted), 'the downloaded file’s picture');
	t.true(colourful(escapes), 'cells carry 24-bit colours');
	const picture = firstPicture(escapes);
	t.deepEqual([expected.columns, expected.rows], [picture[0]!.length, picture.length], 'the picture fills the box it was given');
	t.deepEqual(
		picture.map((cells) => cells.map(({top, bottom}) => ({top, bottom}))),
		wanted,
		'each cell shows the averaged pixels of the downloaded file',
	);
	// The grid's four images sit side by side (they arrive one after another).
	await waitForEscapes(terminal, (text) => halfBlockCells(text).some((cells) => cells.length >= 4 * picture[0]!.length), 'four pictures side by side');

	// The next job is not downloaded: its thumbnail comes from the CDN.
	await terminal.key('j');
	await waitForEscapes(terminal, (text) => text.includes(jobId(1)) && firstPicture(text).length > 0 && JSON.stringify(firstPicture(text)) !== JSON.stringify(picture), 'the thumbnail of the next job');
	// The one after: its thumbnail fails, and the pane says so instead of a picture.
	// (The message wraps inside its picture's box.)
	let screen = await terminal.press('j', (text) => text.includes(jobId(2)) && text.includes('no thumbnail:') && text.includes('HTTP 500'), 'the failed thumbnail explained');
	t.true(screen.includes('#0 not downloaded'));

	// Full-screen and back.
	await terminal.key('k');
	await terminal.key('k');
	await waitForEscapes(terminal, (text) => text.includes(jobId(0)) && firstPicture(text).length > 0, 'the first job again');
	screen = await terminal.press('v', (text) => text.includes(' Picture ') && text.includes('image 1 of 4'), 'the full-screen picture');
	const full = await waitForEscapes(terminal, (text) => firstPicture(text).length > picture.length, 'the picture at full size');
	t.true(firstPicture(full).length > picture.length * 2, 'full-screen is much larger than the preview');
	screen = await terminal.press(']', (text) => text.includes('image 2 of 4'), 'the next image');
	screen = await terminal.press('Escape', (text) => text.includes(' Jobs ') && !text.includes(' Picture '), 'the panes again');
	t.true(screen.includes('Files (4/4 done)'));

	await terminal.key('q');
	screen = await terminal.waitFor((text) => text.trimEnd().endsWith(shellPrompt.trim()), 'the shell prompt', 10_000);
	t.is(await terminal.format('#{alternate_on}'), '0');
	t.false(screen.includes('▀'), 'no picture left on the normal screen');
});

test.serial('80x24: the details pane shows the picture; the queue pane does not, and no cell of it is left behind', async (t) => {
	const {terminal} = await launch(t, 80, 24);
	await terminal.press('d', (text) => /queued 4 files/.test(text), 'the download');
	await terminal.press('Enter', (text) => text.includes('Params'), 'the details pane');
	const escapes = await waitForEscapes(terminal, (text) => /Files \(4\/4 done\)/.test(text) && firstPicture(text).length >= 4, 'the picture', 30_000);
	t.true(colourful(escapes));
	const screen = await terminal.press('Tab', (text) => text.includes('State') && !text.includes('Params'), 'the queue pane');
	t.false(screen.includes('▀'), `no half block outside the details pane:\n${screen}`);
	await terminal.press('BTab', (text) => text.includes('Params') && text.includes('▀'), 'the details again, with the picture');
});

test('a bad --preview is a usage error (64) naming the flag and the choices; a bad preview in a config file is 78 naming the file', async (t) => {
	const box = sandbox();
	const flag = await runBin(['--preview', 'ascii'], {cwd: box.project, env: box.env});
	t.is(flag.code, 64);
	t.regex(flag.stderr, /--preview must be one of auto, kitty, iterm, sixel, blocks, off; got "ascii"/);
	const file = path.join(box.userConfigDir, 'config.yaml');
	fs.writeFileSync(file, 'preview: chafa\n');
	const config = await runBin(['config', 'show'], {cwd: box.project, env: box.env});
	t.is(config.code, 78);
	t.true(config.stderr.includes(file), config.stderr);
	t.regex(config.stderr, /preview.*must be one of auto, kitty, iterm, sixel, blocks, off; got "chafa"/);
});

async function waitForEscapes(terminal: TmuxTerminal, predicate: (screen: string) => boolean, what: string, timeoutMs = 15_000): Promise<string> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const screen = await terminal.screen({escapes: true});
		if (predicate(screen)) return screen;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${await terminal.screen()}`);
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}
