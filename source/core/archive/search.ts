/**
 * Full-text search over prompts: bm25-ranked FTS5 matches (newest first on
 * ties), or a newest-first listing when the query only filters.
 *
 * Query shape, measured on 1,000,000 jobs: the ranking runs on the FTS5 table
 * alone (`ORDER BY rank, rowid DESC`; rowids are time-ordered, so no join is
 * needed to break ties), time bounds become rowid bounds FTS5 applies itself,
 * and other filters are checked row by row in rank order until the page is
 * full, instead of joining every match to the wide jobs table.
 */
import type {JobFilter} from '../job.js';
import {jobFilterConditions, selectJobColumns, whereClause, type SqlCondition} from './list.js';
import {lowestDatedRowid, rowidSlotsPerMillisecond, type SelectedJobRow} from './job-rows.js';
import {commonTerms} from './search-common-terms.js';
import {conjunctionExpression, parseSearchQuery, type ParsedSearch} from './search-query.js';
import {matchMarker} from './snippet.js';
import type {StatementCache} from './statements.js';

export interface SearchOptions {
	filter?: JobFilter;
	limit?: number;
	offset?: number;
	/**
	 * Search as you type: the last word is a prefix unless the text ends in a
	 * space, and rankWindow defaults to defaultRankWindow.
	 */
	prefixLast?: boolean;
	/**
	 * Rank only the newest this-many matches. bm25 has to score every match,
	 * at about 1.5 µs each (its per-row document-length lookup), so a broad
	 * query over a million prompts costs time in proportion; a window bounds
	 * that. Default: all matches (defaultRankWindow with prefixLast).
	 */
	rankWindow?: number;
}

/** A page of hits, and whether the ranking covered every match. */
export interface SearchRows {
	rows: SearchRow[];
	/** The rank window's size when it was full: matches older than its newest `rankedNewest` were not ranked. */
	rankedNewest: number | undefined;
}

/** A hit before file counts are attached. */
export interface SearchRow {
	row: SelectedJobRow;
	rank: number;
	snippet: string;
}


/**
 * The rank window of search as you type and of the `search` command: keeps a
 * query in tens of milliseconds at a million jobs (a two-word query there
 * matches 28-81k prompts; ranking them all takes 40-95 ms).
 */
export const defaultRankWindow = 5000;

/** Rowid bounds (jobs and jobs_fts share rowids) equivalent to the filter's since/until (rowid = enqueue ms × slots + slot). */
export function rowidBounds(filter: JobFilter | undefined): SqlCondition[] {
	const bounds: SqlCondition[] = [];
	if (filter?.since !== undefined) {
		bounds.push({sql: 'rowid >= ?', params: [filter.since * rowidSlotsPerMillisecond]});
	}

	if (filter?.until !== undefined) {
		// Undated jobs have rowids below every dated one; a time range never holds them.
		bounds.push({sql: 'rowid < ?', params: [filter.until * rowidSlotsPerMillisecond]}, {sql: 'rowid >= ?', params: [lowestDatedRowid]});
	}

	return bounds;
}

interface Hit {
	rowid: number;
	rank: number;
}

/** The rowids of the newest `window` matches, newest first. */
function windowMatches(statements: StatementCache, match: string, bounds: readonly SqlCondition[], window: number): number[] {
	const where = whereClause([{sql: 'jobs_fts MATCH ?', params: [match]}, ...bounds]);
	return statements.get(`SELECT rowid FROM jobs_fts ${where.sql} ORDER BY rowid DESC LIMIT ?`).pluck().all(...where.params, window) as number[];
}

/** A hit as a raw row, `[rowid, rank]`: 5,000 arrays come out of SQLite faster than 5,000 objects. */
type RawHit = [number, number];

/** By rank, newest first on equal rank: the order SQL's `ORDER BY rank, rowid DESC` gives. */
function byRank(a: RawHit, b: RawHit): number {
	return a[1] - b[1] || b[0] - a[0];
}

function* ranked(hits: RawHit[]): Generator<Hit> {
	for (const [rowid, rank] of hits.sort(byRank)) {
		yield {rowid, rank};
	}
}

/**
 * The newest `window` matches, ranked. One FTS5 statement reads them newest
 * first with their bm25 and they are sorted here: FTS5 rebuilds a prefix
 * term's merged doclist in every statement (rowid bounds do not shorten it),
 * so a second statement for the ranking cost another ~25 ms per keystroke.
 *
 * Search as you type also leaves out of the ranking expression the terms in
 * at least half the prompts (bm25 weighs them ~0, see search-common-terms.ts):
 * bm25 would walk their whole doclists for the IDF. The window is then taken
 * from the full query and hits must be among it, so the result set is the same.
 */
