/**
 * The encoders, checked against what a terminal would decode: the kitty and
 * iTerm2 payloads are base64-decoded and read back to pixels with sharp, the
 * sixel stream is parsed back to palette and pixels, and half-block rows are
 * read back to the colours of their cells.
 */
import test from 'ava';
import sharp from 'sharp';
import {halfBlockLines, nearest256} from '../../../source/core/preview/half-blocks.js';
import {itermInlineImage} from '../../../source/core/preview/iterm.js';
import {kittyDelete, kittyPlaceholderLines, kittyTransmit, tmuxPassthrough} from '../../../source/core/preview/kitty.js';
import {boxAverage, fitCells, makePicture} from '../../../source/core/preview/picture.js';
import {defaultCellPixels, type RendererChoice, type RgbImage} from '../../../source/core/preview/renderers.js';
import {encodeSixel} from '../../../source/core/preview/sixel.js';

/** A deterministic picture with smooth gradients and hard edges. */
function testImage(width: number, height: number): RgbImage {
	const data = new Uint8Array(width * height * 3);
	for (let y = 0; y < height; y++) {
		for (let x = 0; x < width; x++) {
			const offset = (y * width + x) * 3;
			data[offset] = Math.round((x / (width - 1)) * 255);
			data[offset + 1] = Math.round((y / (height - 1)) * 255);
			data[offset + 2] = (x >> 3) % 2 === (y >> 3) % 2 ? 200 : 30;
		}
	}
	return {width, height, data};
}

async function pngOf(image: RgbImage): Promise<Buffer> {
	return sharp(Buffer.from(image.data), {raw: {width: image.width, height: image.height, channels: 3}}).png().toBuffer();
}

async function decodePixels(file: Buffer): Promise<RgbImage> {
	const {data, info} = await sharp(file).removeAlpha().raw().toBuffer({resolveWithObject: true});
	return {width: info.width, height: info.height, data};
}

test('kitty: the chunks reassemble to the PNG sent, with a virtual placement of the asked cells; delete and tmux wrapping', async (t) => {
	const image = testImage(300, 200);
	// Noise does not compress: the PNG needs several 4096-byte chunks.
	let seed = 12345;
	for (let index = 0; index < image.data.length; index++) {
		seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
		image.data[index] = seed >>> 24;
	}
	const png = await pngOf(image);
	const escapes = kittyTransmit(png, {imageId: 4242, columns: 30, rows: 10});
	t.true(escapes.length > 2, 'large pictures go in several chunks');
	let payload = '';
	escapes.forEach((escape, index) => {
		const match = /^\u001B_G([^;]*);([A-Za-z\d+/=]*)\u001B\\$/.exec(escape);
		t.truthy(match, `chunk ${index} is one APC`);
		const control = Object.fromEntries(match![1]!.split(',').map((pair) => pair.split('=')));
		t.is(control['m'], index === escapes.length - 1 ? '0' : '1', 'm=1 until the last chunk');
		t.true(match![2]!.length <= 4096);
		if (index === 0) t.like(control, {a: 'T', U: '1', f: '100', i: '4242', c: '30', r: '10', q: '2'});
		else t.deepEqual(Object.keys(control), ['m'], 'later chunks carry only m');
		payload += match![2];
	});
	const decoded = await decodePixels(Buffer.from(payload, 'base64'));
	t.deepEqual(decoded, {...image, data: Buffer.from(image.data)}, 'the terminal gets exactly the pixels');

	const lines = kittyPlaceholderLines({imageId: 0x01_02_03, columns: 4, rows: 3});
	t.is(lines.length, 3);
	const placeholders = [...lines[1]!.replace(/\u001B\[[\d;]*m/g, '')];
	t.is(placeholders.filter((character) => character === '\u{10EEEE}').length, 4, 'one placeholder per cell');
	t.is(placeholders[1], '\u030D', 'row 1 is the second diacritic');
	t.is(placeholders[2], '\u0305', 'the first cell is column 0');
	t.true(lines[0]!.startsWith('\u001B[38;2;1;2;3m'), 'the foreground colour carries the image id');
	t.is(kittyDelete(7), '\u001B_Ga=d,d=I,i=7,q=2\u001B\\');
	t.is(tmuxPassthrough('\u001B_Ga=d\u001B\\'), '\u001BPtmux;\u001B\u001B_Ga=d\u001B\u001B\\\u001B\\');
});

test('iTerm2: the OSC 1337 payload decodes to the pixels, with the size and cells stated', async (t) => {
	const image = testImage(64, 48);
	const png = await pngOf(image);
	const escape = itermInlineImage(png, {columns: 12, rows: 5});
	const match = /^\u001B\]1337;File=([^:]*):([A-Za-z\d+/=]+)\u0007$/.exec(escape);
	t.truthy(match);
	const fields = Object.fromEntries(match![1]!.split(';').map((pair) => pair.split('=')));
	t.like(fields, {inline: '1', size: String(png.length), width: '12', height: '5'});
	t.deepEqual(await decodePixels(Buffer.from(match![2]!, 'base64')), {...image, data: Buffer.from(image.data)});
});

