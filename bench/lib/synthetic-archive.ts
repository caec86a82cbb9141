/**
 * Build a large archive for benchmarks (TUI, tools, search): the stand-in's
 * deterministic jobs written through ArchiveStore.upsertJobs in batches of
 * 1,000, as a sync would, optionally with images rows in a done/pending/failed mix.
 */
import fs from 'node:fs';
import path from 'node:path';
import {generateJob} from '../../fixtures/jobs.js';
import {ArchiveStore} from '../../source/core/archive/store.js';
import {openArchiveDb} from './archive-db.js';

export interface SyntheticArchiveOptions {
	/** Generator seed. Default 1. */
	seed?: number;
	/** Also write one images row per image (png variant). Default false. */
	images?: boolean;
	/** Share of images marked done (the rest pending, a few failed). Default 0.8. */
	doneShare?: number;
	/** Share of images marked failed. Default 0.01. */
	failedShare?: number;
	/** Bytes recorded for each done image. Default 1.5 MB. */
	imageBytes?: number;
	/** Called after each batch with the jobs written so far. */
	onProgress?: (jobsWritten: number) => void;
}

export interface SyntheticArchiveResult {
	jobs: number;
	images: number;
	durationMs: number;
}

const batchSize = 1000;

/**
 * Bumped when the builder or the store writes rows differently (2: time-ordered
 * rowids; 3: image_totals; 4: job_count), so ensureSyntheticArchive rebuilds archives an older checkout left behind.
 */
const builderVersion = 4;
const stampKey = 'synthetic_archive';

function versionOf(stamp: string): number | undefined {
	try {
		return (JSON.parse(stamp) as {builderVersion?: number}).builderVersion;
	} catch {
		return undefined;
	}
}

function stampOf(jobCount: number, options: SyntheticArchiveOptions): string {
	return JSON.stringify({builderVersion, jobCount, seed: options.seed ?? 1, images: options.images ?? false});
}

/** Fill `<dir>/archive.db` with `jobCount` generated jobs (newest first, like a sync). */
export function buildSyntheticArchive(dir: string, jobCount: number, options: SyntheticArchiveOptions = {}): SyntheticArchiveResult {
	const seed = options.seed ?? 1;
	const doneShare = options.doneShare ?? 0.8;
	const failedShare = options.failedShare ?? 0.01;
	const imageBytes = options.imageBytes ?? 1_500_000;
	const started = performance.now();
	const store = ArchiveStore.open(dir);
	// The images rows and the index rebuild go through a connection of the builder's own (the store's is private).
	const db = openArchiveDb(dir, {writable: true});
	let images = 0;
	try {
		// Ids, urls and hashes arrive in random key order: a big page cache keeps the index inserts in memory.
		db.pragma('cache_size = -1048576');
		// A benchmark fixture, rebuilt if interrupted (no stamp): skip fsyncs, and build the secondary
		// indexes once at the end (a sort) instead of inserting millions of random keys into them.
		db.pragma('synchronous = OFF');
		const secondaryIndexes = db.prepare(
			'SELECT name, sql FROM sqlite_master WHERE type = \'index\' AND sql IS NOT NULL AND tbl_name IN (\'jobs\', \'images\')',
		).all() as Array<{name: string; sql: string}>;
		for (const index of secondaryIndexes) {
			db.exec(`DROP INDEX "${index.name}"`);
		}

		const insertImage = db.prepare(
			`INSERT OR IGNORE INTO images (job_id, idx, variant, url, path, bytes, sha256, status, attempts, last_error, updated_at)
			VALUES (?, ?, 'png', ?, ?, ?, ?, ?, ?, ?, ?)`,
		);
		const writeImages = db.transaction((jobs: ReadonlyArray<{id: string; batch_size: number}>, firstIndex: number) => {
			const now = Date.now();
			for (const [offset, job] of jobs.entries()) {
				for (let idx = 0; idx < job.batch_size; idx++) {
					// A deterministic spread of states, not random: the same archive every run.
					const roll = (((firstIndex + offset) * 7919 + idx * 104_729) % 10_000) / 10_000;
					const status = roll < doneShare ? 'done' : roll < doneShare + failedShare ? 'failed' : 'pending';
					const done = status === 'done';
					insertImage.run(
						job.id, idx, `https://cdn.midjourney.com/${job.id}/0_${idx}.png`,
						done ? `images/${job.id.slice(0, 2)}/${job.id}_${idx}.png` : null,
						done ? imageBytes : null,
						done ? `${job.id.replaceAll('-', '')}${idx}`.padEnd(64, '0') : null,
						status, status === 'pending' ? 0 : 1, status === 'failed' ? 'HTTP 404 from the CDN' : null, now,
					);
					images++;
				}
			}
		});

		for (let first = 0; first < jobCount; first += batchSize) {
			const jobs = [];
			for (let index = first; index < Math.min(first + batchSize, jobCount); index++) {
				jobs.push(generateJob(index, seed, jobCount));
			}

			store.upsertJobs(jobs);
			if (options.images) {
				writeImages(jobs, first);
			}

			options.onProgress?.(Math.min(first + batchSize, jobCount));
		}

		for (const index of secondaryIndexes) {
			db.exec(index.sql);
		}

		store.setMeta(stampKey, stampOf(jobCount, options));
	} finally {
		db.close();
		store.close();
	}

	return {jobs: jobCount, images, durationMs: performance.now() - started};
}

/**
 * Reuse the synthetic archive at `dir` when it was built by this builder with
 * the same count and options; otherwise (re)build it. Returns the build result,
 * or undefined when the archive was reused. An archive of this builder's
 * version with other settings belongs to another bench (BENCH_ARCHIVE pointed
 * at it): that is refused, not rebuilt, because rebuilding wiped the other
 * bench's 1M-job archive once.
 */
export function ensureSyntheticArchive(dir: string, jobCount: number, options: SyntheticArchiveOptions = {}): SyntheticArchiveResult | undefined {
	if (fs.existsSync(path.join(dir, 'archive.db'))) {
		let stamp: string | undefined;
		try {
			const store = ArchiveStore.open(dir, {readonly: true});
			stamp = store.getMeta(stampKey);
			store.close();
		} catch {
			// Unreadable or from another schema: rebuilt below.
		}

		if (stamp === stampOf(jobCount, options)) {
			return undefined;
		}
		if (stamp !== undefined && versionOf(stamp) === builderVersion) {
			throw new Error(`${dir} holds another bench's synthetic archive (${stamp}); this one needs ${stampOf(jobCount, options)}. Give this bench another directory, or delete that one.`);
		}
	}

	fs.rmSync(dir, {recursive: true, force: true});
	return buildSyntheticArchive(dir, jobCount, options);
}
