/**
 * The rows every export writes: a job with its images, newest first
 * (jobs enqueued in the same millisecond in archive order),
 * streamed in keyset pages so 1,000,000 jobs use constant memory. One query
 * per page returns each job's columns with its images already as JSON
 * (SQLite's json_group_array), so an export row costs no per-job statement
 * from JavaScript and no JSON re-parsing of the verbatim API payload.
 */
import type {ArchiveStore} from '../archive/store.js';
import {jobFilterConditions, whereClause, type SqlCondition} from '../archive/list.js';
import {rowidBounds} from '../archive/search.js';
import type {JobFilter, JobParameters} from '../job.js';

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
}

/** Which jobs an export covers: a search query (same syntax as `search`) and/or filters. */
export interface ExportSelection {
	query?: string;
	filter?: JobFilter;
	/** Stop after this many jobs. */
	limit?: number;
}

/** How a format reads its rows: the SELECT list over `jobs j`, and whether rows come as arrays (better-sqlite3 `.raw()`). */
export interface RowShape {
	columns: string;
	/** Arrays in column order, with the job's rowid appended as a last element: no object per row (csv reads about 25% faster). */
	raw: boolean;
}

/** Every job column and its images as JSON: what json, jsonl, html and dataset read. */
export const recordShape: RowShape = {
	raw: false,
	columns: `j.id AS id, j.enqueue_time AS enqueueTime, j.enqueued_at AS enqueuedAt, j.job_type AS jobType, j.event_type AS eventType,
	j.prompt AS prompt, j.full_command AS fullCommand, j.parameters AS parametersJson, j.width AS width, j.height AS height,
	j.batch_size AS batchSize, j.parent_id AS parentId, j.parent_grid AS parentGrid, j.rating AS rating, j.is_video AS isVideo,
	(SELECT json_group_array(json_object('index', i.idx, 'variant', i.variant, 'path', i.path, 'bytes', i.bytes, 'sha256', i.sha256, 'status', i.status))
		FROM images i WHERE i.job_id = j.id) AS imagesJson`,
};
// Images come in archive (row id) order, which is the order they were planned: sorting them in SQL halved the export rate.

/** Rows per keyset page: large enough to amortise the seek, small enough for flat memory. */
const pageSize = 2000;
/** Search hits are read in pages of this many: a query's matches need not fit in memory. */
const searchPage = 2000;

function* filteredPages(store: ArchiveStore, filter: JobFilter | undefined, shape: RowShape): Generator<unknown[]> {
	// Keyset pages walk the jobs table itself in rowid order, which is time order (rowid = enqueue ms × slots + slot):
	// a sequential scan instead of a time index plus a table lookup per job (bench:tools, csv 64k → 86k jobs/s read).
	// The rowid bounds of --since/--until let SQLite start and stop the scan where the filter does.
	const base: SqlCondition[] = [...jobFilterConditions(filter), ...rowidBounds(filter)];
	const first = whereClause(base);
	const next = whereClause([...base, {sql: 'j.rowid < ?', params: []}]);
	const select = `SELECT ${shape.columns}, j.rowid AS archiveRowid FROM jobs j`;
	const firstPage = store.db.prepare(`${select} ${first.sql} ORDER BY j.rowid DESC LIMIT ${pageSize}`).raw(shape.raw);
	const nextPage = store.db.prepare(`${select} ${next.sql} ORDER BY j.rowid DESC LIMIT ${pageSize}`).raw(shape.raw);
	const rowidOf = shape.raw ? (row: unknown) => (row as unknown[]).at(-1) : (row: unknown) => (row as {archiveRowid: number}).archiveRowid;
	// Whole pages (not an open iterator) so the connection is free between them while the writer awaits the disk.
	let page = firstPage.all(...first.params);
	while (page.length > 0) {
		yield page;
		if (page.length < pageSize) return;
		page = nextPage.all(...next.params, rowidOf(page.at(-1)));
	}
}

function* searchedPages(store: ArchiveStore, query: string, filter: JobFilter | undefined, shape: RowShape): Generator<unknown[]> {
	const byId = store.db.prepare(`SELECT ${shape.columns}, j.rowid AS archiveRowid FROM jobs j WHERE j.id = ?`).raw(shape.raw);
	for (let offset = 0; ; offset += searchPage) {
		const hits = store.search(query, {filter, limit: searchPage, offset});
		// A job deleted since the search (a sync running alongside) is skipped, not exported as a hole.
		yield hits.map(hit => byId.get(hit.job.id)).filter(row => row !== undefined);
		if (hits.length < searchPage) return;
	}
}

/**
 * The selection's jobs in `shape`, a page of rows at a time: newest first, or
 * by rank when there is a query. Pages, not single rows, so a writer can
 * check for abort and report progress once per page.
 */
export function* exportPages<Row>(store: ArchiveStore, selection: ExportSelection, shape: RowShape): Generator<Row[]> {
	const query = selection.query?.trim();
	const pages = query ? searchedPages(store, query, selection.filter, shape) : filteredPages(store, selection.filter, shape);
	let left = selection.limit ?? Number.POSITIVE_INFINITY;
	for (const page of pages) {
		if (left <= 0) return;
		const rows = (page.length > left ? page.slice(0, left) : page) as Row[];
		left -= rows.length;
		if (rows.length > 0) yield rows;
	}
}

/** The record's images, parsed. */
export function recordImages(record: ExportRecord): ExportImage[] {
	return JSON.parse(record.imagesJson) as ExportImage[];
}

/** The record's parameters, parsed. */
export function recordParameters(record: ExportRecord): JobParameters {
	return JSON.parse(record.parametersJson) as JobParameters;
}

/**
 * The parameters as the user typed them (`--ar 16:9 --tile`): the tail of the
 * full command after the prompt, which is exactly what the archive parsed.
 */
export function parametersText(fullCommand: string | null, prompt: string): string {
	// Jobs the API sent without a full_command (NULL since schema 2) have no parameters to show.
	if (!fullCommand) return '';
	const at = fullCommand.indexOf(prompt);
	return (at === -1 ? '' : fullCommand.slice(at + prompt.length)).trim();
}

/** The JSON text of a record (json, jsonl): stored JSON columns are spliced in as they are, not re-parsed. */
export function recordJsonText(record: ExportRecord): string {
	return `{"id":${JSON.stringify(record.id)},"enqueue_time":${JSON.stringify(record.enqueueTime)},"job_type":${JSON.stringify(record.jobType)},"event_type":${JSON.stringify(record.eventType)},"prompt":${JSON.stringify(record.prompt)},"full_command":${JSON.stringify(record.fullCommand)},"parameters":${record.parametersJson},"width":${record.width},"height":${record.height},"batch_size":${record.batchSize},"parent_id":${JSON.stringify(record.parentId)},"parent_grid":${record.parentGrid},"rating":${record.rating},"is_video":${record.isVideo === 1},"images":${record.imagesJson}}`;
}
