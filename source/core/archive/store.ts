/**
 * ArchiveStore: the SQLite archive (better-sqlite3, WAL) at <archive>/archive.db.
 * Jobs keep every API field verbatim (`raw`) plus typed columns for queries;
 * nothing is ever deleted because upstream dropped it.
 */
import path from 'node:path';
import type Database from 'better-sqlite3';
import type {ApiJob, Job, JobFilter} from '../job.js';
import {EmbedQueries} from './embed-queries.js';
import {ExportQueries} from './export-queries.js';
import {jobFromRow, jobRowFromApi, noFiles, rowidSlotsPerMillisecond, timeOrderedRowid, type JobRow, type JobSource, type OddityTally, type SelectedJobRow} from './job-rows.js';
import {ImagesTable} from './images.js';
import {QueueRows} from './queue-rows.js';
import {JobTypes} from './job-types.js';
import {FileQueries} from './file-queries.js';
import {LineageQueries} from './lineage.js';
import {LikesTable} from './likes.js';
import {countJobRows, fileCountsFor, listJobRows, selectJobColumns, type JobCursor} from './list.js';
import {ImportRecords} from './import-records.js';
import {Meta} from './meta.js';
import {PerceptualHashes} from './perceptual-hashes.js';
import {rederiveJobColumns} from './rederive.js';
import {ArchiveClaims} from './claims.js';
import {openArchiveDatabase, type OpenOptions} from './open.js';
import {TempMarkers} from './temp-markers.js';
import {VerifyQueries} from './verify-queries.js';
import {searchRows, type SearchOptions} from './search.js';
import {StatementCache} from './statements.js';
import {StatsQueries} from './stats-queries.js';
import {SyncRuns} from './sync-runs.js';

export type {JobCursor} from './list.js';
export type {SearchOptions} from './search.js';
export {snippetEnd, snippetStart} from './snippet.js';

export interface UpsertResult {
	inserted: number;
	updated: number;
	unchanged: number;
	/** Ids among the input that were already archived before this call (changed or not). */
	known: number;
}

export interface SearchHit {
	job: Job;
	/** bm25 rank; lower is better (0 when the query only filters). */
	rank: number;
	/** The prompt with matched terms wrapped in \u0001 ... \u0002 (for highlighting). */
	snippet: string;
}

export interface ArchiveTotals {
	jobs: number;
	images: number;
	imagesDone: number;
	imagesFailed: number;
	imagesPending: number;
	bytesOnDisk: number;
}

/** Which source's JSON wins when two disagree about one job: the account's listing (or its saved answers) over the likes, both over files. */
const sourceStrength: Readonly<Record<JobSource, number>> = {import: 0, likes: 1, api: 2, responses: 2};

/** Rows per keyset page while iterating: small enough for flat memory, large enough to amortise the seek. */
const iterationPageSize = 500;

const writtenColumns = [
	'enqueue_time', 'enqueued_at', 'job_type', 'event_type', 'full_command', 'prompt', 'parameters',
	'model_version', 'aspect_ratio', 'stylize', 'chaos', 'weird', 'quality', 'width', 'height',
	'batch_size', 'parent_id', 'parent_grid', 'rating', 'is_video', 'raw', 'source',
] as const;

