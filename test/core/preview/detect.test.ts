/**
 * Choosing the renderer: a fake terminal answers the queries through a
 * stream (as a pty would deliver them, split across reads), and the
 * environment fills in what the answers do not say.
 */
import {PassThrough} from 'node:stream';
import test from 'ava';
import {chooseRenderer, kittyQuery, queryTerminal, type TerminalInput} from '../../../source/core/preview/detect.js';

/** A terminal that reads the questions and writes `answers` back in `pieces` reads; records raw mode. */
function fakeTerminal(answers: string, pieces = 1) {
	const input = new PassThrough() as PassThrough & TerminalInput;
	const rawModes: boolean[] = [];
	input.setRawMode = (raw: boolean) => {
		rawModes.push(raw);
		input.isRaw = raw;
	};
	let asked = '';
	const output = {
		write(text: string) {
			asked += text;
			const size = Math.ceil(answers.length / pieces);
			for (let offset = 0; offset < answers.length; offset += size) {
				const piece = answers.slice(offset, offset + size);
				setTimeout(() => input.write(piece), offset / size);
			}
		},
	};
	return {input, output, rawModes, asked: () => asked};
}

test('kitty answers the graphics query and DA1; the cell size is read; raw mode is restored', async (t) => {
	const terminal = fakeTerminal('\u001B_Gi=31;OK\u001B\\\u001B[6;18;9t\u001B[?62;22c', 4);
	const answers = await queryTerminal(terminal.input, terminal.output, 5000);
	t.true(terminal.asked().startsWith(kittyQuery));
	t.true(terminal.asked().endsWith('\u001B[c'), 'DA1 goes last: its answer ends the wait');
	t.deepEqual(answers, {kittyGraphics: true, sixel: false, cell: {width: 9, height: 18}, answered: true});
	t.deepEqual(terminal.rawModes, [true, false]);
	const choice = chooseRenderer('auto', {TERM: 'xterm-kitty'}, answers);
	t.is(choice.renderer, 'kitty');
	t.deepEqual(choice.cell, {width: 9, height: 18});
});

test('a sixel terminal (DA1 with 4) gets sixel; the wait ends with DA1, not the timeout', async (t) => {
	const terminal = fakeTerminal('\u001B[?63;1;2;4;6;9;15;22c');
	// A timeout far beyond the test's own: only the DA1 answer can end this in time.
	const answers = await queryTerminal(terminal.input, terminal.output, 600_000);
	t.like(answers, {kittyGraphics: false, sixel: true});
	t.is(chooseRenderer('auto', {TERM: 'xterm-256color'}, answers).renderer, 'sixel');
});

test('a terminal that answers nothing: the timeout ends the wait and half blocks are chosen', async (t) => {
	const terminal = fakeTerminal('');
	const answers = await queryTerminal(terminal.input, terminal.output, 50);
	t.false(answers.answered);
	const choice = chooseRenderer('auto', {TERM: 'xterm-256color'}, answers);
	t.is(choice.renderer, 'blocks');
	t.is(choice.colour, '256', 'without COLORTERM an xterm-256color gets the 256-colour fallback');
	t.regex(choice.reason, /did not answer/);
});

test('the environment decides what answers do not say', (t) => {
	const none = {kittyGraphics: false, sixel: false, answered: true};
	t.is(chooseRenderer('auto', {TERM_PROGRAM: 'iTerm.app'}, none).renderer, 'iterm');
	t.is(chooseRenderer('auto', {WEZTERM_PANE: '0', TERM: 'xterm-256color'}, none).renderer, 'iterm');
	t.is(chooseRenderer('auto', {KITTY_WINDOW_ID: '1', TERM: 'xterm-kitty'}).renderer, 'kitty');
	t.is(chooseRenderer('auto', {COLORTERM: 'truecolor', TERM: 'xterm-256color'}, none).colour, 'truecolor');
	// Konsole answers the kitty query but draws no Unicode placeholders.
	t.is(chooseRenderer('auto', {KONSOLE_VERSION: '230800'}, {...none, kittyGraphics: true, sixel: true}).renderer, 'sixel');
});

test('inside tmux: half blocks unless tmux itself draws sixel; a kitty answer is not trusted; kitty asked for is wrapped', (t) => {
	const env = {TMUX: '/tmp/tmux-0/default,1,0', TERM: 'tmux-256color', KITTY_WINDOW_ID: '3'};
	const blocks = chooseRenderer('auto', env, {kittyGraphics: true, sixel: false, answered: true});
	t.like(blocks, {renderer: 'blocks', tmux: true, colour: 'truecolor'});
	t.regex(blocks.reason, /tmux/);
	t.is(chooseRenderer('auto', env, {kittyGraphics: false, sixel: true, answered: true}).renderer, 'sixel');
	t.like(chooseRenderer('kitty', env), {renderer: 'kitty', tmux: true});
});

test('NO_COLOR turns auto off; a renderer asked for by name still works; off is off', (t) => {
	t.is(chooseRenderer('auto', {NO_COLOR: '1', KITTY_WINDOW_ID: '1'}).renderer, 'off');
	t.is(chooseRenderer('blocks', {NO_COLOR: '1'}).renderer, 'blocks');
	t.is(chooseRenderer('off', {KITTY_WINDOW_ID: '1'}).renderer, 'off');
});
