/**
 * Lookup of 64-bit hashes by Hamming distance with multi-index hashing
 * (Norouzi et al.): the hash is cut into four 16-bit chunks and each chunk
 * value has its own table (counting-sorted positions: an offsets array of
 * 65,537 entries and one Uint32Array of positions per table).
 *
 * Why it is exact (pigeonhole): two hashes within distance d differ in at most
 * d bits, spread over four chunks, so at least one chunk differs in at most
 * r = floor(d / 4) bits. Probing every chunk value within r bits of the query's
 * chunk, in all four tables, therefore meets every hash within d; each
 * candidate's full distance is then checked. For d ≤ 3 (r = 0) that is one
 * exact bucket per table; for d ≤ 7, 17 buckets per table; for d ≤ 11, 137.
 * Chosen over a BK-tree because its memory is four flat arrays (64 MB at 4M
 * hashes, no objects for the collector), it builds in linear time, and its cost
 * per query is a few hundred bucket reads, independent of tree shape.
 */
import {popcount32} from './perceptual-hash.js';

/** The largest distance a lookup takes: beyond it "similar" means little for a 64-bit dHash (unrelated: ~32). */
export const maxLookupDistance = 16;

/** One hash found near the query: its position in the index and its distance. */
export interface Neighbour {
	position: number;
	distance: number;
}

const chunkValues = 1 << 16;

interface ChunkTable {
	offsets: Uint32Array;
	positions: Uint32Array;
}

export class HashIndex {
	readonly #hi: Uint32Array;
	readonly #lo: Uint32Array;
	readonly #tables: ChunkTable[];

	private constructor(hi: Uint32Array, lo: Uint32Array) {
		this.#hi = hi;
		this.#lo = lo;
		this.#tables = [0, 1, 2, 3].map((table) => buildTable(hi, lo, table));
	}

	/** Index these hashes (high and low 32-bit words, position i = hash i). */
	static build(hi: Uint32Array, lo: Uint32Array): HashIndex {
		if (hi.length !== lo.length) throw new Error('hash words of different lengths');
		return new HashIndex(hi, lo);
	}

	/** Hashes in the index. */
	get size(): number {
		return this.#hi.length;
	}

