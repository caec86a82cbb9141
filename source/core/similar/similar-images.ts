/**
 * "More like this": the archived images nearest to a job's images or to any
 * image file, by perceptual hash, through the multi-index (hash-index.ts),
 * built lazily from the perceptual_hashes table once per process and rebuilt
 * when the table changed. Shared by `mj-tui similar`, the TUI and MCP.
 */
import type {HashedFile, PerceptualHashes} from '../archive/perceptual-hashes.js';
import type {ArchiveStore} from '../archive/store.js';
import {ExitCode, MjError} from '../errors.js';
import {resolveInside} from '../downloads/naming.js';
import {familyPositions} from './families.js';
import {HashIndex, maxLookupDistance} from './hash-index.js';
import {readIndexCache, writeIndexCache, type HashColumns} from './index-cache.js';
import {perceptualHashOfFile, wordsOfHash, type PerceptualHash} from './perceptual-hash.js';
import path from 'node:path';

/** Distance `similar` looks within unless told: re-encodes and variations fall under it, unrelated pictures (~32) far above. */
export const defaultSimilarDistance = 10;

/** An archived image near the query, with the fields a listing shows. */
export interface SimilarImage extends HashedFile {
	distance: number;
}

export interface SimilarOptions {
	maxDistance?: number;
	limit?: number;
}

/** The hashes of an archive as a lookup index, with the image id of each position. */
export class SimilarityIndex {
	readonly #index: HashIndex;
	readonly #imageIds: Float64Array;

	private constructor(index: HashIndex, imageIds: Float64Array) {
		this.#index = index;
		this.#imageIds = imageIds;
	}

	/**
	 * Build from every stored hash: from the archive's index cache when it holds this version of the
	 * table, else from the table (5.8 s per 4M rows on this machine; see bench/similar.ts), writing the cache.
	 */
	static load(store: Pick<ArchiveStore, 'perceptualHashes' | 'dir'>, version = store.perceptualHashes.version()): SimilarityIndex {
		let columns = readIndexCache(store.dir, version);
		if (!columns) {
			columns = readHashColumns(store.perceptualHashes);
			writeIndexCache(store.dir, version, columns);
		}
		return new SimilarityIndex(HashIndex.build(columns.hi, columns.lo), columns.imageIds);
	}

	/** Hashes indexed. */
	get size(): number {
		return this.#index.size;
	}

	/** Image ids within `maxDistance` of `hash`, nearest first. */
	near(hash: PerceptualHash, maxDistance: number, limit?: number): Array<{imageId: number; distance: number}> {
		const [hi, lo] = wordsOfHash(hash);
		return this.#index.near(hi, lo, maxDistance, limit).map(({position, distance}) => ({imageId: this.#imageIds[position], distance}));
	}