function windowHits(statements: StatementCache, parsed: ParsedSearch, bounds: readonly SqlCondition[], window: number, typed: boolean): {hits: Iterable<Hit>; full: boolean} {
	const match = parsed.match!;
	const common = typed && parsed.conjunction ? commonTerms(statements, parsed.conjunction.terms) : new Set<string>();
	const kept = parsed.conjunction?.terms.filter(term => !common.has(term)) ?? [];
	if (common.size > 0 && kept.length > 0) {
		const matches = windowMatches(statements, match, bounds, window);
		// A window that is not full holds few matches: ranking them with every term is cheap.
		if (matches.length === window) {
			const among = new Set(matches);
			const where = whereClause([{sql: 'jobs_fts MATCH ?', params: [conjunctionExpression(kept, parsed.conjunction!.excluded)]}, ...bounds, {sql: 'rowid >= ?', params: [matches.at(-1)!]}]);
			const hits = statements.get(`SELECT rowid, rank FROM jobs_fts ${where.sql}`).raw().all(...where.params) as RawHit[];
			return {hits: ranked(hits.filter(hit => among.has(hit[0]))), full: true};
		}
	}

	const where = whereClause([{sql: 'jobs_fts MATCH ?', params: [match]}, ...bounds]);
	const hits = statements.get(`SELECT rowid, rank FROM jobs_fts ${where.sql} ORDER BY rowid DESC LIMIT ?`).raw().all(...where.params, window) as RawHit[];
	return {hits: ranked(hits), full: hits.length === window};
}

/** Rowids and ranks of the page: ranked by FTS5 alone, filters checked in rank order. */
function rankedPage(statements: StatementCache, parsed: ParsedSearch, conditions: readonly SqlCondition[], options: SearchOptions, limit: number, offset: number): {page: Hit[]; rankedNewest: number | undefined} {
	const bounds = rowidBounds(options.filter);
	const window = Math.floor(options.rankWindow ?? (options.prefixLast ? defaultRankWindow : 0));
	let hits: Iterable<Hit>;
	let rankedNewest: number | undefined;
	if (window > 0) {
		const windowed = windowHits(statements, parsed, bounds, window, options.prefixLast ?? false);
		hits = windowed.hits;
		rankedNewest = windowed.full ? window : undefined;
	} else {
		const ftsWhere = whereClause([{sql: 'jobs_fts MATCH ?', params: [parsed.match!]}, ...bounds]);
		const ranking = `SELECT rowid, rank FROM jobs_fts ${ftsWhere.sql} ORDER BY rank, rowid DESC`;
		if (conditions.length === 0) {
			return {page: statements.get(`${ranking} LIMIT ? OFFSET ?`).all(...ftsWhere.params, limit, offset) as Hit[], rankedNewest};
		}

		hits = statements.get(ranking).iterate(...ftsWhere.params) as IterableIterator<Hit>;
	}

	const check = whereClause([{sql: 'j.rowid = ?', params: []}, ...conditions]);
	const passes = statements.get(`SELECT 1 FROM jobs j ${check.sql}`).pluck();
	const page: Hit[] = [];
	let skipped = 0;
	for (const hit of hits) {
		if (page.length >= limit) {
			break;
		}

		if (conditions.length > 0 && passes.get(hit.rowid, ...check.params) === undefined) {
			continue;
		}

		if (skipped < offset) {
			skipped++;
		} else {
			page.push(hit);
		}
	}

	return {page, rankedNewest};
}

/** Run a search; see ArchiveStore.search. */
export function searchRows(statements: StatementCache, query: string, options: SearchOptions = {}): SearchRows {
	const parsed = parseSearchQuery(query, {prefixLast: options.prefixLast});
	const limit = Math.max(0, Math.floor(options.limit ?? 50));
	const offset = Math.max(0, Math.floor(options.offset ?? 0));
	const conditions: SqlCondition[] = [...jobFilterConditions(options.filter), ...parsed.conditions];

	if (parsed.match !== null) {
		if (limit === 0) {
			return {rows: [], rankedNewest: undefined};
		}

		const {page, rankedNewest} = rankedPage(statements, parsed, conditions, options, limit, offset);
		const rowOf = statements.get(`SELECT ${selectJobColumns} FROM jobs j WHERE j.rowid = ?`);
		const mark = matchMarker(parsed.highlight);
		const rows = page.map(hit => {
			const row = rowOf.get(hit.rowid) as SelectedJobRow;
			return {row, rank: hit.rank, snippet: mark(row.prompt)};
		});
		return {rows, rankedNewest};
	}

	if (parsed.exclude === null && parsed.conditions.length === 0) {
		return {rows: [], rankedNewest: undefined};
	}

	if (parsed.exclude !== null) {
		conditions.push({sql: 'j.rowid NOT IN (SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH ?)', params: [parsed.exclude]});
	}

	const where = whereClause(conditions);
	const rows = statements.get(
		`SELECT ${selectJobColumns} FROM jobs j ${where.sql} ORDER BY j.enqueued_at DESC, j.id DESC LIMIT ? OFFSET ?`,
	).all(...where.params, limit, offset) as SelectedJobRow[];
	return {rows: rows.map(row => ({row, rank: 0, snippet: row.prompt})), rankedNewest: undefined};
}
