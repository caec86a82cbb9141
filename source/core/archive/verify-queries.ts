/**
 * The images-table questions `verify`, `verify --repair` and `clean` ask:
 * which files should be on disk, which paths on disk the archive knows, which
 * partials a download will resume, and putting a file back in the queue.
 */
import type Database from 'better-sqlite3';
import {StatementCache} from './statements.js';

/** An image row whose file should be on disk (finished), or is owed (pending). */
export interface ExpectedFileRow {
	id: number;
	job_id: string | null;
	path: string;
	bytes: number | null;
	sha256: string | null;
}

/** Rows per page when walking images: the statement is never held open across awaits. */
const pageSize = 500;
/** Disk paths inserted per transaction while looking for orphans. */
const pathsPerTransaction = 5000;

export class VerifyQueries {
	readonly #db: Database.Database;
	readonly #statements: StatementCache;

	constructor(db: Database.Database) {
		this.#db = db;
		this.#statements = new StatementCache(db);
	}

	/** How many finished files the archive records. */
	countDone(): number {
		return this.#statements.get(`SELECT count(*) FROM images WHERE status = 'done' AND path IS NOT NULL`).pluck().get() as number;
	}

	/** The next page of finished files after image id `afterId`. */
	donePage(afterId: number): ExpectedFileRow[] {
		return this.#statements
			.get(`SELECT id, job_id, path, bytes, sha256 FROM images WHERE status = 'done' AND path IS NOT NULL AND id > ? ORDER BY id LIMIT ${pageSize}`)
			.all(afterId) as ExpectedFileRow[];
	}

	/** The next page of files queued for download (a planned path, not finished) after `afterId`. */
	pendingPage(afterId: number): ExpectedFileRow[] {
		return this.#statements
			.get(`SELECT id, job_id, path, bytes, sha256 FROM images WHERE status = 'pending' AND path IS NOT NULL AND id > ? ORDER BY id LIMIT ${pageSize}`)
			.all(afterId) as ExpectedFileRow[];
	}

	/**
	 * Of the paths on disk, those no image row points at, sorted. Uses a temp
	 * table so a million paths never sit in a JS Set, and one EXCEPT (both sides
	 * sorted once) instead of a lookup per file (images.path has no index).
	 */
	async unknownPaths(diskPaths: AsyncIterable<string>): Promise<string[]> {
		this.#db.exec(`CREATE TEMP TABLE IF NOT EXISTS verify_disk_files (path TEXT PRIMARY KEY); DELETE FROM temp.verify_disk_files;`);
		try {
			const insert = this.#db.prepare(`INSERT OR IGNORE INTO temp.verify_disk_files (path) VALUES (?)`);
			const insertMany = this.#db.transaction((paths: string[]) => {
				for (const diskPath of paths) insert.run(diskPath);
			});
			let batch: string[] = [];
			for await (const diskPath of diskPaths) {
				batch.push(diskPath);
				if (batch.length >= pathsPerTransaction) {
					insertMany(batch);
					batch = [];
				}
			}
			insertMany(batch);
			// An <image>.xmp sidecar beside an archived file belongs to it: not an orphan.
			return this.#db.prepare(`SELECT path FROM temp.verify_disk_files EXCEPT SELECT path FROM images WHERE path IS NOT NULL EXCEPT SELECT path || '.xmp' FROM images WHERE path IS NOT NULL ORDER BY 1`).pluck().all() as string[];
		} finally {
			this.#db.exec(`DROP TABLE IF EXISTS temp.verify_disk_files`);
		}
	}

	/** True when an unfinished image row will resume from this partial (path relative to the archive). */
	isResumablePart(relative: string): boolean {
		return this.#statements.get(`SELECT 1 FROM images WHERE part_path = ? AND status != 'done'`).pluck().get(relative) !== undefined;
	}

	/** Partials (relative to the archive) that a queued download will resume. */
	pendingPartPaths(): Set<string> {
		return new Set(this.#statements.get(`SELECT part_path FROM images WHERE part_path IS NOT NULL AND status = 'pending'`).pluck().all() as string[]);
	}

	/** Forget a removed partial: that file's next download starts afresh. */
	forgetPartial(partPath: string): void {
		this.#statements.get('UPDATE images SET part_path = NULL, etag = NULL, last_modified = NULL WHERE part_path = ?').run(partPath);
	}

	/** The URL an image row downloads from. */
	urlOf(id: number): string | undefined {
		return this.#statements.get(`SELECT url FROM images WHERE id = ?`).pluck().get(id) as string | undefined;
	}

	/** Queue a file for download again (its planned path stays); `reason` is kept as its last error. */
	requeue(id: number, reason: string): void {
		this.#statements
			.get(`UPDATE images SET status = 'pending', bytes = NULL, sha256 = NULL, part_path = NULL, attempts = 0, last_error = ?, updated_at = ? WHERE id = ?`)
			.run(reason, Date.now(), id);
	}

	/** Where a file's download stands. */
	statusOf(id: number): {status: string; last_error: string | null} | undefined {
		return this.#statements.get(`SELECT status, last_error FROM images WHERE id = ?`).get(id) as {status: string; last_error: string | null} | undefined;
	}
}
