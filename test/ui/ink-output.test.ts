/**
 * The installed app draws its frames with RowCachedOutput in place of Ink's
 * Output (scripts/bundle.mjs swaps it in). These tests pin the Ink file it
 * copies and check that both give the same bytes: on every frame of the real
 * app over a real archive (Ink's own Output is wrapped to compare each frame
 * it draws) and on made-up frames aimed at the edges (styles, wide
 * characters, clips, rows off the frame) drawn over several frames in a row,
 * so the rows kept from earlier frames are used.
 */
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import test from 'ava';
import {plainText, rowCachedOutput, type OutputLibraries} from '../../source/ui/ink-output/row-cached-output.js';
import {memoiseText} from '../../source/ui/ink-output/text-memo.js';
import {renderAppOnArchive} from '../helpers/app-on-archive.js';
import {keys, press, waitForFrame} from '../helpers/ui-testing.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// Ink as Node resolves it (node_modules may be a symlink; Ink's renderer imports the real path).
const inkDir = fs.realpathSync(path.join(root, 'node_modules/ink'));
const inkOutputFile = path.join(inkDir, 'build/output.js');

/** A package as Ink's output.js imports it: Ink's nested copy first (its versions differ from the app's). */
function inkDependency(name: string, entry: string): string {
	const nested = path.join(inkDir, 'node_modules', name, entry);
	return pathToFileURL(fs.existsSync(nested) ? nested : path.join(inkDir, '..', name, entry)).href;
}

interface OutputLike {
	operations: unknown[];
	write(x: number, y: number, text: string, options: {transformers: Array<(line: string, index: number) => string>}): void;
	clip(clip: {x1?: number; x2?: number; y1?: number; y2?: number}): void;
	unclip(): void;
	get(): {output: string; height: number};
}
type OutputClass = new (options: {width: number; height: number}) => OutputLike;

const InkOutput = ((await import(pathToFileURL(inkOutputFile).href)) as {default: OutputClass}).default;
const libraries: OutputLibraries = {
	sliceAnsi: ((await import(inkDependency('slice-ansi', 'index.js'))) as {default: OutputLibraries['sliceAnsi']}).default,
	stringWidth: ((await import(inkDependency('string-width', 'index.js'))) as {default: OutputLibraries['stringWidth']}).default,
	...((await import(inkDependency('@alcalzone/ansi-tokenize', 'build/index.js'))) as Pick<OutputLibraries, 'tokenize' | 'styledCharsFromTokens' | 'diffAnsiCodes' | 'ansiCodesToString'>),
};
const RowCachedOutput = rowCachedOutput(libraries) as unknown as OutputClass;

test('the swap is written against Ink 6.8.0: its output.js and the renderer that builds one per frame are the files it copies', (t) => {
	const {version} = JSON.parse(fs.readFileSync(path.join(inkDir, 'package.json'), 'utf8')) as {version: string};
	const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(path.join(inkDir, 'build', file))).digest('hex');
	// If this fails, Ink changed: compare the new output.js with row-cached-output.ts, then update the hashes and bundle.mjs's version check.
	t.is(version, '6.8.0');
	t.is(sha256('output.js'), 'de9078c7fc647c40cf9e32d6658fcbbee91dae9e3f6334e5f4ebfc5905fc401d');
	t.is(sha256('renderer.js'), '9e72b27731c38daac7e9f978e24f7bf1210c5cc26bf973e30f08c3ad4a9fe374');
});

