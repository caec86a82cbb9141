/**
 * `export --format dataset --dedupe`: one image per near-duplicate family, so
 * a fine-tuning set is not padded with near-copies. Families are found among
 * the exported images only (a filter that leaves one member out does not
 * drop the rest for it), and each keeps its best member:
 *   1. the most pixels (an upscale beats the grid image it came from),
 *   2. an upscale over other kinds at equal size,
 *   3. the higher rating,
 *   4. the larger file (more detail survived compression),
 *   5. the older image (the original before its variations).
 */
import type {HashedFile} from '../archive/perceptual-hashes.js';
import type {ArchiveStore} from '../archive/store.js';
import {familyPositions} from './families.js';
import {HashIndex} from './hash-index.js';
import {wordsOfHash} from './perceptual-hash.js';

/** An exported image, by job, index and variant (how dataset records name files). */
export interface ImageKey {
	jobId: string;
	index: number;
	variant: string;
}

/** An image left out, and the family member kept in its place. */
export interface DroppedImage extends ImageKey {
	kept: ImageKey;
}

export interface DedupePlan {
	maxDistance: number;
	/** Families of two or more among the exported images. */
	families: number;
	dropped: DroppedImage[];
	/** Exported images with no perceptual hash (kept: nothing says they repeat another). */
	unhashed: number;
	/** Whether an image is one to leave out. */
	drops(image: ImageKey): boolean;
}

const keyOf = (image: ImageKey): string => `${image.jobId}\u0000${image.index}\u0000${image.variant}`;

/** Better first: see the module comment for the order. */
function compareForKeeping(a: HashedFile, b: HashedFile): number {
	const upscale = (file: HashedFile) => (/upscale|upsample/i.test(file.eventType ?? '') ? 1 : 0);
	return (b.pixels ?? 0) - (a.pixels ?? 0)
		|| upscale(b) - upscale(a)
		|| (b.rating ?? -1) - (a.rating ?? -1)
		|| (b.bytes ?? 0) - (a.bytes ?? 0)
		|| (a.enqueuedAt ?? Number.POSITIVE_INFINITY) - (b.enqueuedAt ?? Number.POSITIVE_INFINITY)
		|| a.imageId - b.imageId;
}

/** Decide which of these exported images to leave out. */
export function planDedupe(store: ArchiveStore, exported: readonly ImageKey[], maxDistance: number): DedupePlan {
	const wanted = new Set(exported.map(keyOf));
	const imageIds: number[] = [];
	let unhashed = 0;
	for (const jobId of new Set(exported.map((image) => image.jobId))) {
		for (const file of store.perceptualHashes.ofJob(jobId)) {
			if (!wanted.has(keyOf({jobId, index: file.index, variant: file.variant}))) continue;
			if (file.hash === null) unhashed++;
			else imageIds.push(file.imageId);
		}
	}
	const files = store.perceptualHashes.describe(imageIds);
	const hi = new Uint32Array(files.length);
	const lo = new Uint32Array(files.length);
	for (const [i, file] of files.entries()) [hi[i], lo[i]] = wordsOfHash(file.hash);
	const groups = familyPositions(HashIndex.build(hi, lo), maxDistance);
	const dropped: DroppedImage[] = [];
	const asKey = (file: HashedFile): ImageKey => ({jobId: file.jobId ?? '', index: file.index, variant: file.variant});
	for (const group of groups) {
		const [best, ...rest] = group.map((position) => files[position]).sort(compareForKeeping);
		for (const file of rest) dropped.push({...asKey(file), kept: asKey(best)});
	}
	const droppedKeys = new Set(dropped.map(keyOf));
	return {maxDistance, families: groups.length, dropped, unhashed, drops: (image) => droppedKeys.has(keyOf(image))};
}
