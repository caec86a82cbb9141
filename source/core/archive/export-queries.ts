/**
 * The rows every export writes: a job with its images, newest first (jobs
 * enqueued in the same millisecond in archive order), or by rank for a
 * search. Streamed in keyset pages so 1,000,000 jobs use constant memory. One
 * query per page returns each job's columns with its images already as JSON
 * (SQLite's json_group_array), so an export row costs no per-job statement
 * from JavaScript and no JSON re-parsing of the verbatim API payload.
 */
import type Database from 'better-sqlite3';
import type {JobFilter} from '../job.js';
import {DonePathsWorker} from './done-paths.js';
import {likedNowSql} from './likes.js';
import {jobFilterConditions, whereClause, type SqlCondition} from './list.js';
import {rowidBounds, searchRows} from './search.js';
import {StatementCache} from './statements.js';

/** One archived file of a job; `path` is relative to the archive (absolute only for files imported in place). */
export interface ExportImage {
	index: number;
	variant: string;
	path: string | null;
	bytes: number | null;
	sha256: string | null;
	status: string;
}

/** A job as exports read it: columns as stored, parameters and images still JSON text. */
export interface ExportRecord {
	id: string;
	enqueueTime: string;
	enqueuedAt: number;
	jobType: string;
	eventType: string;
	prompt: string;
	/** NULL when the API sent none (schema 2). */
	fullCommand: string | null;
	/** JSON object text, e.g. `{"ar":"16:9"}`. */
	parametersJson: string;
	width: number | null;
	height: number | null;
	batchSize: number;
	parentId: string | null;
	parentGrid: number | null;
	rating: number | null;
	isVideo: number;
	/** JSON array text of ExportImage. */
	imagesJson: string;
	/** 1 when the account liked the job (schema 5), else 0. */
	liked: number;
}

/** What the csv reads of a job, as an array (followed by the job's rowid, which the csv ignores). */
export type CsvRow = [
	id: string, enqueueTime: string, jobType: string, eventType: string, prompt: string, fullCommand: string | null,
	width: number | null, height: number | null, batchSize: number, parentId: string | null, parentGrid: number | null, rating: number | null,
];

/** Which jobs an export covers: a search query (same syntax as `search`) and/or filters. */
export interface ExportSelection {
	query?: string;
	filter?: JobFilter;
	/** Stop after this many jobs. */
	limit?: number;
}

/** How a format reads its rows: the SELECT list over `jobs j`, and whether rows come as arrays (better-sqlite3 `.raw()`). */
interface RowShape {
	columns: string;
	/** Arrays in column order, with the job's rowid appended as a last element: no object per row (csv reads about 25% faster). */
	raw: boolean;
}

/** Every job column and its images as JSON: what json, jsonl, html and dataset read. */
const recordShape: RowShape = {
	raw: false,
	columns: `j.id AS id, j.enqueue_time AS enqueueTime, j.enqueued_at AS enqueuedAt, j.job_type AS jobType, j.event_type AS eventType,
	j.prompt AS prompt, j.full_command AS fullCommand, j.parameters AS parametersJson, j.width AS width, j.height AS height,
	j.batch_size AS batchSize, j.parent_id AS parentId, j.parent_grid AS parentGrid, j.rating AS rating, j.is_video AS isVideo,
	(SELECT json_group_array(json_object('index', i.idx, 'variant', i.variant, 'path', i.path, 'bytes', i.bytes, 'sha256', i.sha256, 'status', i.status))
		FROM images i WHERE i.job_id = j.id) AS imagesJson,
	${likedNowSql} AS liked`,
};
// Images come in archive (row id) order, which is the order they were planned: sorting them in SQL halved the export rate.

/** The csv's columns (its file paths come from a DonePathsWorker, on another thread). */
const csvShape: RowShape = {
	raw: true,
	columns: 'j.id, j.enqueue_time, j.job_type, j.event_type, j.prompt, j.full_command, j.width, j.height, j.batch_size, j.parent_id, j.parent_grid, j.rating',
};

