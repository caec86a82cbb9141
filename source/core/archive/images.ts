/**
 * Every SQL statement on the archive's `images` table (exposed as
 * `store.images`): the download engine's durable state. A row is `pending` until its file is verified at its final
 * path (`done`), or it gave up (`failed`) or the user canceled it. The
 * partial's validators (ETag / Last-Modified) and announced size live here
 * too, so a restart resumes each file exactly where it stopped.
 */
import type Database from 'better-sqlite3';

export type ImageStatus = 'pending' | 'done' | 'failed' | 'canceled';

/** One images row, as the engine reads it. */
export interface ImageRow {
	id: number;
	job_id: string | null;
	idx: number;
	variant: string;
	url: string;
	path: string | null;
	bytes: number | null;
	sha256: string | null;
	status: ImageStatus;
	attempts: number;
	last_error: string | null;
	part_path: string | null;
	etag: string | null;
	last_modified: string | null;
	total_bytes: number | null;
	priority: number;
	duplicate_of: number | null;
}

/** A file to add to the archive's images table. */
export interface PlannedImage {
	jobId: string | null;
	idx: number;
	variant: string;
	url: string;
	path: string;
	priority?: number;
}

/** What the transfer learnt from the response headers, kept for resuming. */
export interface PartialState {
	partPath: string;
	etag: string | null;
	lastModified: string | null;
	totalBytes: number | null;
}

/** The outcome of a finished file. */
export interface DoneRecord {
	path: string;
	bytes: number;
	sha256: string;
	duplicateOf: number | null;
}

export type StatusCounts = Record<ImageStatus, number>;

/** One file of a job as the details pane shows it. */
export interface JobFile {
	id: number;
	index: number;
	variant: string;
	url: string;
	/** Relative to the archive; null until a name is assigned. */
	path: string | null;
	bytes: number | null;
	totalBytes: number | null;
	sha256: string | null;
	status: string;
	attempts: number;
	lastError: string | null;
}

const columns = 'id, job_id, idx, variant, url, path, bytes, sha256, status, attempts, last_error, part_path, etag, last_modified, total_bytes, priority, duplicate_of';

/** A job as the download planner reads it: what decides its files and their names. */
export interface JobToPlan {
	id: string;
	/** NULL when the API sent no enqueue_time: such files are named by first_seen_at instead. */
	enqueued_at: number | null;
	first_seen_at: number;
	job_type: string | null;
	prompt: string;
	batch_size: number | null;
	is_video: number;
}

const planColumns = 'id, enqueued_at, first_seen_at, job_type, prompt, batch_size, is_video';

/** The images table, through prepared statements. */
export class ImagesTable {
	readonly #db: Database.Database;
	readonly #statements;