export class ArchiveStore {
	/** The connection; private so every read and write goes through a named operation of this layer. */
	readonly #db: Database.Database;
	/** Absolute archive folder. */
	readonly dir: string;
	/** The aggregates behind `mj-tui stats`. */
	readonly stats: StatsQueries;
	/** The pages every export format reads. */
	readonly exports: ExportQueries;
	/** The downloaded PNGs `embed` rewrites, and their new hashes. */
	readonly embeds: EmbedQueries;
	/** Named facts about the archive (walk state, claims). */
	readonly meta: Meta;
	/** The log of sync runs. */
	readonly syncRuns: SyncRuns;
	/** What `import <folder>` reads and records. */
	readonly importRecords: ImportRecords;
	/** The writer claim (one writing process per archive; see claims.ts). */
	readonly claims: ArchiveClaims;
	/** What verify asks of the images table (see verify-queries.ts). */
	readonly verifyQueries: VerifyQueries;
	/** Which processes write temp files into the archive (see temp-markers.ts). */
	readonly tempMarkers: TempMarkers;
	/** Downloaded files with their job's fields (sidecars, file times, MCP resources). */
	readonly files: FileQueries;
	/** A job's ancestors and descendants by parent_id. */
	readonly lineage: LineageQueries;
	/** The jobs the account liked, with their authors (see likes.ts). */
	readonly likes: LikesTable;
	/** Perceptual hashes of downloaded images (similar, families, dedupe): see perceptual-hashes.ts. */
	readonly perceptualHashes: PerceptualHashes;
	readonly #statements: StatementCache;
	readonly #upsert: (jobs: readonly ApiJob[], source: JobSource, oddities: OddityTally | undefined) => UpsertResult;
	/** The images table (downloads' durable state): see images.ts. */
	readonly images: ImagesTable;
	/** The download queue as the queue pane lists it: see queue-rows.ts. */
	readonly queueRows: QueueRows;
	/** Which job types the archive holds (warnings for a --type no job has): see job-types.ts. */
	readonly jobTypes: JobTypes;

	private constructor(db: Database.Database, dir: string) {
		this.#db = db;
		this.dir = dir;
		this.stats = new StatsQueries(db);
		this.exports = new ExportQueries(db);
		this.embeds = new EmbedQueries(db);
		this.claims = new ArchiveClaims(db);
		this.verifyQueries = new VerifyQueries(db);
		this.tempMarkers = new TempMarkers(db);
		this.images = new ImagesTable(db);
		this.queueRows = new QueueRows(db);
		this.jobTypes = new JobTypes(db);
		this.files = new FileQueries(db);
		this.lineage = new LineageQueries(db);
		this.likes = new LikesTable(db);
		this.perceptualHashes = new PerceptualHashes(db);
		this.#statements = new StatementCache(db);
		this.meta = new Meta(db);
		this.syncRuns = new SyncRuns(db);
		this.importRecords = new ImportRecords(db);
		this.#upsert = db.readonly ? () => this.#refuseWrite() : this.#prepareUpsert();
		// Rows written by a build that derived columns differently are brought up to date once.
		if (!db.readonly) rederiveJobColumns(db);
	}

	/** Open (creating and migrating) the archive at `dir`. Refuses a newer schema, or a new database beside archive files (MjError 65). */
	static open(dir: string, options?: OpenOptions): ArchiveStore {
		const absolute = path.resolve(dir);
		return new ArchiveStore(openArchiveDatabase(absolute, options), absolute);
	}

