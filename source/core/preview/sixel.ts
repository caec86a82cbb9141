/**
 * A sixel encoder: colours reduced to a palette of at most 256 by median cut
 * over a 15-bit histogram, then each band of six pixel rows written colour by
 * colour with run-length compression. Sixel is drawn at the cursor, outside
 * the text grid.
 */
import type {RgbImage} from './renderers.js';

/** A palette colour and how many pixels it stands for. */
interface Bucket {
	key: number;
	count: number;
	r: number;
	g: number;
	b: number;
}

const bucketKey = (r: number, g: number, b: number) => ((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3);

/** Colours of `image` reduced to at most `size` by median cut; returns the palette and each pixel's palette index. */
export function quantise(image: RgbImage, size = 256): {palette: Array<[number, number, number]>; indexes: Uint8Array} {
	const histogram = new Map<number, Bucket>();
	const pixels = image.width * image.height;
	for (let pixel = 0; pixel < pixels; pixel++) {
		const [r, g, b] = [image.data[pixel * 3]!, image.data[pixel * 3 + 1]!, image.data[pixel * 3 + 2]!];
		const key = bucketKey(r, g, b);
		const bucket = histogram.get(key);
		if (bucket) {
			bucket.count++;
			bucket.r += r;
			bucket.g += g;
			bucket.b += b;
		} else histogram.set(key, {key, count: 1, r, g, b});
	}
	const boxes = splitBoxes([...histogram.values()], Math.min(256, size));
	const palette = boxes.map((box): [number, number, number] => {
		const total = box.reduce((sum, bucket) => sum + bucket.count, 0);
		const mean = (channel: 'r' | 'g' | 'b') => Math.round(box.reduce((sum, bucket) => sum + bucket[channel], 0) / total);
		return [mean('r'), mean('g'), mean('b')];
	});
	// Each histogram bucket maps to its nearest palette colour (not just its box's), once.
	const paletteOf = new Map<number, number>();
	for (const bucket of histogram.values()) {
		const [r, g, b] = [bucket.r / bucket.count, bucket.g / bucket.count, bucket.b / bucket.count];
		let best = 0;
		let bestDistance = Infinity;
		palette.forEach(([pr, pg, pb], index) => {
			const distance = (pr - r) ** 2 + (pg - g) ** 2 + (pb - b) ** 2;
			if (distance < bestDistance) [best, bestDistance] = [index, distance];
		});
		paletteOf.set(bucket.key, best);
	}
	const indexes = new Uint8Array(pixels);
	for (let pixel = 0; pixel < pixels; pixel++) {
		indexes[pixel] = paletteOf.get(bucketKey(image.data[pixel * 3]!, image.data[pixel * 3 + 1]!, image.data[pixel * 3 + 2]!))!;
	}
	return {palette, indexes};
}

const channels = ['r', 'g', 'b'] as const;

/** Split the box with the widest channel range at its pixel median until there are `size` boxes or none can split. */
function splitBoxes(buckets: Bucket[], size: number): Bucket[][] {
	const boxes: Bucket[][] = [buckets];
	while (boxes.length < size) {
		let widest = -1;
		let widestRange = 0;
		let widestChannel: (typeof channels)[number] = 'r';
		boxes.forEach((box, index) => {
			if (box.length < 2) return;
			for (const channel of channels) {
				const values = box.map((bucket) => bucket[channel] / bucket.count);
				const range = Math.max(...values) - Math.min(...values);
				if (range > widestRange) [widest, widestRange, widestChannel] = [index, range, channel];
			}
		});
		if (widest < 0) break;
		const box = boxes[widest]!.sort((a, b) => a[widestChannel] / a.count - b[widestChannel] / b.count);
		const half = box.reduce((sum, bucket) => sum + bucket.count, 0) / 2;
		let seen = 0;
		let cut = 1;
		for (; cut < box.length - 1; cut++) {
			seen += box[cut - 1]!.count;
			if (seen >= half) break;
		}
		boxes.splice(widest, 1, box.slice(0, cut), box.slice(cut));
	}
	return boxes;
}

const percent = (value: number) => Math.round((value * 100) / 255);

/** A run of one sixel character, compressed with `!n` when that is shorter. */
function run(character: string, length: number): string {
	return length > 3 ? `!${length}${character}` : character.repeat(length);
}

/** The DCS sequence that draws `image` at the cursor (pixel aspect 1:1, one colour register per palette entry). */
export function encodeSixel(image: RgbImage, paletteSize = 256): string {
	const {palette, indexes} = quantise(image, paletteSize);
	const {width, height} = image;
	let out = `\u001BP0;1;0q"1;1;${width};${height}`;
	palette.forEach(([r, g, b], index) => {
		out += `#${index};2;${percent(r)};${percent(g)};${percent(b)}`;
	});
	const bits = new Uint8Array(width);
	for (let top = 0; top < height; top += 6) {
		const rows = Math.min(6, height - top);
		const used = new Set<number>();
		for (let y = top; y < top + rows; y++) for (let x = 0; x < width; x++) used.add(indexes[y * width + x]!);
		const layers: string[] = [];
		for (const colour of used) {
			bits.fill(0);
			for (let y = 0; y < rows; y++) {
				const row = (top + y) * width;
				for (let x = 0; x < width; x++) if (indexes[row + x] === colour) bits[x]! |= 1 << y;
			}
			let layer = `#${colour}`;
			let x = 0;
			while (x < width) {
				let end = x + 1;
				while (end < width && bits[end] === bits[x]) end++;
				layer += run(String.fromCharCode(63 + bits[x]!), end - x);
				x = end;
			}
			// Trailing empty sixels draw nothing.
			layers.push(layer.replace(/(?:!\d+\?|\?+)$/, ''));
		}
		out += layers.join('$') + (top + 6 < height ? '-' : '');
	}
	return `${out}\u001B\\`;
}