	/** The high and low words of the hash at `position`. */
	wordsAt(position: number): [number, number] {
		return [this.#hi[position], this.#lo[position]];
	}

	/** Every position within `maxDistance` of the hash (hi, lo), nearest first (ties by position), at most `limit`. */
	near(hi: number, lo: number, maxDistance: number, limit = Number.POSITIVE_INFINITY): Neighbour[] {
		const found: Neighbour[] = [];
		this.forEachNear(hi, lo, maxDistance, (position, distance) => {
			found.push({position, distance});
		});
		found.sort((a, b) => a.distance - b.distance || a.position - b.position);
		return found.length > limit ? found.slice(0, limit) : found;
	}

	/**
	 * Call `visit(a, b)` for every pair of positions a < b within `maxDistance`, perhaps more than once per pair
	 * (families union them, which repeats harmlessly): the inner loop of families, free of per-candidate calls.
	 */
	forEachPairWithin(maxDistance: number, visit: (a: number, b: number) => void): void {
		if (!Number.isInteger(maxDistance) || maxDistance < 0 || maxDistance > maxLookupDistance) {
			throw new RangeError(`the distance must be an integer from 0 to ${maxLookupDistance}, not ${maxDistance}`);
		}
		const masks = masksWithin(Math.floor(maxDistance / 4));
		const hiOf = this.#hi;
		const loOf = this.#lo;
		for (let table = 0; table < 4; table++) {
			const {offsets, positions} = this.#tables[table];
			for (let a = 0; a < hiOf.length; a++) {
				const hi = hiOf[a];
				const lo = loOf[a];
				const chunk = chunkOf(hi, lo, table);
				for (const mask of masks) {
					const value = chunk ^ mask;
					for (let at = offsets[value], end = offsets[value + 1]; at < end; at++) {
						const b = positions[at];
						if (b <= a) continue;
						let x = (hiOf[b] ^ hi) >>> 0;
						let y = (loOf[b] ^ lo) >>> 0;
						x -= (x >>> 1) & 0x55555555;
						y -= (y >>> 1) & 0x55555555;
						x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
						y = (y & 0x33333333) + ((y >>> 2) & 0x33333333);
						const distance = ((((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24) + ((((y + (y >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24);
						if (distance <= maxDistance) visit(a, b);
					}
				}
			}
		}
	}

	/** Call `visit` once for every position within `maxDistance` of (hi, lo), in no particular order. */
	forEachNear(hi: number, lo: number, maxDistance: number, visit: (position: number, distance: number) => void): void {
		if (!Number.isInteger(maxDistance) || maxDistance < 0 || maxDistance > maxLookupDistance) {
			throw new RangeError(`the distance must be an integer from 0 to ${maxLookupDistance}, not ${maxDistance}`);
		}
		const radius = Math.floor(maxDistance / 4);
		const masks = masksWithin(radius);
		const queryChunks = [hi >>> 16, hi & 0xffff, lo >>> 16, lo & 0xffff];
		for (let table = 0; table < 4; table++) {
			const {offsets, positions} = this.#tables[table];
			for (const mask of masks) {
				const value = queryChunks[table] ^ mask;
				for (let at = offsets[value], end = offsets[value + 1]; at < end; at++) {
					const position = positions[at];
					const candidateHi = this.#hi[position];
					const candidateLo = this.#lo[position];
					const distance = popcount32(candidateHi ^ hi) + popcount32(candidateLo ^ lo);
					// Most candidates are too far; a hit met already in an earlier table was visited there.
					if (distance > maxDistance || foundInEarlierTable(table, radius, queryChunks, candidateHi, candidateLo)) continue;
					visit(position, distance);
				}
			}
		}
	}
}

/** The positions within `maxDistance` by checking every hash: the reference the index is tested and measured against. */
export function scanNear(hi: Uint32Array, lo: Uint32Array, queryHi: number, queryLo: number, maxDistance: number): Neighbour[] {
	const found: Neighbour[] = [];
	for (let position = 0; position < hi.length; position++) {
		const distance = popcount32(hi[position] ^ queryHi) + popcount32(lo[position] ^ queryLo);
		if (distance <= maxDistance) found.push({position, distance});
	}
	found.sort((a, b) => a.distance - b.distance || a.position - b.position);
	return found;
}

function chunkOf(hi: number, lo: number, table: number): number {
	switch (table) {
		case 0: return hi >>> 16;
		case 1: return hi & 0xffff;
		case 2: return lo >>> 16;
		default: return lo & 0xffff;
	}
}

function foundInEarlierTable(table: number, radius: number, queryChunks: number[], hi: number, lo: number): boolean {
	for (let earlier = 0; earlier < table; earlier++) {
		if (popcount32(chunkOf(hi, lo, earlier) ^ queryChunks[earlier]) <= radius) return true;
	}
	return false;
}

/** Counting sort of the positions by one chunk's value. */
function buildTable(hi: Uint32Array, lo: Uint32Array, table: number): ChunkTable {
	const offsets = new Uint32Array(chunkValues + 1);
	for (let position = 0; position < hi.length; position++) offsets[chunkOf(hi[position], lo[position], table) + 1]++;
	for (let value = 0; value < chunkValues; value++) offsets[value + 1] += offsets[value];
	const next = offsets.slice(0, chunkValues);
	const positions = new Uint32Array(hi.length);
	for (let position = 0; position < hi.length; position++) positions[next[chunkOf(hi[position], lo[position], table)]++] = position;
	return {offsets, positions};
}

const maskCache = new Map<number, number[]>();

/** Every 16-bit mask with at most `radius` bits set (the chunk values to probe), fewest bits first. */
function masksWithin(radius: number): number[] {
	let masks = maskCache.get(radius);
	if (masks === undefined) {
		masks = [];
		for (let mask = 0; mask < chunkValues; mask++) if (popcount32(mask) <= radius) masks.push(mask);
		masks.sort((a, b) => popcount32(a) - popcount32(b) || a - b);
		maskCache.set(radius, masks);
	}
	return masks;
}
