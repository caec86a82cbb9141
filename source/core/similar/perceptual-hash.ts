/**
 * The perceptual hash of an image: a 64-bit dHash ("difference hash"). The
 * picture is made grey and shrunk to 9×8 pixels; each bit says whether a pixel
 * is darker than its right neighbour. Re-encoding, resizing, a new colour
 * profile or light retouching keep most bits; another picture flips about half.
 *
 * Why dHash and not pHash (a DCT of 32×32): both cost the same decode, which is
 * ~99% of the time (bench/similar.ts), and on near-copies (the question here:
 * variations, upscales, re-encodes of one picture) dHash separates as well;
 * pHash's edge is robustness to heavy edits (crops, big contrast changes),
 * which near-duplicate families do not need. dHash is also ~20 lines anyone
 * can check, with no floating-point DCT to drift between platforms.
 *
 * A hash is written as 16 lower-case hex digits (`'8f0e3c...'`): readable in
 * sqlite3, and the form the CLI, JSON and MCP print.
 */
import fs from 'node:fs';

/** A 64-bit perceptual hash as 16 lower-case hex digits. */
export type PerceptualHash = string;

/** What hashing a file gave: a hash, or why the file has none (a video, bytes no decoder reads). */
export type HashOutcome = {kind: 'hash'; hash: PerceptualHash} | {kind: 'unhashable'; reason: string};

const columns = 9;
const rows = 8;

/** The dHash of a 9×8 grey thumbnail, row by row, `stride` bytes per pixel (the first is grey). */
export function dHashOfThumbnail(pixels: Uint8Array, stride = 1): PerceptualHash {
	let hi = 0;
	let lo = 0;
	for (let y = 0; y < rows; y++) {
		for (let x = 0; x < columns - 1; x++) {
			const at = (y * columns + x) * stride;
			const bit = pixels[at] < pixels[at + stride] ? 1 : 0;
			const n = y * (columns - 1) + x;
			if (n < 32) hi = (hi | (bit << (31 - n))) >>> 0;
			else lo = (lo | (bit << (63 - n))) >>> 0;
		}
	}

	return hashFromWords(hi, lo);
}

/** Hash of an image already in memory; undecodable bytes give `unhashable` (never throws for content). */
export async function perceptualHashOfBytes(bytes: Buffer): Promise<HashOutcome> {
	const {default: sharp} = await import('sharp');
	try {
		const {data, info} = await sharp(bytes, {failOn: 'error'})
			.rotate()
			.removeAlpha()
			.greyscale()
			.resize(columns, rows, {fit: 'fill'})
			.raw()
			.toBuffer({resolveWithObject: true});
		return {kind: 'hash', hash: dHashOfThumbnail(data, info.channels)};
	} catch (error) {
		return {kind: 'unhashable', reason: firstLine((error as Error)?.message ?? String(error))};
	}
}

/**
 * Hash of an image file. Reading errors throw (with the fs error's `code`: the
 * caller says "unreadable"); bytes that are no image give `unhashable`.
 */
export async function perceptualHashOfFile(file: string): Promise<HashOutcome> {
	return perceptualHashOfBytes(await fs.promises.readFile(file));
}

/** Bits that differ between two hashes (0 = the same picture, ~32 = unrelated). */
export function hammingDistance(a: PerceptualHash, b: PerceptualHash): number {
	const [aHi, aLo] = wordsOfHash(a);
	const [bHi, bLo] = wordsOfHash(b);
	return popcount32(aHi ^ bHi) + popcount32(aLo ^ bLo);
}

/** Set bits in a 32-bit word. */
export function popcount32(value: number): number {
	let v = value - ((value >>> 1) & 0x55555555);
	v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
	return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** The two 32-bit halves of a hash (high word first). */
export function wordsOfHash(hash: PerceptualHash): [number, number] {
	return [Number.parseInt(hash.slice(0, 8), 16) >>> 0, Number.parseInt(hash.slice(8, 16), 16) >>> 0];
}

/** The hash of two 32-bit halves. */
export function hashFromWords(hi: number, lo: number): PerceptualHash {
	return (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
}

/** True for 16 hex digits (a stored or typed hash). */
export function isPerceptualHash(text: string): boolean {
	return /^[\da-f]{16}$/i.test(text);
}

function firstLine(text: string): string {
	return text.split('\n', 1)[0].slice(0, 200);
}