/** A sixel stream read back as a terminal would: raster size, palette (percent) and pixels. */
function decodeSixel(text: string): RgbImage & {colours: number} {
	const body = /^\u001BP[\d;]*q([\s\S]*)\u001B\\$/.exec(text)![1]!;
	const raster = /^"1;1;(\d+);(\d+)/.exec(body)!;
	const [width, height] = [Number(raster[1]), Number(raster[2])];
	const data = new Uint8Array(width * height * 3);
	const palette = new Map<number, [number, number, number]>();
	let colour = 0;
	let x = 0;
	let band = 0;
	const tokens = body.slice(raster[0].length).matchAll(/#(\d+)(?:;2;(\d+);(\d+);(\d+))?|!(\d+)([?-~])|([?-~])|(\$)|(-)/g);
	for (const token of tokens) {
		if (token[1] !== undefined) {
			colour = Number(token[1]);
			if (token[2] !== undefined) palette.set(colour, [token[2], token[3], token[4]].map((value) => Math.round((Number(value) * 255) / 100)) as [number, number, number]);
		} else if (token[6] !== undefined || token[7] !== undefined) {
			const count = token[5] ? Number(token[5]) : 1;
			const bits = (token[6] ?? token[7])!.charCodeAt(0) - 63;
			for (let step = 0; step < count; step++, x++) {
				for (let row = 0; row < 6; row++) {
					const y = band * 6 + row;
					if (!(bits & (1 << row)) || y >= height) continue;
					data.set(palette.get(colour)!, (y * width + x) * 3);
				}
			}
		} else if (token[8]) x = 0;
		else if (token[9]) [x, band] = [0, band + 1];
	}
	return {width, height, data, colours: palette.size};
}

test('sixel: decoded back, every pixel is within quantisation error of the source', (t) => {
	const image = testImage(97, 61);
	const decoded = decodeSixel(encodeSixel(image));
	t.is(decoded.width, 97);
	t.is(decoded.height, 61);
	t.true(decoded.colours <= 256);
	let total = 0;
	let worst = 0;
	for (let index = 0; index < image.data.length; index++) {
		const error = Math.abs(image.data[index]! - decoded.data[index]!);
		total += error;
		worst = Math.max(worst, error);
	}
	t.true(total / image.data.length < 6, `mean error ${total / image.data.length}`);
	t.true(worst <= 40, `worst channel error ${worst}`);

	// Few colours are kept exactly (up to the percent steps sixel palettes use).
	const flat = testImage(20, 13);
	for (let index = 0; index < flat.data.length; index += 3) flat.data.set(index % 2 ? [255, 0, 0] : [0, 0, 255], index);
	const exact = decodeSixel(encodeSixel(flat));
	t.is(exact.colours, 2);
	t.deepEqual([...exact.data], [...flat.data]);
});

test('half blocks: each cell is ▀ with the upper pixel as foreground and the lower as background; 256 colours pick the nearest', (t) => {
	const image: RgbImage = {width: 2, height: 4, data: new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 10, 10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 250, 250, 250])};
	const lines = halfBlockLines(image, 'truecolor');
	t.deepEqual(lines, [
		'\u001B[38;2;255;0;0;48;2;0;0;255m▀\u001B[38;2;0;255;0;48;2;10;10;10m▀\u001B[0m',
		'\u001B[38;2;1;2;3;48;2;7;8;9m▀\u001B[38;2;4;5;6;48;2;250;250;250m▀\u001B[0m',
	]);
	t.is(nearest256([255, 0, 0]), 196);
	t.is(nearest256([0, 0, 255]), 21);
	t.is(nearest256([128, 128, 128]), 244);
	t.is(halfBlockLines(image, '256')[0], '\u001B[38;5;196;48;5;21m▀\u001B[38;5;46;48;5;232m▀\u001B[0m');
});

