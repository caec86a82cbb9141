/**
 * Near-duplicate families: images within a distance of each other, taken
 * transitively (A~B and B~C put A, B, C in one family), found with the
 * multi-index (each image asks for its neighbours once) and a union-find.
 */
import type {HashIndex} from './hash-index.js';

/** Distance within which two images count as one family (stats, export --dedupe): variations and re-encodes, not look-alikes. */
export const defaultFamilyDistance = 6;

/** The index's positions grouped into families of two or more (each group in position order). */
export function familyPositions(index: HashIndex, maxDistance: number): number[][] {
	const parent = new Uint32Array(index.size);
	for (let i = 0; i < parent.length; i++) parent[i] = i;
	const root = (i: number): number => {
		while (parent[i] !== i) i = parent[i] = parent[parent[i]];
		return i;
	};
	index.forEachPairWithin(maxDistance, (a, b) => {
		const [rootA, rootB] = [root(a), root(b)];
		if (rootA !== rootB) parent[Math.max(rootA, rootB)] = Math.min(rootA, rootB);
	});
	const groups = new Map<number, number[]>();
	for (let position = 0; position < index.size; position++) {
		const group = root(position);
		let members = groups.get(group);
		if (members === undefined) groups.set(group, members = []);
		members.push(position);
	}
	return [...groups.values()].filter((members) => members.length > 1);
}

/**
 * Hashes above which `stats` does not count families: every image asks for its neighbours, and at distance 6 each
 * asks ~70 index buckets, which grow with the archive (bench/similar.ts: 4-7 s at 200,000 and 141 s at 1,000,000 hashes, on a machine at load 20-30).
 */
export const familyCountLimit = 300_000;

/** What `stats` says about families. */
export interface FamilySummary {
	maxDistance: number;
	/** False when the archive holds more than familyCountLimit hashes: the counts below are then 0. */
	counted: boolean;
	/** Families with more than one image. */
	families: number;
	/** Images in those families. */
	images: number;
	/** Images in the largest family. */
	largest: number;
}

/** Count the families of these groups. */
export function summariseFamilies(groups: readonly number[][], maxDistance: number): FamilySummary {
	return {maxDistance, counted: true, families: groups.length, images: groups.reduce((sum, group) => sum + group.length, 0), largest: groups.reduce((most, group) => Math.max(most, group.length), 0)};
}
