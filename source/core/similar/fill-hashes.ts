/**
 * Computing the perceptual hashes the archive lacks: every downloaded file
 * (`verify`, `import`) or, beside a download run, the ones it finished and
 * then older ones (background-hasher.ts). Videos and files no decoder reads are
 * recorded as not hashable, so they are never tried again; a file missing from
 * disk is left for verify to report (and hashed once it is back).
 */
import path from 'node:path';
import type {HashRecord, UnhashedFile} from '../archive/perceptual-hashes.js';
import type {ArchiveStore} from '../archive/store.js';
import {resolveInside} from '../downloads/naming.js';
import {perceptualHashOfFile, type HashOutcome} from './perceptual-hash.js';

/** What a fill did: files hashed, files recorded as not hashable, files that could not be read. */
export interface HashFillSummary {
	hashed: number;
	unhashable: number;
	unreadable: number;
}

export interface HashFillOptions {
	/** Only these image rows (the files one download run finished); default: every done file without a hash. */
	imageIds?: readonly number[];
	signal?: AbortSignal;
	/** Files decoded at once (sharp also uses threads inside each). */
	concurrency?: number;
	/** Called after each batch is stored, with the running summary. */
	onProgress?: (summary: HashFillSummary) => void;
}

const pageSize = 64;

/** Hash the done files that have no current hash; resolves with what it did (stops early, storing what it has, on abort). */
export async function fillPerceptualHashes(store: ArchiveStore, options: HashFillOptions = {}): Promise<HashFillSummary> {
	const summary: HashFillSummary = {hashed: 0, unhashable: 0, unreadable: 0};
	const concurrency = Math.max(1, options.concurrency ?? 2);
	let afterId = 0;
	const pages = options.imageIds === undefined ? undefined : chunks(options.imageIds, pageSize);
	for (;;) {
		if (options.signal?.aborted) break;
		const page = pages ? (pages.length > 0 ? store.perceptualHashes.unhashedAmong(pages.shift()!) : undefined) : store.perceptualHashes.unhashed(pageSize, afterId);
		if (page === undefined || (pages === undefined && page.length === 0)) break;
		if (page.length > 0) afterId = page.at(-1)!.imageId;
		const records: HashRecord[] = [];
		let next = 0;
		const worker = async (): Promise<void> => {
			while (next < page.length && !options.signal?.aborted) {
				const record = await hashRecordOf(store, page[next++]);
				if (record === undefined) summary.unreadable++;
				else records.push(record);
			}
		};
		await Promise.all(Array.from({length: concurrency}, worker));
		if (!store.images.isOpen) break;
		store.perceptualHashes.record(records);
		for (const record of records) {
			if (record.hash === null) summary.unhashable++;
			else summary.hashed++;
		}
		options.onProgress?.({...summary});
	}
	return summary;
}

/** How a file's perceptual hash is computed: in this process (perceptualHashOfFile) or a low-priority one. */
export type HashFile = (file: string) => Promise<HashOutcome>;

/** The record for one file; undefined when it cannot be read now (missing, no permission). */
export async function hashRecordOf(store: ArchiveStore, file: UnhashedFile, hashFile: HashFile = perceptualHashOfFile): Promise<HashRecord | undefined> {
	const base = {imageId: file.imageId, sha256: file.sha256};
	if (file.variant === 'mp4') return {...base, hash: null, unhashable: 'a video'};
	// Identical bytes were hashed already (a hard-linked duplicate, a re-import): no need to decode them again.
	const known = file.sha256 === null ? undefined : store.perceptualHashes.hashOfContent(file.sha256);
	if (known !== undefined) return {...base, hash: known, unhashable: null};
	try {
		const absolute = path.isAbsolute(file.path) ? file.path : resolveInside(store.dir, file.path);
		const outcome = await hashFile(absolute);
		return outcome.kind === 'hash' ? {...base, hash: outcome.hash, unhashable: null} : {...base, hash: null, unhashable: outcome.reason};
	} catch {
		return undefined;
	}
}

function chunks<T>(items: readonly T[], size: number): T[][] {
	const out: T[][] = [];
	for (let at = 0; at < items.length; at += size) out.push(items.slice(at, at + size));
	return out;
}
