/**
 * Full-text search over prompts: bm25-ranked FTS5 matches (newest first on
 * ties), or a newest-first listing when the query only filters.
 */
import type {JobFilter} from '../job.js';
import {jobFilterConditions, selectJobColumns, whereClause, type SqlCondition} from './list.js';
import type {SelectedJobRow} from './job-rows.js';
import {parseSearchQuery} from './search-query.js';
import type {StatementCache} from './statements.js';

export interface SearchOptions {
	filter?: JobFilter;
	limit?: number;
	offset?: number;
	/** Treat the last word as a prefix unless the text ends in a space (search as you type). */
	prefixLast?: boolean;
}

/** A hit before file counts are attached. */
export interface SearchRow {
	row: SelectedJobRow;
	rank: number;
	snippet: string;
}

export const snippetStart = '\u0001';
export const snippetEnd = '\u0002';
/** Tokens of context a snippet shows around the matches. */
const snippetTokens = 24;

/** Run a search; see ArchiveStore.search. */
export function searchRows(statements: StatementCache, query: string, options: SearchOptions = {}): SearchRow[] {
	const parsed = parseSearchQuery(query, {prefixLast: options.prefixLast});
	const limit = Math.max(0, Math.floor(options.limit ?? 50));
	const offset = Math.max(0, Math.floor(options.offset ?? 0));
	const conditions: SqlCondition[] = [...jobFilterConditions(options.filter), ...parsed.conditions];

	if (parsed.match !== null) {
		const where = whereClause([{sql: 'jobs_fts MATCH ?', params: [parsed.match]}, ...conditions]);
		const ranked = statements.get(
			`SELECT f.rowid AS rowid, f.rank AS rank FROM jobs_fts f JOIN jobs j ON j.rowid = f.rowid
			${where.sql} ORDER BY f.rank, j.enqueued_at DESC, j.id DESC LIMIT ? OFFSET ?`,
		).all(...where.params, limit, offset) as Array<{rowid: number; rank: number}>;
		const rowOf = statements.get(`SELECT ${selectJobColumns} FROM jobs j WHERE j.rowid = ?`);
		// Snippets only for the page: computing them in the ranking query would build one per match.
		const snippetOf = statements.get(
			`SELECT snippet(jobs_fts, 0, '${snippetStart}', '${snippetEnd}', '…', ${snippetTokens}) AS snippet FROM jobs_fts WHERE jobs_fts MATCH ? AND rowid = ?`,
		);
		return ranked.map(hit => ({
			row: rowOf.get(hit.rowid) as SelectedJobRow,
			rank: hit.rank,
			snippet: (snippetOf.get(parsed.match, hit.rowid) as {snippet: string} | undefined)?.snippet ?? '',
		}));
	}

	if (parsed.exclude === null && parsed.conditions.length === 0) {
		return [];
	}

	if (parsed.exclude !== null) {
		conditions.push({sql: 'j.rowid NOT IN (SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH ?)', params: [parsed.exclude]});
	}

	const where = whereClause(conditions);
	const rows = statements.get(
		`SELECT ${selectJobColumns} FROM jobs j ${where.sql} ORDER BY j.enqueued_at DESC, j.id DESC LIMIT ? OFFSET ?`,
	).all(...where.params, limit, offset) as SelectedJobRow[];
	return rows.map(row => ({row, rank: 0, snippet: row.prompt}));
}