	#refuseWrite(): never {
		throw new Error(`The archive ${this.dir} was opened read-only.`);
	}

	close(): void {
		if (this.#db.open) {
			this.#db.close();
		}
	}

	#prepareUpsert(): (jobs: readonly ApiJob[], source: JobSource, oddities: OddityTally | undefined) => UpsertResult {
		// Insert first: most jobs of a sync are new, and the insert's own key probe tells us whether the id was there.
		const insert = this.#db.prepare(
			`INSERT INTO jobs (rowid, id, ${writtenColumns.join(', ')}, first_seen_at, updated_at)
			VALUES (:rowid, :id, ${writtenColumns.map(c => `:${c}`).join(', ')}, :updated_at, :updated_at)
			ON CONFLICT (id) DO NOTHING`,
		);
		const insertNew = (row: JobRow): boolean => {
			for (let attempt = 0; ; attempt++) {
				try {
					return insert.run({...row, rowid: timeOrderedRowid(row, attempt)}).changes === 1;
				} catch (error) {
					// Another job took this rowid (same millisecond): take the next slot.
					if ((error as {code?: string}).code !== 'SQLITE_CONSTRAINT_ROWID' || attempt >= rowidSlotsPerMillisecond) {
						throw error;
					}
				}
			}
		};
		const existing = this.#db.prepare('SELECT raw, source FROM jobs WHERE id = ?');
		const update = this.#db.prepare(
			`UPDATE jobs SET ${writtenColumns.map(c => `${c} = :${c}`).join(', ')}, updated_at = :updated_at WHERE id = :id`,
		);
		return this.#db.transaction((jobs: readonly ApiJob[], source: JobSource, oddities: OddityTally | undefined): UpsertResult => {
			const result: UpsertResult = {inserted: 0, updated: 0, unchanged: 0, known: 0};
			const insertedNow = new Set<string>();
			const now = Date.now();
			// Oldest first (undated ones, whose rowids are lowest, before all): FTS5 flushes its pending index
			// to a new segment whenever a rowid is not above the last one written, and pages arrive newest first.
			const rows = jobs.map(job => jobRowFromApi(job, source, now, oddities)).sort((a, b) => (a.enqueued_at ?? -Infinity) - (b.enqueued_at ?? -Infinity));
			for (const row of rows) {
				if (insertNew(row)) {
					insertedNow.add(row.id);
					result.inserted++;
					continue;
				}

				if (!insertedNow.has(row.id)) {
					result.known++;
				}

				const stored = existing.get(row.id) as {raw: string; source: JobSource};
				// What files tell us never replaces what the API sent; what the likes tell never replaces the listing's own answer.
				const weaker = sourceStrength[source] < sourceStrength[stored.source];
				if (stored.raw === row.raw || weaker) {
					result.unchanged++;
				} else {
					update.run(row);
					result.updated++;
				}
			}

			return result;
		});
	}

	/**
	 * Insert or update jobs in one transaction; idempotent; never deletes. A job
	 * whose API JSON changed is rewritten (typed columns and FTS follow). Each
	 * job needs only its string id (validate.ts's storableJobs() picks those);
	 * odd fields become null columns and are counted in `oddities`.
	 * Rows from `import` never overwrite rows the API sent, nor rows from the
	 * likes a row the listing sent (the account's own job, liked).
	 */
	upsertJobs(jobs: readonly ApiJob[], source: JobSource = 'api', oddities?: OddityTally): UpsertResult {
		return this.#upsert(jobs, source, oddities);
	}

	/** Ids among `ids` first archived before `marker` (epoch ms); later ones were added by a walk since. */
	jobsArchivedBefore(ids: readonly string[], marker: number): Set<string> {
		const rows = this.#statements.get('SELECT id FROM jobs WHERE id IN (SELECT value FROM json_each(?)) AND first_seen_at < ?').pluck().all(JSON.stringify(ids), marker) as string[];
		return new Set(rows);
	}

	/** Run `work` in one transaction (`immediate` takes the write lock at once); nested calls join the outer one. */
	inTransaction<T>(work: () => T, mode: 'deferred' | 'immediate' = 'deferred'): T {
		const transaction = this.#db.transaction(work);
		return mode === 'immediate' ? transaction.immediate() : transaction();
	}

	/** Which of these ids are archived already. */
	knownJobIds(ids: readonly string[]): Set<string> {
		const known = new Set<string>();
		const statement = this.#statements.get('SELECT 1 FROM jobs WHERE id = ?').pluck();
		for (const id of ids) {
			if (statement.get(id) !== undefined) {
				known.add(id);
			}
		}

		return known;
	}

	#withFiles(rows: readonly SelectedJobRow[]): Job[] {
		const counts = fileCountsFor(this.#statements, rows.map(row => row.id));
		return rows.map(row => jobFromRow(row, counts.get(row.id) ?? noFiles));
	}

	getJob(id: string): Job | undefined {
		const row = this.#statements.get(`SELECT ${selectJobColumns} FROM jobs j WHERE j.id = ?`).get(id) as SelectedJobRow | undefined;
		return row ? this.#withFiles([row])[0] : undefined;
	}

	/** How many jobs match the filter; without one, read from the trigger-kept job_count. */
	countJobs(filter?: JobFilter): number {
		const unfiltered = !filter || (!filter.types?.length && filter.since === undefined && filter.until === undefined && filter.fileStatus === undefined && filter.liked === undefined);
		return unfiltered ? this.#statements.get('SELECT jobs FROM job_count').pluck().get() as number : countJobRows(this.#statements, filter);
	}

	/**
	 * One keyset page of jobs, newest first. `after` continues past a row
	 * (older jobs); `before` goes back toward newer ones (still returned newest first).
	 * Rows with equal enqueue times are ordered by id, so a walk never skips or repeats.
	 */
	listJobs(options: {filter?: JobFilter; after?: JobCursor; before?: JobCursor; limit: number}): Job[] {
		return this.#withFiles(listJobRows(this.#statements, options));
	}

	/**
	 * Iterate every job matching the filter, newest first, in constant memory.
	 * Reads keyset pages rather than holding one cursor open, so callers may
	 * query or write the database between items.
	 */
	*iterateJobs(filter?: JobFilter): IterableIterator<Job> {
		let after: JobCursor | undefined;
		for (;;) {
			const page = this.listJobs({filter, after, limit: iterationPageSize});
			yield * page;
			if (page.length < iterationPageSize) {
				return;
			}

			const last = page.at(-1)!;
			after = {enqueuedAt: last.enqueuedAt, id: last.id};
		}
	}

	/**
	 * Full-text search over prompts. `query` is user text: words, "phrases",
	 * prefix*, AND/OR/NOT, -word, plus parameter filters like `--ar 16:9`,
	 * `--v 7`, `--stylize >250`, `--chaos 10..50`. Ranked by bm25, newest first
	 * on ties; a query of only filters or exclusions lists newest first.
	 * Never throws for odd text: it is quoted for FTS5.
	 */
	search(query: string, options?: SearchOptions): SearchHit[] {
		return this.searchRanked(query, options).hits;
	}

	/** search(), also telling whether a rank window left older matches unranked (see SearchOptions.rankWindow). */
	searchRanked(query: string, options?: SearchOptions): {hits: SearchHit[]; rankedNewest: number | undefined} {
		const {rows, rankedNewest} = searchRows(this.#statements, query, options);
		const jobs = this.#withFiles(rows.map(hit => hit.row));
		return {hits: rows.map((hit, i) => ({job: jobs[i], rank: hit.rank, snippet: hit.snippet})), rankedNewest};
	}

	/** Jobs, images by status and bytes of finished files; image figures come from the trigger-kept image_totals. */
	totals(): ArchiveTotals {
		const jobs = this.countJobs();
		const byStatus = this.#statements.get('SELECT status, files, bytes FROM image_totals').all() as Array<{status: string; files: number; bytes: number}>;
		const of = (status: string) => byStatus.find(row => row.status === status);
		return {
			jobs,
			images: byStatus.reduce((sum, row) => sum + row.files, 0),
			imagesDone: of('done')?.files ?? 0,
			imagesFailed: of('failed')?.files ?? 0,
			imagesPending: of('pending')?.files ?? 0,
			bytesOnDisk: of('done')?.bytes ?? 0,
		};
	}

	/** Same as `store.meta.get(key)`. */
	getMeta(key: string): string | undefined {
		return this.meta.get(key);
	}

	/** Same as `store.meta.set(key, value)`; refused on a read-only archive. */
	setMeta(key: string, value: string): void {
		if (this.#db.readonly) {
			this.#refuseWrite();
		}

		this.meta.set(key, value);
	}
}
