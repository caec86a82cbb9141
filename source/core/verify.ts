/**
 * `verify`: re-hash every archived file against the sha256 recorded when it
 * was downloaded, and find what the database and the disk disagree about:
 * missing files, corrupt files, files under images/ the archive does not know
 * (orphans) and partial downloads nothing will resume (stale partials).
 */
import {createHash} from 'node:crypto';
import {lstat, mkdir, open, rename} from 'node:fs/promises';
import fs from 'node:fs';
import path from 'node:path';
import type {ArchiveStore} from './archive/store.js';
import type {Config} from './config/config.js';
import {isDownloadable} from './downloads/cdn-url.js';
import {runDownloads, type DownloadRunOptions} from './downloads/run.js';
import type {DownloadSummary} from './downloads/types.js';
import type {ExpectedFileRow} from './archive/verify-queries.js';
import {walkFiles} from './file-walk.js';
import {findStaleTemporaries, temporaryFileOwner} from './temp-files.js';

/** Large reads keep syscalls few; one buffer per call keeps memory flat. */
const chunkBytes = 1024 * 1024;
/** Files hashed at once: overlaps one file's read with another's hashing. */
const parallelFiles = 4;

/** sha256 (hex) and size of a file, streamed in 1 MiB chunks. */
export async function sha256File(filePath: string): Promise<{sha256: string; bytes: number}> {
	const handle = await open(filePath, 'r');
	try {
		const hash = createHash('sha256');
		const buffer = Buffer.allocUnsafe(chunkBytes);
		let bytes = 0;
		for (;;) {
			const {bytesRead} = await handle.read(buffer, 0, chunkBytes, null);
			if (bytesRead === 0) break;
			hash.update(buffer.subarray(0, bytesRead));
			bytes += bytesRead;
		}
		return {sha256: hash.digest('hex'), bytes};
	} finally {
		await handle.close();
	}
}

export type ProblemKind = 'missing' | 'corrupt' | 'orphan' | 'stale-partial' | 'stale-temp';

export interface VerifyProblem {
	kind: ProblemKind;
	/** Path as stored (relative to the archive, or absolute for files imported in place). */
	path: string;
	/** images.id, for missing and corrupt files. */
	imageId?: number;
	jobId?: string | null;
	/** What is wrong, e.g. "sha256 mismatch" or "size 120 != 4096". */
	detail?: string;
}

export interface VerifyReport {
	/** Done files checked. */
	checked: number;
	/** Bytes hashed. */
	bytes: number;
	ok: number;
	problems: VerifyProblem[];
	durationMs: number;
}

/** The absolute location of a stored path: relative ones live in the archive, absolute ones (imported in place) where they are. */
export function storedPathLocation(archiveDir: string, stored: string): string {
	return path.isAbsolute(stored) ? stored : path.join(archiveDir, stored);
}

async function checkFile(archiveDir: string, row: ExpectedFileRow): Promise<VerifyProblem | {bytes: number}> {
	const location = storedPathLocation(archiveDir, row.path);
	let actual: {sha256: string; bytes: number};
	try {
		actual = await sha256File(location);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ENOENT' || code === 'ENOTDIR') return {kind: 'missing', path: row.path, imageId: row.id, jobId: row.job_id};
		return {kind: 'corrupt', path: row.path, imageId: row.id, jobId: row.job_id, detail: `unreadable (${code ?? String(error)})`};
	}
	if (row.bytes !== null && actual.bytes !== row.bytes) {
		return {kind: 'corrupt', path: row.path, imageId: row.id, jobId: row.job_id, detail: `size ${actual.bytes} != recorded ${row.bytes}`};
	}
	if (row.sha256 && actual.sha256 !== row.sha256) {
		return {kind: 'corrupt', path: row.path, imageId: row.id, jobId: row.job_id, detail: 'sha256 mismatch'};
	}
	return {bytes: actual.bytes};
}

/**
 * Check the whole archive. `only` limits the hash pass to these image ids (used
 * after a repair to re-check what was re-downloaded). Progress is reported per
 * file through `onProgress`.
 */
export async function verifyArchive(
	store: ArchiveStore,
	options: {signal?: AbortSignal; only?: readonly number[]; onProgress?: (checked: number, total: number) => void} = {},
): Promise<VerifyReport> {
	const started = performance.now();
	const archiveDir = store.dir;
	const report: VerifyReport = {checked: 0, bytes: 0, ok: 0, problems: [], durationMs: 0};
	const only = options.only ? new Set(options.only) : undefined;
	const queries = store.verifyQueries;
	const total = only ? only.size : queries.countDone();

	let lastId = 0;
	for (;;) {
		options.signal?.throwIfAborted();
		const fetched = queries.donePage(lastId);
		if (fetched.length === 0) break;
		lastId = fetched.at(-1)!.id;
		const rows = only ? fetched.filter(row => only.has(row.id)) : fetched;
		let next = 0;
		const worker = async () => {
			while (next < rows.length) {
				const row = rows[next++]!;
				const result = await checkFile(archiveDir, row);
				report.checked++;
				if ('kind' in result) report.problems.push(result);
				else {
					report.ok++;
					report.bytes += result.bytes;
				}
				options.onProgress?.(report.checked, total);
			}
		};
		await Promise.all(Array.from({length: parallelFiles}, worker));
	}

	if (!only) {
		report.problems.push(...(await findOwedFiles(store)), ...(await findOrphans(store)), ...(await findStalePartials(store)), ...(await findStaleTemps(store)));
	}
	report.durationMs = performance.now() - started;
	return report;
}