	/** Groups of image ids within `maxDistance` of each other (transitively), only groups of two or more. */
	families(maxDistance: number): number[][] {
		return familyPositions(this.#index, maxDistance).map((positions) => positions.map((position) => this.#imageIds[position]));
	}
}

/** What similarity lookups read of the archive (the TUI hands its read-only view). */
export type SimilarSource = Pick<ArchiveStore, 'getJob' | 'perceptualHashes' | 'dir'>;

/** Every stored hash as columns, read from the table. */
function readHashColumns(hashes: PerceptualHashes): HashColumns {
	const all = hashes.allHashes();
	const hi = new Uint32Array(all.hashes.length);
	const lo = new Uint32Array(all.hashes.length);
	for (const [i, hash] of all.hashes.entries()) [hi[i], lo[i]] = wordsOfHash(hash);
	return {imageIds: Float64Array.from(all.imageIds), hi, lo};
}

const cached = new WeakMap<PerceptualHashes, {version: string; index: SimilarityIndex}>();

/** The archive's index, built on first use and again only when the hashes changed since. */
export function similarityIndexOf(store: Pick<ArchiveStore, 'perceptualHashes' | 'dir'>): SimilarityIndex {
	const version = store.perceptualHashes.version();
	const known = cached.get(store.perceptualHashes);
	if (known?.version === version) return known.index;
	const index = SimilarityIndex.load(store, version);
	cached.set(store.perceptualHashes, {version, index});
	return index;
}

/** Check a --max-distance / maxDistance value (usage error 64 naming the flag). */
export function checkedDistance(value: number | undefined, name = '--max-distance'): number {
	if (value === undefined) return defaultSimilarDistance;
	if (!Number.isInteger(value) || value < 0 || value > maxLookupDistance) {
		throw new MjError(`${name} ${value}: expected a whole number from 0 to ${maxLookupDistance} (bits of 64 that may differ)`, {exitCode: ExitCode.usage});
	}
	return value;
}

/** A distance flag's text (`--max-distance 6`) → the number; undefined when absent; usage error 64 naming the flag otherwise. */
export function parseDistanceFlag(name: string, value: unknown): number | undefined {
	if (value === undefined) return undefined;
	if (typeof value !== 'string' || !/^\d{1,3}$/.test(value) || Number(value) > maxLookupDistance) {
		throw new MjError(`${name} ${JSON.stringify(value)}: expected a whole number from 0 to ${maxLookupDistance} (bits of 64 that may differ)`, {exitCode: ExitCode.usage});
	}
	return Number(value);
}

/** Images nearest to any of these hashes (each image once, at its smallest distance), leaving out `exclude`. */
export function nearestTo(store: SimilarSource, hashes: readonly PerceptualHash[], options: SimilarOptions & {exclude?: ReadonlySet<number>}): SimilarImage[] {
	const maxDistance = checkedDistance(options.maxDistance);
	const limit = options.limit ?? 20;
	const index = similarityIndexOf(store);
	const best = new Map<number, number>();
	for (const hash of hashes) {
		for (const {imageId, distance} of index.near(hash, maxDistance)) {
			if (options.exclude?.has(imageId)) continue;
			if (distance < (best.get(imageId) ?? Number.POSITIVE_INFINITY)) best.set(imageId, distance);
		}
	}
	const ranked = [...best].sort((a, b) => a[1] - b[1] || a[0] - b[0]).slice(0, limit);
	const described = new Map(store.perceptualHashes.describe(ranked.map(([id]) => id)).map((file) => [file.imageId, file]));
	return ranked.flatMap(([imageId, distance]) => {
		const file = described.get(imageId);
		return file ? [{...file, distance}] : [];
	});
}

/** What a query by job looked for: the job's images and their hashes (computed now when not stored yet). */
export interface JobQuery {
	images: Array<{imageId: number; index: number; variant: string; hash: PerceptualHash | null; unhashable: string | null}>;
}

/**
 * The hashes of a job's downloaded images (`index` picks one); a file not
 * hashed yet is hashed now (not stored: the caller may hold the archive read-only).
 * Unknown job: MjError 65; a job with no downloaded image: 65 saying so.
 */
export async function hashesOfJob(store: SimilarSource, jobId: string, index?: number): Promise<JobQuery> {
	if (!store.getJob(jobId)) throw new MjError(`no job ${JSON.stringify(jobId)} in the archive ${store.dir}`, {exitCode: ExitCode.dataError, hint: 'mj-tui search finds job ids; a path to an image file works too.'});
	const files = store.perceptualHashes.ofJob(jobId).filter((file) => index === undefined || file.index === index);
	if (files.length === 0) {
		const which = index === undefined ? 'no downloaded file' : `no downloaded image ${index}`;
		throw new MjError(`job ${jobId} has ${which} to compare`, {exitCode: ExitCode.dataError, hint: 'mj-tui --batch downloads it.'});
	}
	const images: JobQuery['images'] = [];
	for (const file of files) {
		let {hash, unhashable} = file;
		if (hash === null && unhashable === null) {
			try {
				const outcome = await perceptualHashOfFile(path.isAbsolute(file.path) ? file.path : resolveInside(store.dir, file.path));
				if (outcome.kind === 'hash') hash = outcome.hash;
				else unhashable = outcome.reason;
			} catch (error) {
				unhashable = `unreadable: ${(error as Error).message}`;
			}
		}
		images.push({imageId: file.imageId, index: file.index, variant: file.variant, hash, unhashable});
	}
	return {images};
}

/**
 * The images most like a job's (only its image `index` when given), leaving out the compared images themselves.
 * MjError 65 for an unknown job, or one with no image that has (or can get) a hash.
 */
export async function similarToJob(store: SimilarSource, jobId: string, options: SimilarOptions & {index?: number}): Promise<{compared: JobQuery['images']; similar: SimilarImage[]}> {
	const query = await hashesOfJob(store, jobId, options.index);
	const hashes = query.images.flatMap((image) => image.hash === null ? [] : [image.hash]);
	if (hashes.length === 0) {
		throw new MjError(`job ${jobId} has no image to compare (${query.images.map((image) => image.unhashable).join('; ')})`, {exitCode: ExitCode.dataError});
	}
	const similar = nearestTo(store, hashes, {...options, exclude: new Set(query.images.map((image) => image.imageId))});
	return {compared: query.images, similar};
}

/** The hash of an image file anywhere (not stored). Missing or unreadable: MjError 66; not an image: 65. */
export async function hashOfImageFile(file: string): Promise<PerceptualHash> {
	let outcome;
	try {
		outcome = await perceptualHashOfFile(file);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a folder, not a file' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
		throw new MjError(`cannot read ${file}: ${why}`, {exitCode: ExitCode.noInput, cause: error});
	}
	if (outcome.kind === 'unhashable') throw new MjError(`${file} is not an image mj-tui can read (${outcome.reason})`, {exitCode: ExitCode.dataError});
	return outcome.hash;
}