/** The colours of each cell of half-block lines, read back from the escapes. */
function cellsOf(lines: string[]): Array<Array<{top: number[]; bottom: number[]}>> {
	return lines.map((line) => {
		const cells: Array<{top: number[]; bottom: number[]}> = [];
		let style: number[] = [];
		for (const token of line.matchAll(/\u001B\[([\d;]*)m|▀/g)) {
			if (token[1] !== undefined) style = token[1].split(';').map(Number);
			else cells.push({top: style.slice(2, 5), bottom: style.slice(7, 10)});
		}
		return cells;
	});
}

test('half blocks from a file: each half of a cell is the average of the source pixels it covers', async (t) => {
	// 8x3 cells, 4x oversampled: the source is exactly 32 x 24 pixels, so each half-cell covers a 4x4 block.
	const image = testImage(32, 24);
	for (let index = 0; index < image.data.length; index++) image.data[index] = (index * 31 + (index >> 5) * 17) % 256;
	const choice: RendererChoice = {renderer: 'blocks', colour: 'truecolor', tmux: false, cell: defaultCellPixels, reason: ''};
	const picture = await makePicture(await pngOf(image), {columns: 8, rows: 3}, choice, 'k');
	t.is(picture.kind, 'overlay-rows', 'half blocks are drawn over the frame, not through Ink');
	if (picture.kind !== 'overlay-rows') return;
	t.deepEqual([picture.columns, picture.rows], [8, 3]);
	const average = boxAverage(image, 4);
	const cells = cellsOf([...picture.lines]);
	for (let row = 0; row < 3; row++) {
		for (let column = 0; column < 8; column++) {
			const at = (y: number) => [...average.data.subarray((y * 8 + column) * 3, (y * 8 + column) * 3 + 3)];
			t.deepEqual(cells[row]![column], {top: at(row * 2), bottom: at(row * 2 + 1)}, `cell ${column},${row}`);
		}
	}
	// And the average is the plain mean of the block.
	let sum = 0;
	for (let y = 4; y < 8; y++) for (let x = 8; x < 12; x++) sum += image.data[(y * 32 + x) * 3 + 1]!;
	t.is(average.data[(1 * 8 + 2) * 3 + 1], Math.round(sum / 16));
});

test('pictures keep their aspect on the terminal’s cells', (t) => {
	// A square image on 10x20 cells: twice as many columns as rows.
	t.deepEqual(fitCells({width: 1024, height: 1024}, {columns: 40, rows: 30}, defaultCellPixels), {columns: 40, rows: 20});
	t.deepEqual(fitCells({width: 1024, height: 1024}, {columns: 80, rows: 10}, defaultCellPixels), {columns: 20, rows: 10});
	t.deepEqual(fitCells({width: 1456, height: 816}, {columns: 60, rows: 40}, defaultCellPixels), {columns: 60, rows: 17});
});

test('sixel and kitty pictures from a file are sized to whole cells of the terminal’s pixel size', async (t) => {
	const png = await pngOf(testImage(200, 100));
	const cell = {width: 8, height: 16};
	const base = {colour: 'truecolor', tmux: true, cell, reason: ''} as const;
	const sixel = await makePicture(png, {columns: 20, rows: 10}, {...base, renderer: 'sixel'}, 'a');
	t.is(sixel.kind, 'overlay');
	if (sixel.kind === 'overlay') t.like(decodeSixel(sixel.escape), {width: sixel.columns * 8, height: sixel.rows * 16});
	const kitty = await makePicture(png, {columns: 20, rows: 10}, {...base, renderer: 'kitty'}, 'a');
	t.is(kitty.kind, 'lines');
	if (kitty.kind !== 'lines') return;
	t.true(kitty.kitty!.setup.startsWith('\u001BPtmux;\u001B\u001B_G'), 'inside tmux the transmission is wrapped for passthrough');
	t.is(kitty.lines.length, kitty.rows);
});
