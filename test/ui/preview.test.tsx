/**
 * Pictures outside Ink's text: sixel and iTerm2 escapes (and half-block rows,
 * each at its own line) are drawn at the cell
 * where their box sits in the laid-out frame, with the cursor saved and
 * restored, after the frame and again after later frames; kitty images are
 * sent once and deleted on close; a box whose picture goes away stops being
 * drawn over and its blanks leave the frame (so Ink rewrites those lines).
 */
import {EventEmitter} from 'node:events';
import React from 'react';
import {Box, Text} from 'ink';
import {render} from 'ink-testing-library';
import test from 'ava';
import type {JobFile} from '../../source/core/archive/images.js';
import type {PreviewPicture} from '../../source/core/preview/picture.js';
import {FramePacer} from '../../source/ui/frame-pacer.js';
import {PreviewBox} from '../../source/ui/details/preview-box.js';
import {previewLayout, previewFiles} from '../../source/ui/details/use-preview.js';
import type {PreviewSlot} from '../../source/ui/details/use-preview.js';
import {TerminalGraphics, type GraphicsOutput, type Overlay} from '../../source/ui/terminal-graphics.js';
import {themeFor} from '../../source/ui/theme.js';

const file = (index: number, variant = 'png'): JobFile => ({id: index + 1, index, variant, url: '', path: `images/a_${index}.png`, bytes: 1, totalBytes: 1, sha256: 'ab', status: 'done', attempts: 1, lastError: null});

/** A terminal stream that records what reaches it. */
function recordingStdout() {
	const stream = new EventEmitter() as EventEmitter & {written: string; write(text: string): boolean; columns: number; rows: number};
	stream.written = '';
	stream.write = (text: string) => {
		stream.written += text;
		return true;
	};
	stream.columns = 80;
	stream.rows = 24;
	return stream;
}

