/**
 * From an image file to what a renderer draws: fit it into a box of cells
 * (keeping its aspect on the terminal's cell shape), scale it with sharp
 * (off the main thread, in libuv's pool) and encode it (sixel on a worker
 * thread too: its median cut is the one costly encoder).
 */
import type {Sharp} from 'sharp';
import {halfBlockLines} from './half-blocks.js';
import {itermInlineImage} from './iterm.js';
import {kittyDelete, kittyMaxRows, kittyPlaceholderLines, kittyTransmit, tmuxPassthrough} from './kitty.js';
import type {CellPixels, RendererChoice, RgbImage} from './renderers.js';
import {sixelThread} from './sixel-thread.js';

let sharpModule: Promise<typeof import('sharp')> | undefined;

/** sharp, a native addon that takes a while to load: loaded with the first picture (or a warm-up after the first frame), not with the app. */
export async function loadSharp(): Promise<typeof import('sharp').default> {
	return (await (sharpModule ??= import('sharp'))).default;
}

/** A box of terminal cells. */
export interface CellBox {
	columns: number;
	rows: number;
}

/**
 * What the UI draws. `lines`: kitty placeholders, text rows in the frame
 * after `setup` was written once (one colour a line: Ink handles them as
 * cheaply as plain text). `overlay`: an escape drawn at the box's top-left
 * cell after the frame (sixel, iTerm2). `overlay-rows`: half blocks, text
 * rows drawn over the frame, each at its own row: a colour change per cell
 * is what Ink's per-frame re-tokenising is slowest at, so they stay out of
 * the frame and are encoded once here.
 */
export type PreviewPicture =
	| {kind: 'lines'; columns: number; rows: number; lines: string[]; kitty: {imageId: number; setup: string; teardown: string}; bytes: number}
	| {kind: 'overlay'; columns: number; rows: number; escape: string; bytes: number}
	| {kind: 'overlay-rows'; columns: number; rows: number; lines: readonly string[]; bytes: number};

/** The largest box of cells inside `box` with the image's aspect on cells of `cell` pixels (at least 1x1). */
export function fitCells(image: {width: number; height: number}, box: CellBox, cell: CellPixels): CellBox {
	const aspect = (image.width / image.height) * (cell.height / cell.width);
	let columns = box.columns;
	let rows = Math.round(columns / aspect);
	if (rows > box.rows) {
		rows = box.rows;
		columns = Math.round(rows * aspect);
	}
	return {columns: Math.max(1, Math.min(box.columns, columns)), rows: Math.max(1, Math.min(box.rows, rows))};
}

/** Pixels per half-block pixel that sharp scales to before the exact box average (a smooth, alias-free reduction). */
const oversample = 4;

/** Average each `factor` x `factor` block of `image` into one pixel (`image` must be a multiple of `factor` on both sides). */
export function boxAverage(image: RgbImage, factor: number): RgbImage {
	const width = Math.floor(image.width / factor);
	const height = Math.floor(image.height / factor);
	const data = new Uint8Array(width * height * 3);
	const area = factor * factor;
	for (let y = 0; y < height; y++) {
		for (let x = 0; x < width; x++) {
			for (let channel = 0; channel < 3; channel++) {
				let sum = 0;
				for (let dy = 0; dy < factor; dy++) {
					const row = (y * factor + dy) * image.width;
					for (let dx = 0; dx < factor; dx++) sum += image.data[(row + x * factor + dx) * 3 + channel]!;
				}
				data[(y * width + x) * 3 + channel] = Math.round(sum / area);
			}
		}
	}
	return {width, height, data};
}

async function rawPixels(pipeline: Sharp): Promise<RgbImage> {
	const {data, info} = await pipeline.removeAlpha().raw().toBuffer({resolveWithObject: true});
	return {width: info.width, height: info.height, data};
}

/** A small stable id for kitty (24 bits, never 0) from the picture's cache key. */
export function kittyImageId(key: string): number {
	let hash = 2166136261;
	for (let index = 0; index < key.length; index++) hash = Math.imul(hash ^ key.charCodeAt(index), 16777619);
	return ((hash >>> 0) % 0xff_ff_fe) + 1;
}

/** Scale and encode `source` (a file path or its bytes) for `choice`, fitted into `box`. `key` names the picture (kitty's image id). */
export async function makePicture(source: string | Buffer, box: CellBox, choice: RendererChoice, key: string): Promise<PreviewPicture> {
	const sharp = await loadSharp();
	// Pictures over transparent parts sit on black, like the terminal's usual background.
	const input = () => sharp(source, {failOn: 'none'}).rotate().flatten({background: '#000000'});
	const meta = await sharp(source, {failOn: 'none'}).metadata();
	const upright = (meta.orientation ?? 1) >= 5;
	const size = {width: (upright ? meta.height : meta.width) ?? 1, height: (upright ? meta.width : meta.height) ?? 1};
	const {cell, renderer} = choice;
	if (renderer === 'blocks') {
		const cells = fitCells(size, box, cell);
		const scaled = await rawPixels(input().resize(cells.columns * oversample, cells.rows * 2 * oversample, {fit: 'fill'}));
		const lines = halfBlockLines(boxAverage(scaled, oversample), choice.colour);
		return {kind: 'overlay-rows', columns: cells.columns, rows: cells.rows, lines, bytes: lines.reduce((sum, line) => sum + line.length, 0)};
	}
	const cells = fitCells(size, {columns: box.columns, rows: renderer === 'kitty' ? Math.min(box.rows, kittyMaxRows) : box.rows}, cell);
	const pixels = {width: cells.columns * cell.width, height: cells.rows * cell.height};
	if (renderer === 'sixel') {
		const escape = await sixelThread.encode(await rawPixels(input().resize(pixels.width, pixels.height, {fit: 'fill'})));
		return {kind: 'overlay', ...cells, escape, bytes: escape.length};
	}
	const png = await input().resize(pixels.width, pixels.height, {fit: 'fill'}).png({compressionLevel: 6}).toBuffer();
	if (renderer === 'iterm') {
		const escape = itermInlineImage(png, cells);
		return {kind: 'overlay', ...cells, escape, bytes: escape.length};
	}
	const imageId = kittyImageId(key);
	const wrap = (escape: string) => (choice.tmux ? tmuxPassthrough(escape) : escape);
	const setup = kittyTransmit(png, {imageId, ...cells}).map(wrap).join('');
	const lines = kittyPlaceholderLines({imageId, ...cells});
	return {kind: 'lines', ...cells, lines, kitty: {imageId, setup, teardown: wrap(kittyDelete(imageId))}, bytes: setup.length};
}