test('the installed bundle draws with the row-caching Output, fed Ink\'s own string-width and slice-ansi', (t) => {
	const chunks = path.join(root, 'dist/bin/chunks');
	if (!fs.existsSync(chunks)) return t.fail('dist/bin is missing: run npm run build first');
	const mount = fs.readdirSync(chunks).find((file) => file.startsWith('mount-'));
	t.truthy(mount);
	const text = fs.readFileSync(path.join(chunks, mount!), 'utf8');
	const call = /var output_default = rowCachedOutput\(\{ sliceAnsi(\d*), stringWidth: (stringWidth\d*),/.exec(text);
	t.truthy(call, 'Ink\'s output.js in the bundle is the swapped one');
	// esbuild heads each bundled file's code with its path: the functions passed must come from Ink's nested packages.
	const origin = (name: string) => {
		const at = text.indexOf(`\nfunction ${name}(`);
		const header = text.lastIndexOf('\n// ', at);
		return text.slice(header + 4, text.indexOf('\n', header + 1));
	};
	t.regex(origin(`sliceAnsi${call![1]}`), /node_modules\/ink\/node_modules\/slice-ansi\//);
	t.regex(origin(call![2]!), /node_modules\/ink\/node_modules\/string-width\//);
});

test('Ink\'s widest-line is the memoised one in the bundle, and the memo answers as widest-line does while staying bounded', async (t) => {
	const text = fs.readFileSync(path.join(root, 'dist/bin/chunks', fs.readdirSync(path.join(root, 'dist/bin/chunks')).find((file) => file.startsWith('mount-'))!), 'utf8');
	t.regex(text, /\/\/ ink-widest-line:[^\n]*node_modules\/ink\/build\nvar \w+ = memoiseText\(widestLine\d*, 4096\);/);

	const widestLine = ((await import(inkDependency('widest-line', 'index.js'))) as {default: (text: string) => number}).default;
	let computed = 0;
	const memoised = memoiseText((line: string) => {
		computed++;
		return widestLine(line);
	}, 4);
	const lines = ['plain', '日本語\nab', '\u001B[31mred\u001B[39m', 'emoji 🎨', '', 'x\ny\nlongest line'];
	for (const line of lines) t.is(memoised(line), widestLine(line), JSON.stringify(line));
	t.is(computed, lines.length);
	// Asked again at once: remembered.
	for (const line of lines.slice(-4)) t.is(memoised(line), widestLine(line));
	t.is(computed, lines.length);
	// Ten generations of new strings later, the first ones are computed again: old strings are let go.
	for (let index = 0; index < 40; index++) memoised(`filler ${index}`);
	memoised(lines[0]!);
	t.is(computed, lines.length + 41);
});

test('Yoga\'s WebAssembly is decoded in the bundle without fetch, which would load Node\'s undici before the first frame', (t) => {
	const chunks = path.join(root, 'dist/bin/chunks');
	const text = fs.readFileSync(path.join(chunks, fs.readdirSync(chunks).find((file) => file.startsWith('mount-'))!), 'utf8');
	// Yoga's loader for the wasm bytes: its fetch branch is dead, its base64 branch (wa) taken.
	t.regex(text, /function ya\(\) \{\n\s*return true \? Promise\.resolve\(\)\.then\(function\(\) \{\n\s*return wa\(\);/);
});

test('the characters whose tokens the row cache builds itself are, to ansi-tokenize, one grapheme and one cell each, next to each other too', async (t) => {
	const {tokenize} = (await import(inkDependency('@alcalzone/ansi-tokenize', 'build/index.js'))) as {tokenize: (text: string) => Array<{type: string; value?: string; fullWidth?: boolean}>};
	const characters: string[] = [];
	for (let code = 0; code <= 0xffff; code++) {
		const character = String.fromCharCode(code);
		if (plainText.test(character)) characters.push(character);
	}
	t.true(characters.length > 95 + 128, `${characters.length} characters`);
	for (const character of characters) t.deepEqual(tokenize(character), [{type: 'char', value: character, fullWidth: false}], JSON.stringify(character));
	// All of them in a row, forwards and backwards: still one token per character.
	for (const line of [characters.join(''), [...characters].reverse().join('')]) {
		t.deepEqual(tokenize(line), [...line].map((value) => ({type: 'char', value, fullWidth: false})));
	}
	t.false(plainText.test('e\u0301'), 'a combining mark is not plain');
	t.false(plainText.test('\u001B]8;;x\u0007'), 'escapes other than SGR codes are not plain');
});

/** Draw the same operations with both classes; the frame strings must be equal. */
function drawBoth(width: number, height: number, draw: (output: OutputLike) => void, cached = new RowCachedOutput({width, height})) {
	const ink = new InkOutput({width, height});
	draw(ink);
	draw(cached);
	return {ink: ink.get(), ours: cached.get()};
}

const red = (text: string) => `\u001B[31m${text}\u001B[39m`;
const bold = (text: string) => `\u001B[1m${text}\u001B[22m`;
const inverse = (text: string) => `\u001B[7m${text}\u001B[27m`;
const link = (text: string) => `\u001B]8;;https://example.com\u0007${text}\u001B]8;;\u0007`;

test('made-up frames at the edges, drawn several times over with some rows changing, come out byte for byte as Ink draws them', (t) => {
	const width = 40;
	const height = 12;
	const upper = (line: string) => line.toUpperCase();
	const numbered = (line: string, index: number) => `${index}${line}`;
	let compared = 0;
	for (let frame = 0; frame < 6; frame++) {
		const moving = frame % 3;
		const {ink, ours} = drawBoth(width, height, (output) => {
			output.write(0, 0, `╭${'─'.repeat(width - 2)}╮`, {transformers: []});
			output.write(2, 1 + moving, inverse(`row ${moving} ${red('selected')} ${bold('bold')}`), {transformers: []});
			output.write(2, 4, `${red('red then')} ${bold(red('bold red'))} plain`, {transformers: [upper]});
			output.write(0, 5, '日本語の文字 and emoji 🎨 wide', {transformers: []});
			output.write(30, 5, red('overwrites the wide tail'), {transformers: []});
			output.write(1, 6, `multi\nline ${link('link')}\ntext`, {transformers: [numbered]});
			output.clip({x1: 5, x2: 15, y1: 8, y2: 10});
			output.write(2, 7, `${red('clipped on every side')}\nsecond ${bold('clipped')} line\nthird\nfourth\nfifth`, {transformers: []});
			output.write(50, 8, 'right of the clip', {transformers: []});
			output.unclip();
			output.clip({x1: 0, x2: width});
			output.write(-3, 11, `${red('starts left of the frame')} ${frame}`, {transformers: []});
			output.unclip();
			output.write(35, 3, 'runs past the right edge', {transformers: []});
			output.write(0, -1, 'above the frame\nstill above: Ink does not move on', {transformers: []});
			output.write(0, 11, 'last row\nbelow the frame', {transformers: []});
			output.write(20, 9, `│ ${inverse(`› ${red('✓ 4/4')} · …`)}\u001B[m ↓ ─ ✗ – —`, {transformers: []});
			// Styles that share an end code (bold, dim), 256 and true colours, the same styles opened in another order, one style after another.
			output.write(0, 10, `\u001B[1m\u001B[2mbold dim\u001B[22m \u001B[38;5;208m256\u001B[48;2;1;2;3mtrue bg\u001B[49m\u001B[39m ${bold(red('a'))}${red(bold('b'))} ${red('r')}\u001B[32mg\u001B[39m${bold('b')}`, {transformers: []});
			output.write(0, 2, '', {transformers: []});
		});
		t.is(ours.output, ink.output, `frame ${frame}`);
		t.is(ours.height, ink.height);
		compared++;
	}
	t.is(compared, 6);
});

test('every frame of the app over a real archive, scrolled, searched, with help open, is the frame Ink\'s own Output draws', async (t) => {
	// Ink's renderer builds its Output from this same module: wrap its get() to draw each frame both ways.
	const stockGet = InkOutput.prototype.get;
	const mismatches: string[] = [];
	let frames = 0;
	InkOutput.prototype.get = function (this: OutputLike) {
		const stock = stockGet.call(this);
		const ours = new RowCachedOutput({width: (this as unknown as {width: number}).width, height: (this as unknown as {height: number}).height});
		ours.operations = this.operations;
		const drawn = ours.get();
		frames++;
		if (drawn.output !== stock.output || drawn.height !== stock.height) mismatches.push(`ink:\n${stock.output}\nours:\n${drawn.output}`);
		return stock;
	};
	t.teardown(() => {
		InkOutput.prototype.get = stockGet;
	});

	const {app} = renderAppOnArchive(t, {columns: 160, rows: 40, jobs: 300});
	await waitForFrame(app.lastFrame, (frame) => frame.includes('Jobs'));
	for (let step = 0; step < 12; step++) await press(app, 'j');
	await press(app, keys.pageDown);
	await press(app, 'G');
	await press(app, 'g');
	await press(app, keys.tab);
	await press(app, '?');
	await press(app, keys.escape);
	await press(app, '/');
	for (const letter of 'cat') await press(app, letter);
	await press(app, keys.escape);
	t.true(frames >= 20, `${frames} frames compared`);
	t.deepEqual(mismatches.slice(0, 1), []);
});
