/**
 * `mj-tui embed` and `--embed-metadata`: write each downloaded PNG's full
 * command and job id into the file itself (png-text.ts does one file), and
 * keep the archive's hash and size of the rewritten file true.
 */
import path from 'node:path';
import type {ArchiveStore} from '../archive/store.js';
import {embedJobMetadata} from './png-text.js';
import {isDiskFull} from '../downloads/disk-full.js';

/** Files per page: the walk holds one page of rows at a time. */
const pageSize = 500;

export interface EmbedReport {
	embedded: number;
	/** Files that already carried the text. */
	unchanged: number;
	failed: Array<{path: string; reason: string}>;
}

/**
 * Embed metadata into the archive's downloaded PNGs and record their new
 * sha256/bytes. `changedSince` (epoch ms) limits it to rows updated since then,
 * e.g. the files one download run fetched (`--embed-metadata` after a batch).
 */
export async function embedArchiveMetadata(store: ArchiveStore, options: {changedSince?: number; signal?: AbortSignal} = {}): Promise<EmbedReport> {
	const report: EmbedReport = {embedded: 0, unchanged: 0, failed: []};
	let lastId = 0;
	for (;;) {
		const page = store.embeds.donePngs(options.changedSince ?? 0, lastId, pageSize);
		if (page.length === 0) break;
		lastId = page.at(-1)!.id;
		for (const row of page) {
			options.signal?.throwIfAborted();
			try {
				const file = path.isAbsolute(row.path) ? row.path : path.join(store.dir, row.path);
				const written = await embedJobMetadata(file, {fullCommand: row.fullCommand, id: row.jobId});
				if (written) {
					store.embeds.recordRewrite(row.id, written.sha256, written.bytes);
					report.embedded++;
				} else report.unchanged++;
			} catch (error) {
				// A full disk fails every file after this one too: stop the pass (exit 74) instead of listing them all.
				if (isDiskFull(error)) throw error;
				report.failed.push({path: row.path, reason: (error as Error).message});
			}
		}
	}
	return report;
}