	constructor(db: Database.Database) {
		this.#db = db;
		this.#statements = {
			insert: db.prepare(
				`INSERT OR IGNORE INTO images (job_id, idx, variant, url, path, priority, status, updated_at)
				 VALUES (@jobId, @idx, @variant, @url, @path, @priority, 'pending', @now)`,
			),
			get: db.prepare(`SELECT ${columns} FROM images WHERE id = ?`),
			getByUrl: db.prepare(`SELECT ${columns} FROM images WHERE url = ?`),
			pathTaken: db.prepare('SELECT 1 FROM images WHERE path = ? LIMIT 1'),
			pending: db.prepare(`SELECT ${columns} FROM images WHERE status = 'pending' ORDER BY priority DESC, id LIMIT ?`),
			listStatus: db.prepare(`SELECT ${columns} FROM images WHERE status = ? ORDER BY updated_at DESC, id LIMIT ?`),
			counts: db.prepare('SELECT status, COUNT(*) AS n FROM images GROUP BY status'),
			requeue: db.prepare(`UPDATE images SET status = 'pending', last_error = NULL, updated_at = ? WHERE id = ? AND status IN ('failed', 'canceled')`),
			requeueAllFailed: db.prepare(`UPDATE images SET status = 'pending', last_error = NULL, updated_at = ? WHERE status = 'failed'`),
			requeueJob: db.prepare(`UPDATE images SET status = 'pending', last_error = NULL, updated_at = ? WHERE job_id = ? AND status IN ('failed', 'canceled')`),
			requeueEverything: db.prepare(`UPDATE images SET status = 'pending', last_error = NULL, updated_at = ? WHERE status IN ('failed', 'canceled')`),
			priority: db.prepare('UPDATE images SET priority = ?, updated_at = ? WHERE id = ?'),
			priorityJob: db.prepare(`UPDATE images SET priority = ?, updated_at = ? WHERE job_id = ? AND status = 'pending'`),
			partial: db.prepare('UPDATE images SET part_path = ?, etag = ?, last_modified = ?, total_bytes = ?, updated_at = ? WHERE id = ?'),
			clearPartial: db.prepare('UPDATE images SET part_path = NULL, etag = NULL, last_modified = NULL, updated_at = ? WHERE id = ?'),
			done: db.prepare(
				`UPDATE images SET status = 'done', path = ?, bytes = ?, sha256 = ?, duplicate_of = ?, total_bytes = ?, part_path = NULL, last_error = NULL, updated_at = ? WHERE id = ?`,
			),
			failed: db.prepare(`UPDATE images SET status = 'failed', attempts = attempts + ?, last_error = ?, updated_at = ? WHERE id = ?`),
			attempt: db.prepare('UPDATE images SET attempts = attempts + 1, last_error = ?, updated_at = ? WHERE id = ?'),
			canceled: db.prepare(`UPDATE images SET status = 'canceled', updated_at = ? WHERE id = ? AND status = 'pending'`),
			duplicateSource: db.prepare(`SELECT id, path FROM images WHERE sha256 = ? AND status = 'done' AND duplicate_of IS NULL AND id != ? LIMIT 1`),
			partPaths: db.prepare(`SELECT part_path, status FROM images WHERE part_path IS NOT NULL`),
			forgetPartial: db.prepare('UPDATE images SET part_path = NULL, etag = NULL, last_modified = NULL WHERE part_path = ?'),
			hasFile: db.prepare('SELECT 1 FROM images WHERE job_id = ? AND idx = ? AND variant = ?'),
			ofJob: db.prepare(
				`SELECT id, idx AS "index", variant, url, path, bytes, total_bytes AS totalBytes, sha256, status, attempts, last_error AS lastError
				 FROM images WHERE job_id = ? ORDER BY idx, variant`,
			),
			jobToPlan: db.prepare(`SELECT ${planColumns} FROM jobs WHERE id = ?`),
			jobsToPlanBefore: db.prepare(`SELECT ${planColumns} FROM jobs WHERE (enqueued_at, id) < (?, ?) ORDER BY enqueued_at DESC, id DESC LIMIT ?`),
			// Jobs the API sent without a time (enqueued_at NULL never compares) come last, by id.
			undatedJobsToPlanBefore: db.prepare(`SELECT ${planColumns} FROM jobs WHERE enqueued_at IS NULL AND id < ? ORDER BY id DESC LIMIT ?`),
		};
	}

	/** False once the archive was closed (a transfer that outlived stop() must not write then). */
	get isOpen(): boolean {
		return this.#db.open;
	}

	/** Add planned files; rows that exist already (same URL or job/index/variant) are left alone. Returns how many were new. */
	insert(images: readonly PlannedImage[]): number {
		const now = Date.now();
		return this.batch(() => {
			let added = 0;
			for (const image of images) {
				added += this.#statements.insert.run({...image, priority: image.priority ?? 0, now}).changes;
			}
			return added;
		});
	}

	/**
	 * Run `work` (a planning batch: its lookups and its inserts) in one write transaction.
	 * Outside one, every lookup takes and drops WAL read locks (fcntl and fstat calls, a third of planning's CPU
	 * once the inserts were fixed). And the image_totals trigger's upsert and the foreign key make SQLite keep a
	 * statement journal for every INSERT, which on disk costs a pwrite per page touched: in memory it holds one
	 * batch's pages (~17 MiB at 1,000 jobs) and is freed after, only for this transaction, so large sorts
	 * elsewhere still spill to disk. Measured with bench:batch (planning 4 M files).
	 */
	batch<T>(work: () => T): T {
		if (this.#db.inTransaction) return work();
		this.#db.pragma('temp_store = MEMORY');
		try {
			return this.#db.transaction(work).immediate();
		} finally {
			this.#db.pragma('temp_store = DEFAULT');
		}
	}

	get(id: number): ImageRow | undefined {
		return this.#statements.get.get(id) as ImageRow | undefined;
	}

	getByUrl(url: string): ImageRow | undefined {
		return this.#statements.getByUrl.get(url) as ImageRow | undefined;
	}

	/** True when some row already uses `path` as its final path. */
	pathTaken(path: string): boolean {
		return this.#statements.pathTaken.get(path) !== undefined;
	}

	/** The first `limit` pending rows, highest priority first. */
	pending(limit: number): ImageRow[] {
		return this.#statements.pending.all(limit) as ImageRow[];
	}

	/** The most recently changed rows with `status`, at most `limit`. */
	listStatus(status: ImageStatus, limit: number): ImageRow[] {
		return this.#statements.listStatus.all(status, limit) as ImageRow[];
	}

	counts(): StatusCounts {
		const counts: StatusCounts = {pending: 0, done: 0, failed: 0, canceled: 0};
		for (const row of this.#statements.counts.all() as Array<{status: ImageStatus; n: number}>) counts[row.status] = row.n;
		return counts;
	}

	/** Put a failed or canceled row back in line. Returns true when it changed. */
	requeue(id: number): boolean {
		return this.#statements.requeue.run(Date.now(), id).changes > 0;
	}

	/** Put every failed row back in line; returns how many. */
	requeueAllFailed(): number {
		return this.#statements.requeueAllFailed.run(Date.now()).changes;
	}

	/** Put the failed and canceled rows of these jobs (or of all jobs) back in line; returns how many. */
	requeueMissing(jobIds?: readonly string[]): number {
		const now = Date.now();
		if (!jobIds) return this.#statements.requeueEverything.run(now).changes;
		let n = 0;
		this.#db.transaction(() => {
			for (const id of jobIds) n += this.#statements.requeueJob.run(now, id).changes;
		})();
		return n;
	}

	setPriority(id: number, priority: number): void {
		this.#statements.priority.run(priority, Date.now(), id);
	}

	setJobPriority(jobIds: readonly string[], priority: number): void {
		const now = Date.now();
		this.#db.transaction(() => {
			for (const id of jobIds) this.#statements.priorityJob.run(priority, now, id);
		})();
	}

	/** Remember where a partial lives and how to resume it. */
	savePartial(id: number, state: PartialState): void {
		this.#statements.partial.run(state.partPath, state.etag, state.lastModified, state.totalBytes, Date.now(), id);
	}

	clearPartial(id: number): void {
		this.#statements.clearPartial.run(Date.now(), id);
	}

	/** Record several finished files in one transaction (one WAL commit for many files). */
	markDone(records: ReadonlyArray<{id: number} & DoneRecord>): void {
		const now = Date.now();
		this.#db.transaction(() => {
			for (const r of records) this.#statements.done.run(r.path, r.bytes, r.sha256, r.duplicateOf, r.bytes, now, r.id);
		})();
	}

	/** Give up on a file: `attempts` more tries were made this time; `reason` is shown to the user. */
	markFailed(id: number, attempts: number, reason: string): void {
		this.#statements.failed.run(attempts, reason, Date.now(), id);
	}

	/** Count one failed try that will be retried. */
	recordAttempt(id: number, reason: string): void {
		this.#statements.attempt.run(reason, Date.now(), id);
	}

	markCanceled(id: number): void {
		this.#statements.canceled.run(Date.now(), id);
	}

	/** An archived file with this content, other than row `exceptId`. */
	duplicateSource(sha256: string, exceptId: number): {id: number; path: string} | undefined {
		return this.#statements.duplicateSource.get(sha256, exceptId) as {id: number; path: string} | undefined;
	}

	/** Every partial path the table knows about, with its row's status. */
	partPaths(): Array<{part_path: string; status: ImageStatus}> {
		return this.#statements.partPaths.all() as Array<{part_path: string; status: ImageStatus}>;
	}

	/** Forget a partial that was deleted (a later download starts that file afresh). */
	forgetPartial(partPath: string): void {
		this.#statements.forgetPartial.run(partPath);
	}

	/** True when job `jobId` already has a row for this file. */
	hasFile(jobId: string, idx: number, variant: string): boolean {
		return this.#statements.hasFile.get(jobId, idx, variant) !== undefined;
	}

	/** Every file of a job, in index order (the details pane's list; the TUI reads it on each archive change). */
	ofJob(jobId: string): JobFile[] {
		return this.#statements.ofJob.all(jobId) as JobFile[];
	}

	/** One job as the planner reads it, if archived. */
	jobToPlan(id: string): JobToPlan | undefined {
		return this.#statements.jobToPlan.get(id) as JobToPlan | undefined;
	}

	/**
	 * The next `limit` jobs older than `cursor` (enqueued_at, id), newest first: keyset paging keeps memory flat.
	 * Undated jobs follow the dated ones (cursor [null, id]), by id.
	 */
	jobsToPlanBefore(cursor: readonly [number | null, string], limit: number): JobToPlan[] {
		if (cursor[0] === null) return this.#statements.undatedJobsToPlanBefore.all(cursor[1], limit) as JobToPlan[];
		return this.#statements.jobsToPlanBefore.all(cursor[0], cursor[1], limit) as JobToPlan[];
	}

	/** Run `work` in one transaction (one WAL commit for a whole URL list). */
	inTransaction(work: () => void): void {
		this.#db.transaction(work)();
	}
}