/**
 * Files queued for download whose file is not on disk: missing too. A
 * `verify --repair` killed part-way leaves the files it re-queued pending, and
 * a verify that looked only at finished files would call that archive clean.
 */
async function findOwedFiles(store: ArchiveStore): Promise<VerifyProblem[]> {
	const owed: VerifyProblem[] = [];
	for (let lastId = 0; ;) {
		const rows = store.verifyQueries.pendingPage(lastId);
		if (rows.length === 0) return owed;
		lastId = rows.at(-1)!.id;
		for (const row of rows) {
			const present = await lstat(storedPathLocation(store.dir, row.path)).then(() => true, () => false);
			if (!present) owed.push({kind: 'missing', path: row.path, imageId: row.id, jobId: row.job_id, detail: 'queued for download, not on disk'});
		}
	}
}

/** Files under images/ that no image row points at; mj-tui's own temp files are not orphans (stale ones are reported apart). */
async function findOrphans(store: ArchiveStore): Promise<VerifyProblem[]> {
	async function* diskPaths() {
		for await (const relative of walkFiles(store.dir, path.join(store.dir, 'images'))) {
			if (!temporaryFileOwner(path.posix.basename(relative))) yield relative;
		}
	}
	const orphans = await store.verifyQueries.unknownPaths(diskPaths());
	return orphans.map(orphan => ({kind: 'orphan' as const, path: orphan}));
}

/** Temp files left by an mj-tui process that has ended (a killed import, embed, ...): `clean --temps` removes them. */
async function findStaleTemps(store: ArchiveStore): Promise<VerifyProblem[]> {
	const stale: VerifyProblem[] = [];
	for await (const temporary of findStaleTemporaries(store.dir)) {
		stale.push({kind: 'stale-temp', path: temporary.path, detail: `${temporary.bytes} bytes, left by an interrupted ${temporary.purpose}`});
	}
	return stale;
}

/** Partials under .parts/ that no unfinished image row will resume. */
async function findStalePartials(store: ArchiveStore): Promise<VerifyProblem[]> {
	const stale: VerifyProblem[] = [];
	for await (const relative of walkFiles(store.dir, path.join(store.dir, '.parts'))) {
		if (!store.verifyQueries.isResumablePart(relative)) {
			const info = await lstat(path.join(store.dir, relative));
			stale.push({kind: 'stale-partial', path: relative, detail: `${info.size} bytes, last written ${info.mtime.toISOString()}`});
		}
	}
	return stale;
}

export interface RepairReport {
	/** Image rows marked pending again. */
	requeued: number;
	/** Corrupt files moved aside to .quarantine/ before re-downloading (kept, not deleted). */
	quarantined: string[];
	/** Problems --repair cannot fix (orphans, stale partials, files imported in place). */
	unrepairable: VerifyProblem[];
	download: DownloadSummary;
	/** The re-check of the requeued rows after downloading. */
	after: VerifyReport;
}

/**
 * Re-queue missing and corrupt files and download them again. Corrupt files
 * are moved to .quarantine/ first, so the download starts clean and nothing
 * once on disk is destroyed. Only rows with an http(s) URL can be fetched again.
 */
export async function repairArchive(
	store: ArchiveStore,
	config: Config,
	problems: readonly VerifyProblem[],
	options: {signal?: AbortSignal; onSnapshot?: DownloadRunOptions['onSnapshot']} = {},
): Promise<RepairReport> {
	const queries = store.verifyQueries;
	const ids: number[] = [];
	const oldPaths = new Map<number, string>();
	const quarantined: string[] = [];
	const unrepairable: VerifyProblem[] = [];
	for (const problem of problems) {
		const url = problem.imageId === undefined ? undefined : queries.urlOf(problem.imageId);
		if ((problem.kind !== 'missing' && problem.kind !== 'corrupt') || !url || !isDownloadable(url)) {
			unrepairable.push(problem);
			continue;
		}
		if (problem.kind === 'corrupt' && !path.isAbsolute(problem.path)) {
			const aside = path.join(store.dir, '.quarantine', `${problem.path}.${Date.now()}`);
			await mkdir(path.dirname(aside), {recursive: true});
			await rename(path.join(store.dir, problem.path), aside).catch(() => undefined);
			quarantined.push(path.relative(store.dir, aside).split(path.sep).join('/'));
		}
		// The path stays: the engine downloads pending rows to their planned path, which is free once the bad file is set aside.
		// A row still queued keeps its partial, so the download resumes it.
		if (queries.statusOf(problem.imageId!)?.status !== 'pending') queries.requeue(problem.imageId!, `verify: ${problem.kind}${problem.detail ? ` (${problem.detail})` : ''}`);
		ids.push(problem.imageId!);
		oldPaths.set(problem.imageId!, problem.path);
	}
	const download = await runDownloads({store, config, signal: options.signal, onSnapshot: options.onSnapshot});
	const after = await verifyArchive(store, {signal: options.signal, only: ids});
	// Rows the download could not bring back are still missing.
	for (const id of ids) {
		const row = queries.statusOf(id)!;
		if (row.status !== 'done') after.problems.push({kind: 'missing', path: oldPaths.get(id)!, imageId: id, detail: `download ${row.status}: ${row.last_error ?? ''}`.trim()});
	}
	// A download run that went to the end clears the partials nothing waits for (run.ts): those are problems no more.
	const remaining = unrepairable.filter((problem) => problem.kind !== 'stale-partial' || fs.existsSync(path.join(store.dir, problem.path)));
	return {requeued: ids.length, quarantined, unrepairable: remaining, download, after};
}