async function until(predicate: () => boolean, what: string): Promise<void> {
	const deadline = Date.now() + 10_000;
	while (!predicate()) {
		if (Date.now() > deadline) throw new Error(`never: ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

test('overlays are drawn at their cell after the frame, cursor saved and restored, and again after a later frame', async (t) => {
	const stdout = recordingStdout();
	const frames = new FramePacer(stdout as unknown as NodeJS.WriteStream);
	const graphics = new TerminalGraphics(frames, stdout);
	frames.stream.write('frame one');
	graphics.setOverlays([{escape: '<SIXEL>', locate: () => ({column: 4, row: 2})}]);
	const drawn = '\u001B7\u001B[3;5H<SIXEL>\u001B8';
	await until(() => stdout.written.includes(drawn), 'the picture drawn');
	t.true(stdout.written.indexOf('frame one') < stdout.written.indexOf(drawn), 'the frame goes out first');
	const before = stdout.written.length;
	frames.stream.write('frame two');
	await until(() => stdout.written.slice(before).includes(drawn), 'the picture drawn again over the new frame');
	t.true(stdout.written.slice(before).indexOf('frame two') < stdout.written.slice(before).indexOf(drawn));

	// Half-block rows: each row at its own line under the first, in the same write.
	graphics.setOverlays([{escape: ['AB', 'CD'], locate: () => ({column: 4, row: 2})}]);
	await until(() => stdout.written.includes('\u001B7\u001B[3;5HAB\u001B[4;5HCD\u001B8'), 'the rows drawn one under the other');

	// A box off screen is not drawn; no overlays: nothing drawn after frames.
	graphics.setOverlays([{escape: '<GONE>', locate: () => undefined}]);
	graphics.setOverlays([]);
	const after = stdout.written.length;
	frames.stream.write('frame three');
	await until(() => stdout.written.includes('frame three'), 'the frame');
	await new Promise((resolve) => setTimeout(resolve, 300));
	t.false(stdout.written.slice(after).includes('\u001B7'), 'nothing drawn once no picture is wanted');

	graphics.transmit(7, '<SEND 7>', '<DELETE 7>');
	graphics.transmit(7, '<SEND 7>', '<DELETE 7>');
	graphics.transmit(8, '<SEND 8>', '<DELETE 8>');
	t.is(stdout.written.split('<SEND 7>').length, 2, 'a kitty image is sent once');
	t.is(graphics.close(), '<DELETE 7><DELETE 8>', 'closing deletes every image sent');
});

test('a new picture is drawn after the next frame even while frames keep coming (scrolling)', async (t) => {
	const stdout = recordingStdout();
	const frames = new FramePacer(stdout as unknown as NodeJS.WriteStream);
	const graphics = new TerminalGraphics(frames, stdout);
	t.teardown(() => graphics.close());
	// Frames every 20 ms, never a quiet stretch: only a draw tied to the frame can show the picture.
	let frame = 0;
	const ticker = setInterval(() => frames.stream.write(`frame ${frame++}`), 20);
	t.teardown(() => clearInterval(ticker));
	await until(() => stdout.written.includes('frame 1'), 'frames going out');
	graphics.setOverlays([{escape: ['NEW'], locate: () => ({column: 0, row: 0})}]);
	await until(() => stdout.written.includes('\u001B[1;1HNEW'), 'the new picture drawn between frames');
	t.regex(stdout.written, /frame \d+\u001B7\u001B\[1;1HNEW\u001B8/, 'right after a frame, cursor saved and restored');
});

/** Records what a PreviewBox asks of the terminal. */
function recordingGraphics() {
	const calls: {overlays: Overlay[][]; sent: number[]} = {overlays: [], sent: []};
	const graphics: GraphicsOutput = {
		transmit: (id) => calls.sent.push(id),
		setOverlays: (overlays) => calls.overlays.push(overlays),
	};
	return {graphics, calls};
}

test('a sixel/iTerm2 picture reserves blank cells and is located where the box is laid out; without it the blanks go', async (t) => {
	const {graphics, calls} = recordingGraphics();
	const picture: PreviewPicture = {kind: 'overlay', columns: 6, rows: 2, escape: '<PIC>', bytes: 5};
	const slots: PreviewSlot[] = [{file: file(0), box: {columns: 6, rows: 2}, result: {picture, from: 'file'}}];
	const view = (shown: PreviewSlot[]) => (
		<Box flexDirection="column">
			<Text>title</Text>
			<Text>field</Text>
			<Box paddingLeft={7}>
				<PreviewBox slots={shown} rows={2} width={40} theme={themeFor({})} graphics={graphics} />
			</Box>
		</Box>
	);
	const app = render(view(slots));
	await until(() => calls.overlays.some((list) => list.length === 1), 'the overlay handed over');
	const overlay = calls.overlays.findLast((list) => list.length === 1)![0]!;
	t.is(overlay.escape, '<PIC>');
	t.deepEqual(overlay.locate(), {column: 7, row: 2});
	const frame = app.lastFrame()!;
	t.is(frame.split('\n')[2], `       ${'\u2800'.repeat(6)}`, 'blank cells under the picture, kept (not trimmed) so Ink rewrites them when they change');

	app.rerender(view([{...slots[0]!, box: {columns: 30, rows: 2}, result: {message: 'no thumbnail: offline'}}]));
	await until(() => calls.overlays.at(-1)!.length === 0, 'the overlay withdrawn');
	t.false(app.lastFrame()!.includes('\u2800'));
	t.true(app.lastFrame()!.includes('#0 no thumbnail: offline'), 'the reason instead of the picture');

	const kitty: PreviewPicture = {kind: 'lines', columns: 2, rows: 1, lines: ['ab'], kitty: {imageId: 99, setup: 's', teardown: 'd'}, bytes: 1};
	app.rerender(view([{...slots[0]!, result: {picture: kitty, from: 'file'}}]));
	await until(() => calls.sent.includes(99), 'the kitty image sent');
	app.unmount();
});

test('half blocks stay out of the frame: Ink lays out blanks, and the rows are handed over to be drawn where the box is', async (t) => {
	const {graphics, calls} = recordingGraphics();
	const lines = ['\u001B[38;2;1;2;3;48;2;4;5;6m▀▀▀\u001B[0m', '\u001B[38;2;7;8;9;48;2;1;1;1m▀▀▀\u001B[0m'];
	const picture: PreviewPicture = {kind: 'overlay-rows', columns: 3, rows: 2, lines, bytes: lines.join('').length};
	const app = render(
		<Box flexDirection="column">
			<Text>title</Text>
			<Box paddingLeft={2}>
				<PreviewBox slots={[{file: file(0), box: {columns: 3, rows: 2}, result: {picture, from: 'file'}}]} rows={2} width={20} theme={themeFor({})} graphics={graphics} />
			</Box>
		</Box>,
	);
	await until(() => calls.overlays.some((list) => list.length === 1), 'the overlay handed over');
	const overlay = calls.overlays.findLast((list) => list.length === 1)![0]!;
	t.is(overlay.escape, lines, 'the rows encoded once, handed over as they are');
	t.deepEqual(overlay.locate(), {column: 2, row: 1});
	t.false(app.lastFrame()!.includes('▀'), 'no half block in the frame Ink diffs');
	t.deepEqual(app.lastFrame()!.split('\n').slice(1, 3), ['  \u2800\u2800\u2800', '  \u2800\u2800\u2800']);
	app.unmount();
	await until(() => calls.overlays.at(-1)!.length === 0, 'the overlay withdrawn on unmount');
});

test('a grid goes side by side when each picture gets 16 columns, else the selected one alone; a job without rows gets one per batch slot', (t) => {
	const grid = [file(0), file(1), file(2), file(3), {...file(0, 'mp4'), id: 9}];
	t.deepEqual(
		previewLayout(grid, 0, {columns: 79, rows: 10}, true).map((slot) => [slot.file.index, slot.box.columns]),
		[[0, 19], [1, 19], [2, 19], [3, 19]],
		'videos are not pictures; four of 19 columns with a gap between',
	);
	t.deepEqual(previewLayout(grid, 2, {columns: 60, rows: 10}, true).map((slot) => [slot.file.index, slot.box.columns]), [[2, 60]]);
	t.deepEqual(previewLayout(grid, 4, {columns: 60, rows: 10}, false).map((slot) => slot.file.variant), ['png'], 'a selected video shows its still');
	const planned = previewFiles({batchSize: 2} as never, []);
	t.deepEqual(planned.map((entry) => [entry.index, entry.status, entry.path]), [[0, 'not planned', null], [1, 'not planned', null]]);
});
