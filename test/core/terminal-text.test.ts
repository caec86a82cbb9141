/**
 * Text from the network reaches the terminal without its control sequences:
 * a prompt cannot move the cursor, retitle the window, set colours, plant a
 * hyperlink, hide text or reorder it, and plain text (any script, emoji, tabs
 * and line breaks) comes through exactly as it was.
 */
import test from 'ava';
import {stripTerminalControls, toSingleLine} from '../../source/core/terminal-text.js';

const ESC = '\u001B';
const BEL = '\u0007';
const ST = `${ESC}\\`;

test('plain text is untouched: scripts, emoji, combining marks, tabs and line breaks', (t) => {
	for (const text of ['a cat in a hat --ar 16:9 --v 7', 'Ångström über 東京 café — “quoted”', 'emoji 🐈‍⬛ 👩🏽‍🚀 and e\u0301', 'שלום עולם مرحبا', 'tab\there\nnext line', '']) {
		t.is(stripTerminalControls(text), text);
	}
});

test('CSI sequences go: colours, cursor moves, screen clears, private modes', (t) => {
	t.is(stripTerminalControls(`${ESC}[31mred${ESC}[0m alert`), 'red alert');
	t.is(stripTerminalControls(`${ESC}[2J${ESC}[Hclear ${ESC}[10;20Hmoved`), 'clear moved');
	t.is(stripTerminalControls(`${ESC}[?1049hscreen${ESC}[?25l`), 'screen');
	t.is(stripTerminalControls(`a${ESC}[38;2;255;0;0mb${ESC}[1 qc`), 'abc', '24-bit colour and an intermediate byte');
	t.is(stripTerminalControls(`tail ${ESC}[`), 'tail ', 'a sequence cut off at the end');
});

test('OSC sequences go with their payload, ended by BEL, ESC \\ or the 8-bit ST', (t) => {
	t.is(stripTerminalControls(`${ESC}]0;evil title${BEL}prompt`), 'prompt', 'window title');
	t.is(stripTerminalControls(`${ESC}]8;;https://evil.example${ST}click me${ESC}]8;;${ST}`), 'click me', 'hyperlink: the text stays, the link goes');
	t.is(stripTerminalControls(`${ESC}]52;c;ZXZpbA==${BEL}copy`), 'copy', 'clipboard write');
	t.is(stripTerminalControls(`${ESC}]0;title\u009Cvisible prompt`), 'visible prompt', 'the 8-bit ST ends it too: the text after it stays');
});

test('DCS, SOS, PM and APC strings go (kitty graphics, tmux passthrough)', (t) => {
	t.is(stripTerminalControls(`${ESC}Pq#0;2;0;0;0${ST}after sixel`), 'after sixel');
	t.is(stripTerminalControls(`${ESC}_Ga=T,f=100;AAAA${ST}after kitty`), 'after kitty');
	t.is(stripTerminalControls(`${ESC}Ptmux;${ESC}${ESC}]0;x${BEL}${ST}after tmux`), 'after tmux');
	t.is(stripTerminalControls(`${ESC}Xsos${ST}a${ESC}^pm${ST}b`), 'ab');
	t.is(stripTerminalControls(`${ESC}Pdata\u009Cafter`), 'after', 'ended by the 8-bit ST');
});

test('two-byte escapes, 8-bit C1 sequences and lone controls go', (t) => {
	t.is(stripTerminalControls(`${ESC}7saved${ESC}8 ${ESC}crest`), 'saved rest', 'save/restore cursor, full reset');
	t.is(stripTerminalControls('\u009B31mred\u009B0m'), 'red', '8-bit CSI');
	t.is(stripTerminalControls(`\u009D0;title${BEL}text`), 'text', '8-bit OSC');
	t.is(stripTerminalControls('\u0090data\u009Ctext'), 'text', '8-bit DCS');
	t.is(stripTerminalControls(`bell${BEL} back\bspace\rreturn\u007Fdel\u0000nul\u0085nel`), 'bell backspacereturndelnulnel');
	t.is(stripTerminalControls(`lone escape ${ESC}`), 'lone escape ');
});

test('bidi overrides and isolates that reorder what is seen go', (t) => {
	// The "Trojan Source" trick: RLO makes the text read backwards on screen.
	t.is(stripTerminalControls('file\u202Egnp.exe'), 'filegnp.exe');
	t.is(stripTerminalControls('\u202Aa\u202Bb\u202Cc\u202Dd\u2066e\u2067f\u2068g\u2069'), 'abcdefg');
});

test('toSingleLine: controls stripped, line breaks and whitespace runs folded to one space, ends trimmed', (t) => {
	t.is(toSingleLine(`  a cat\n\n in\ta ${ESC}[1mhat${ESC}[0m\r\n`), 'a cat in a hat');
	t.is(toSingleLine('line\u2028separator\u00A0nbsp'), 'line separator nbsp');
	t.is(toSingleLine(`${ESC}]0;only a title${BEL}`), '');
	t.is(toSingleLine('already one line'), 'already one line');
});
