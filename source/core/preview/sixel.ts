/**
 * A sixel encoder: colours reduced to a palette of at most 256 by median cut
 * over a 15-bit histogram, then each band of six pixel rows written colour by
 * colour with run-length compression. Sixel is drawn at the cursor, outside
 * the text grid.
 *
 * The whole encoder is one function that refers to nothing outside it, so
 * its source text also runs on a worker thread (sixel-thread.ts): median cut
 * over a large picture takes tens to hundreds of milliseconds, which the
 * main thread, drawing frames, must not spend.
 */
import type {RgbImage} from './renderers.js';

/** The encoder's functions, made by a self-contained function (see above). */
export function sixelEncoder() {
	/** One 15-bit colour of the histogram: how many pixels, their channel sums, and their mean colour (what median cut sorts by). */
	interface Bucket {
		key: number;
		count: number;
		r: number;
		g: number;
		b: number;
		mean: Record<'r' | 'g' | 'b', number>;
	}

	// 12-bit buckets (16 levels a channel): median cut runs on the main thread, and over 15-bit ones it took ~150 ms of CPU on a
	// 790x340 picture; a bucket's colour is still the exact mean of its pixels.
	const bucketBits = 4;
	const bucketCount = 1 << (bucketBits * 3);
	const bucketKey = (r: number, g: number, b: number) => ((r >> (8 - bucketBits)) << (bucketBits * 2)) | ((g >> (8 - bucketBits)) << bucketBits) | (b >> (8 - bucketBits));

	/** Colours of `image` reduced to at most `size` by median cut; returns the palette and each pixel's palette index. */
	function quantise(image: RgbImage, size = 256): {palette: Array<[number, number, number]>; indexes: Uint8Array} {
		// The histogram in flat arrays (a Map of objects per pixel costs seconds on a large picture).
		const counts = new Uint32Array(bucketCount);
		const sums = new Float64Array(bucketCount * 3);
		const pixels = image.width * image.height;
		const keys = new Uint16Array(pixels);
		for (let pixel = 0; pixel < pixels; pixel++) {
			const r = image.data[pixel * 3]!;
			const g = image.data[pixel * 3 + 1]!;
			const b = image.data[pixel * 3 + 2]!;
			const key = bucketKey(r, g, b);
			keys[pixel] = key;
			counts[key]!++;
			sums[key * 3] += r;
			sums[key * 3 + 1] += g;
			sums[key * 3 + 2] += b;
		}
		const buckets: Bucket[] = [];
		for (let key = 0; key < counts.length; key++) {
			const count = counts[key]!;
			if (!count) continue;
			const [r, g, b] = [sums[key * 3]!, sums[key * 3 + 1]!, sums[key * 3 + 2]!];
			buckets.push({key, count, r, g, b, mean: {r: r / count, g: g / count, b: b / count}});
		}
		const boxes = splitBoxes(buckets, Math.min(256, size));
		// Each bucket takes its box's colour, the pixel-weighted mean of the box.
		const paletteOf = new Uint8Array(bucketCount);
		const palette = boxes.map((box, index): [number, number, number] => {
			let total = 0;
			let [r, g, b] = [0, 0, 0];
			for (const bucket of box) {
				total += bucket.count;
				r += bucket.r;
				g += bucket.g;
				b += bucket.b;
				paletteOf[bucket.key] = index;
			}
			return [Math.round(r / total), Math.round(g / total), Math.round(b / total)];
		});
		const indexes = new Uint8Array(pixels);
		for (let pixel = 0; pixel < pixels; pixel++) indexes[pixel] = paletteOf[keys[pixel]!]!;
		return {palette, indexes};
	}

	const channels = ['r', 'g', 'b'] as const;
	type Channel = (typeof channels)[number];

	/** A box of histogram buckets with its widest channel, measured once when the box is made. */
	interface Box {
		buckets: Bucket[];
		range: number;
		channel: Channel;
	}

	function measured(buckets: Bucket[]): Box {
		let best: {range: number; channel: Channel} = {range: 0, channel: 'r'};
		if (buckets.length > 1) {
			for (const channel of channels) {
				let low = Infinity;
				let high = -Infinity;
				for (const bucket of buckets) {
					const value = bucket.mean[channel];
					if (value < low) low = value;
					if (value > high) high = value;
				}
				if (high - low > best.range) best = {range: high - low, channel};
			}
		}
		return {buckets, ...best};
	}

	/** Split the box with the widest channel range at its pixel median until there are `size` boxes or none can split. */
	function splitBoxes(buckets: Bucket[], size: number): Bucket[][] {
		const boxes: Box[] = [measured(buckets)];
		while (boxes.length < size) {
			let widest = -1;
			for (let index = 0; index < boxes.length; index++) if (boxes[index]!.range > 0 && (widest < 0 || boxes[index]!.range > boxes[widest]!.range)) widest = index;
			if (widest < 0) break;
			const {buckets: members, channel} = boxes[widest]!;
			members.sort((a, b) => a.mean[channel] - b.mean[channel]);
			const half = members.reduce((sum, bucket) => sum + bucket.count, 0) / 2;
			let seen = 0;
			let cut = 1;
			for (; cut < members.length - 1; cut++) {
				seen += members[cut - 1]!.count;
				if (seen >= half) break;
			}
			boxes.splice(widest, 1, measured(members.slice(0, cut)), measured(members.slice(cut)));
		}
		return boxes.map((box) => box.buckets);
	}

	const percent = (value: number) => Math.round((value * 100) / 255);

	/** A run of one sixel character, compressed with `!n` when that is shorter. */
	function run(character: string, length: number): string {
		return length > 3 ? `!${length}${character}` : character.repeat(length);
	}

	/** The DCS sequence that draws `image` at the cursor (pixel aspect 1:1, one colour register per palette entry). */
	function encodeSixel(image: RgbImage, paletteSize = 256): string {
		const {palette, indexes} = quantise(image, paletteSize);
		const {width, height} = image;
		let out = `\u001BP0;1;0q"1;1;${width};${height}`;
		palette.forEach(([r, g, b], index) => {
			out += `#${index};2;${percent(r)};${percent(g)};${percent(b)}`;
		});
		// Per band: each colour's sixel column bits, filled in one pass over the band, and the columns it spans.
		const bits = new Map<number, {columns: Uint8Array; first: number; last: number}>();
		for (let top = 0; top < height; top += 6) {
			const rows = Math.min(6, height - top);
			bits.clear();
			for (let y = 0; y < rows; y++) {
				const row = (top + y) * width;
				for (let x = 0; x < width; x++) {
					const colour = indexes[row + x]!;
					let layer = bits.get(colour);
					if (!layer) bits.set(colour, (layer = {columns: new Uint8Array(width), first: x, last: x}));
					layer.columns[x]! |= 1 << y;
					if (x < layer.first) layer.first = x;
					if (x > layer.last) layer.last = x;
				}
			}
			const layers: string[] = [];
			for (const [colour, {columns, first, last}] of bits) {
				// Empty sixels before the first column this colour paints, then runs up to its last (trailing ones draw nothing).
				let layer = `#${colour}${first > 0 ? run('?', first) : ''}`;
				let x = first;
				while (x <= last) {
					let end = x + 1;
					while (end <= last && columns[end] === columns[x]) end++;
					layer += run(String.fromCharCode(63 + columns[x]!), end - x);
					x = end;
				}
				layers.push(layer);
			}
			out += layers.join('$') + (top + 6 < height ? '-' : '');
		}
		return `${out}\u001B\\`;
	}

	return {quantise, encodeSixel};
}

/** `quantise` (median cut: a palette and each pixel's index in it) and `encodeSixel` (the DCS sequence that draws an image at the cursor), on the calling thread. */
export const {quantise, encodeSixel} = sixelEncoder();
