/**
 * `verify`: re-hash every archived file against the sha256 recorded when it
 * was downloaded, and find what the database and the disk disagree about:
 * missing files, corrupt files, files under images/ the archive does not know
 * (orphans) and partial downloads nothing will resume (stale partials).
 */
import {createHash} from 'node:crypto';
import {lstat, mkdir, open, opendir, rename} from 'node:fs/promises';
import path from 'node:path';
import type {ArchiveStore} from './archive/store.js';
import type {Config} from './config.js';
import {isDownloadable} from './downloads/cdn-url.js';
import {runDownloads, type DownloadRunOptions} from './downloads/run.js';
import type {DownloadSummary} from './downloads/types.js';

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

export type ProblemKind = 'missing' | 'corrupt' | 'orphan' | 'stale-partial';

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

interface DoneRow {
	id: number;
	job_id: string | null;
	path: string;
	bytes: number | null;
	sha256: string | null;
}

/** The absolute location of a stored path: relative ones live in the archive, absolute ones (imported in place) where they are. */
export function storedPathLocation(archiveDir: string, stored: string): string {
	return path.isAbsolute(stored) ? stored : path.join(archiveDir, stored);
}

async function checkFile(archiveDir: string, row: DoneRow): Promise<VerifyProblem | {bytes: number}> {
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

/** Every regular file under `dir`, as paths relative to `root` with `/` separators. Symlinks are not followed. */
async function* walkFiles(root: string, dir: string): AsyncGenerator<string> {
	let entries;
	try {
		entries = await opendir(dir);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
		throw error;
	}
	for await (const entry of entries) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) yield* walkFiles(root, full);
		else if (entry.isFile()) yield path.relative(root, full).split(path.sep).join('/');
	}
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
	const total = only ? only.size : (store.db.prepare(`SELECT count(*) AS n FROM images WHERE status = 'done' AND path IS NOT NULL`).get() as {n: number}).n;

	// Rows are read in id pages so the statement is not held open across awaits.
	const page = store.db.prepare(
		`SELECT id, job_id, path, bytes, sha256 FROM images WHERE status = 'done' AND path IS NOT NULL AND id > ? ORDER BY id LIMIT 500`,
	);
	let lastId = 0;
	for (;;) {
		options.signal?.throwIfAborted();
		const fetched = page.all(lastId) as DoneRow[];
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
		report.problems.push(...(await findOrphans(store)), ...(await findStalePartials(store)));
	}
	report.durationMs = performance.now() - started;
	return report;
}

/** Files under images/ that no image row points at. Uses a temp table so 1M paths never sit in a JS Set. */
async function findOrphans(store: ArchiveStore): Promise<VerifyProblem[]> {
	const db = store.db;
	db.exec(`CREATE TEMP TABLE IF NOT EXISTS verify_disk_files (path TEXT PRIMARY KEY); DELETE FROM temp.verify_disk_files;`);
	const insert = db.prepare(`INSERT OR IGNORE INTO temp.verify_disk_files (path) VALUES (?)`);
	const insertMany = db.transaction((paths: string[]) => {
		for (const p of paths) insert.run(p);
	});
	let batch: string[] = [];
	for await (const relative of walkFiles(store.dir, path.join(store.dir, 'images'))) {
		batch.push(relative);
		if (batch.length >= 5000) {
			insertMany(batch);
			batch = [];
		}
	}
	insertMany(batch);
	const orphans = db
		// EXCEPT sorts both sides once; a per-file lookup would scan images (no index on path) per file.
		.prepare(`SELECT path FROM temp.verify_disk_files EXCEPT SELECT path FROM images WHERE path IS NOT NULL ORDER BY 1`)
		.pluck()
		.all() as string[];
	db.exec(`DROP TABLE temp.verify_disk_files`);
	return orphans.map(orphan => ({kind: 'orphan' as const, path: orphan}));
}

/** Partials under .parts/ that no unfinished image row will resume. */
async function findStalePartials(store: ArchiveStore): Promise<VerifyProblem[]> {
	const resumable = store.db.prepare(`SELECT 1 FROM images WHERE part_path = ? AND status != 'done'`).pluck();
	const stale: VerifyProblem[] = [];
	for await (const relative of walkFiles(store.dir, path.join(store.dir, '.parts'))) {
		if (!resumable.get(relative)) {
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
	const urlOf = store.db.prepare(`SELECT url FROM images WHERE id = ?`).pluck();
	// The path stays: the engine downloads pending rows to their planned path, which is free once the bad file is set aside.
	const requeue = store.db.prepare(
		`UPDATE images SET status = 'pending', bytes = NULL, sha256 = NULL, part_path = NULL, attempts = 0, last_error = ?, updated_at = ? WHERE id = ?`,
	);
	const ids: number[] = [];
	const oldPaths = new Map<number, string>();
	const quarantined: string[] = [];
	const unrepairable: VerifyProblem[] = [];
	for (const problem of problems) {
		const url = problem.imageId === undefined ? undefined : (urlOf.get(problem.imageId) as string | undefined);
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
		requeue.run(`verify: ${problem.kind}${problem.detail ? ` (${problem.detail})` : ''}`, Date.now(), problem.imageId!);
		ids.push(problem.imageId!);
		oldPaths.set(problem.imageId!, problem.path);
	}
	const download = await runDownloads({store, config, signal: options.signal, onSnapshot: options.onSnapshot});
	const after = await verifyArchive(store, {signal: options.signal, only: ids});
	// Rows the download could not bring back are still missing.
	const statusOf = store.db.prepare(`SELECT status, last_error FROM images WHERE id = ?`);
	for (const id of ids) {
		const row = statusOf.get(id) as {status: string; last_error: string | null};
		if (row.status !== 'done') after.problems.push({kind: 'missing', path: oldPaths.get(id)!, imageId: id, detail: `download ${row.status}: ${row.last_error ?? ''}`.trim()});
	}
	return {requeued: ids.length, quarantined, unrepairable, download, after};
}