/** Rows per keyset page: large enough to amortise the seek, small enough for flat memory. */
const pageSize = 2000;
/** Search hits are read in pages of this many: a query's matches need not fit in memory. */
const searchPage = 2000;

export class ExportQueries {
	readonly #db: Database.Database;
	readonly #statements: StatementCache;

	constructor(db: Database.Database) {
		this.#db = db;
		this.#statements = new StatementCache(db);
	}

	/** The selection's jobs with every column and their images, a page at a time: newest first, or by rank when there is a query. */
	recordPages(selection: ExportSelection): Generator<ExportRecord[]> {
		return this.#pages<ExportRecord>(selection, recordShape);
	}

	/** The selection's jobs as csv rows, a page at a time, in the same order as recordPages. */
	csvPages(selection: ExportSelection): Generator<CsvRow[]> {
		return this.#pages<CsvRow>(selection, csvShape);
	}

	/** A second-thread reader of jobs' downloaded paths over its own read-only connection (close it when done). */
	donePaths(): DonePathsWorker {
		return new DonePathsWorker(this.#db.name);
	}

	/** Pages, not single rows, so a writer can check for abort and report progress once per page. */
	*#pages<Row>(selection: ExportSelection, shape: RowShape): Generator<Row[]> {
		const query = selection.query?.trim();
		const pages = query ? this.#searchedPages(query, selection.filter, shape) : this.#filteredPages(selection.filter, shape);
		let left = selection.limit ?? Number.POSITIVE_INFINITY;
		for (const page of pages) {
			if (left <= 0) return;
			const rows = (page.length > left ? page.slice(0, left) : page) as Row[];
			left -= rows.length;
			if (rows.length > 0) yield rows;
		}
	}

	*#filteredPages(filter: JobFilter | undefined, shape: RowShape): Generator<unknown[]> {
		// Keyset pages walk the jobs table itself in rowid order, which is time order (rowid = enqueue ms × slots + slot):
		// a sequential scan instead of a time index plus a table lookup per job (bench:tools, csv 64k → 86k jobs/s read).
		// The rowid bounds of --since/--until let SQLite start and stop the scan where the filter does.
		const base: SqlCondition[] = [...jobFilterConditions(filter), ...rowidBounds(filter)];
		const first = whereClause(base);
		const next = whereClause([...base, {sql: 'j.rowid < ?', params: []}]);
		const select = `SELECT ${shape.columns}, j.rowid AS archiveRowid FROM jobs j`;
		const firstPage = this.#db.prepare(`${select} ${first.sql} ORDER BY j.rowid DESC LIMIT ${pageSize}`).raw(shape.raw);
		const nextPage = this.#db.prepare(`${select} ${next.sql} ORDER BY j.rowid DESC LIMIT ${pageSize}`).raw(shape.raw);
		const rowidOf = shape.raw ? (row: unknown) => (row as unknown[]).at(-1) : (row: unknown) => (row as {archiveRowid: number}).archiveRowid;
		// Whole pages (not an open iterator) so the connection is free between them while the writer awaits the disk.
		let page = firstPage.all(...first.params);
		while (page.length > 0) {
			yield page;
			if (page.length < pageSize) return;
			page = nextPage.all(...next.params, rowidOf(page.at(-1)));
		}
	}

	*#searchedPages(query: string, filter: JobFilter | undefined, shape: RowShape): Generator<unknown[]> {
		const byId = this.#db.prepare(`SELECT ${shape.columns}, j.rowid AS archiveRowid FROM jobs j WHERE j.id = ?`).raw(shape.raw);
		for (let offset = 0; ; offset += searchPage) {
			const {rows} = searchRows(this.#statements, query, {filter, limit: searchPage, offset});
			// A job deleted since the search (a sync running alongside) is skipped, not exported as a hole.
			yield rows.map(hit => byId.get(hit.row.id)).filter(row => row !== undefined);
			if (rows.length < searchPage) return;
		}
	}
}
