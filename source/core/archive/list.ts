/**
 * JobFilter → SQL conditions, keyset pages newest-first, and the per-page
 * file counts. Pages seek on the jobs_by_time index, so page N of 1,000,000
 * jobs costs what page 1 costs.
 */
import type {JobFileCounts, JobFilter} from '../job.js';
import {jobColumns, type SelectedJobRow} from './job-rows.js';
import {likedCondition} from './likes.js';
import type {StatementCache} from './statements.js';

/** A piece of a WHERE clause with its bound values. */
export interface SqlCondition {
	sql: string;
	params: unknown[];
}

/** Where a keyset page starts: the last row of the previous page. */
export interface JobCursor {
	/** null for a job without a time: those come after every dated job, by id. */
	enqueuedAt: number | null;
	id: string;
}

const jobsAlias = 'j';

/** `j.id, j.enqueued_at, ...` for building Jobs. */
export const selectJobColumns = jobColumns.map(column => `${jobsAlias}.${column}`).join(', ');

function placeholders(count: number): string {
	return Array.from({length: count}, () => '?').join(', ');
}

/** The conditions a JobFilter puts on the jobs table (aliased `j`). */
export function jobFilterConditions(filter: JobFilter | undefined): SqlCondition[] {
	const conditions: SqlCondition[] = [];
	if (!filter) {
		return conditions;
	}

	if (filter.types && filter.types.length > 0) {
		const list = placeholders(filter.types.length);
		// Unary + keeps SQLite from answering the OR with two type indexes and a sort of every matching
		// job (hundreds of thousands): pages walk jobs_by_time in order and stop at the limit.
		conditions.push({sql: `(+j.job_type IN (${list}) OR +j.event_type IN (${list}))`, params: [...filter.types, ...filter.types]});
	}

	if (filter.since !== undefined) {
		conditions.push({sql: 'j.enqueued_at >= ?', params: [filter.since]});
	}

	if (filter.until !== undefined) {
		conditions.push({sql: 'j.enqueued_at < ?', params: [filter.until]});
	}

	// A job with no image rows has nothing downloaded yet: it counts as missing.
	const anyImage = 'EXISTS (SELECT 1 FROM images i WHERE i.job_id = j.id)';
	const anyNotDone = 'EXISTS (SELECT 1 FROM images i WHERE i.job_id = j.id AND i.status <> \'done\')';
	switch (filter.fileStatus) {
		case 'complete': {
			conditions.push({sql: `(${anyImage} AND NOT ${anyNotDone})`, params: []});
			break;
		}

		case 'missing': {
			conditions.push({sql: `(NOT ${anyImage} OR ${anyNotDone})`, params: []});
			break;
		}

		case 'failed': {
			conditions.push({sql: 'EXISTS (SELECT 1 FROM images i WHERE i.job_id = j.id AND i.status = \'failed\')', params: []});
			break;
		}

		case undefined: {
			break;
		}
	}

	if (filter.liked !== undefined) conditions.push(likedCondition(filter.liked));
	return conditions;
}

/** `WHERE a AND b` (or '') with the values in order. */
export function whereClause(conditions: readonly SqlCondition[]): SqlCondition {
	if (conditions.length === 0) {
		return {sql: '', params: []};
	}

	return {sql: `WHERE ${conditions.map(c => c.sql).join(' AND ')}`, params: conditions.flatMap(c => c.params)};
}

/**
 * The bounds a keyset range puts on one of the two groups of jobs, dated ones
 * (by enqueued_at, then id) and undated ones after them (by id); undefined when
 * the range holds none of that group. Each group's query seeks jobs_by_time.
 */
function groupBounds(dated: boolean, after: JobCursor | undefined, before: JobCursor | undefined): SqlCondition[] | undefined {
	const conditions: SqlCondition[] = [{sql: dated ? 'j.enqueued_at IS NOT NULL' : 'j.enqueued_at IS NULL', params: []}];
	if (after) {
		if (after.enqueuedAt === null) {
			if (dated) return undefined;
			conditions.push({sql: 'j.id < ?', params: [after.id]});
		} else if (dated) {
			conditions.push({sql: '(j.enqueued_at, j.id) < (?, ?)', params: [after.enqueuedAt, after.id]});
		}
	}

	if (before) {
		if (before.enqueuedAt !== null) {
			if (!dated) return undefined;
			conditions.push({sql: '(j.enqueued_at, j.id) > (?, ?)', params: [before.enqueuedAt, before.id]});
		} else if (!dated) {
			conditions.push({sql: 'j.id > ?', params: [before.id]});
		}
	}

	return conditions;
}

/** One keyset page of job rows, newest first, undated jobs last (see ArchiveStore.listJobs). */
export function listJobRows(
	statements: StatementCache,
	options: {filter?: JobFilter; after?: JobCursor; before?: JobCursor; limit: number; extra?: readonly SqlCondition[]},
): SelectedJobRow[] {
	const base = [...jobFilterConditions(options.filter), ...(options.extra ?? [])];
	const limit = Math.max(0, Math.floor(options.limit));
	// `before` walks toward newer rows in ascending order, then flips, so both directions seek the same index.
	const backwards = options.before !== undefined && options.after === undefined;
	const groups = backwards ? [false, true] : [true, false];
	const rows: SelectedJobRow[] = [];
	for (const dated of groups) {
		if (rows.length >= limit) break;
		const bounds = groupBounds(dated, options.after, options.before);
		if (!bounds) continue;
		const where = whereClause([...base, ...bounds]);
		const direction = backwards ? 'ASC' : 'DESC';
		const order = dated ? `j.enqueued_at ${direction}, j.id ${direction}` : `j.id ${direction}`;
		const sql = `SELECT ${selectJobColumns} FROM jobs j ${where.sql} ORDER BY ${order} LIMIT ?`;
		rows.push(...statements.get(sql).all(...where.params, limit - rows.length) as SelectedJobRow[]);
	}

	return backwards ? rows.reverse() : rows;
}

/** How many jobs match the filter. */
export function countJobRows(statements: StatementCache, filter?: JobFilter, extra: readonly SqlCondition[] = []): number {
	const where = whereClause([...jobFilterConditions(filter), ...extra]);
	const row = statements.get(`SELECT count(*) AS n FROM jobs j ${where.sql}`).get(...where.params) as {n: number};
	return row.n;
}

/** File counts for the given jobs only (a page), from the images table. */
export function fileCountsFor(statements: StatementCache, ids: readonly string[]): Map<string, JobFileCounts> {
	const counts = new Map<string, JobFileCounts>();
	// Bound the statement shapes: pages are queried in chunks of a fixed size.
	const chunkSize = 100;
	for (let start = 0; start < ids.length; start += chunkSize) {
		const chunk = ids.slice(start, start + chunkSize);
		const padded = [...chunk, ...Array.from<null>({length: chunkSize - chunk.length}).fill(null)];
		const rows = statements.get(
			`SELECT job_id AS id, count(*) AS total, sum(status = 'done') AS done, sum(status = 'failed') AS failed
			FROM images WHERE job_id IN (${placeholders(chunkSize)}) GROUP BY job_id`,
		).all(...padded) as Array<{id: string; total: number; done: number; failed: number}>;
		for (const row of rows) {
			counts.set(row.id, {total: row.total, done: row.done, failed: row.failed});
		}
	}

	return counts;
}
