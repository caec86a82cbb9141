/**
 * The search language's SQL back-end: a parsed query (core/query/parse.ts)
 * → a safe FTS5 MATCH expression plus filter conditions on the jobs table.
 * Every term reaches FTS5 as a quoted string, so no user text can produce an
 * FTS5 syntax error, and every user value is a bound parameter.
 */
import {type Conjunction, type Filter, type FilterKey, parseQuery, type ParameterTest, type Term} from '../query/parse.js';
import {likedCondition} from './likes.js';
import {jobFilterConditions, type SqlCondition} from './list.js';

export interface ParsedSearch {
	/** FTS5 expression for jobs to find, or null when the text holds no positive terms. */
	match: string | null;
	/** FTS5 expression for jobs to leave out when the text only excludes (`-cat`); else null. */
	exclude: string | null;
	/** Parameter and key filters on the jobs table (aliased `j`). */
	conditions: SqlCondition[];
	/** The words and phrases searched for (not the excluded ones), for marking matches in a prompt. */
	highlight: HighlightTerm[];
	/** When `match` is one AND group: its positive terms and its exclusions as FTS5 strings (lets ranking leave out terms bm25 gives no weight). */
	conjunction: {terms: string[]; excluded: string[]} | null;
}

/** A searched word or phrase; `prefix` when its last word may continue (`fox*`). */
export type HighlightTerm = Term;

/** An FTS5 string. Control characters become spaces: the tokenizer splits on them anyway, and a NUL would end the string early for SQLite. */
function quote(text: string): string {
	return `"${text.replace(/\p{Cc}/gu, ' ').replaceAll('"', '""')}"`;
}

function ftsTerm(term: Term): string {
	return quote(term.text) + (term.prefix ? '*' : '');
}

/** JSON path for a parameter name; the name is bound, never spliced into SQL. */
function parameterPath(name: string): string {
	return `$."${name.replaceAll('"', '')}"`;
}

/** Each parameter test as SQL on the typed columns (numeric names come from a fixed list, so splicing them is safe). */
function parameterCondition(test: ParameterTest): SqlCondition {
	switch (test.test) {
		case 'version': {
			// `--v 6` matches 6, 6.0 and 6.1: a major version covers its minor ones. Versions are digits and dots, no LIKE wildcard.
			return {sql: '(j.model_version = ? OR j.model_version LIKE ?)', params: [test.version, `${test.version}.%`]};
		}

		case 'niji': {
			return {sql: 'j.model_version LIKE \'niji%\'', params: []};
		}

		case 'aspect': {
			return {sql: 'j.aspect_ratio = ?', params: [test.ratio]};
		}

		case 'range': {
			return {sql: `j.${test.name} BETWEEN ? AND ?`, params: [test.low, test.high]};
		}

		case 'compare': {
			return {sql: `j.${test.name} ${test.op} ?`, params: [test.value]};
		}

		case 'numeric': {
			return {sql: `j.${test.name} IS NOT NULL`, params: []};
		}

		case 'contains': {
			return {sql: 'instr(lower(json_extract(j.parameters, ?)), lower(?)) > 0', params: [parameterPath(test.name), test.value]};
		}

		case 'listed': {
			return {sql: 'instr(\' \' || lower(json_extract(j.parameters, ?)) || \' \', \' \' || lower(?) || \' \') > 0', params: [parameterPath(test.name), test.value]};
		}

		case 'equals': {
			return {sql: 'json_extract(j.parameters, ?) = ?', params: [parameterPath(test.name), test.value]};
		}

		case 'present': {
			return {sql: 'json_type(j.parameters, ?) IS NOT NULL', params: [parameterPath(test.name)]};
		}
	}
}

/** `key:value` filters as SQL; one entry per key of parse.ts's keyFilters. */
const keyConditions: {[Key in FilterKey]: (values: string[]) => SqlCondition} = {
	// The same condition as the `--type` flag.
	type: values => jobFilterConditions({types: values})[0]!,
	liked: values => likedCondition(values[0] === 'yes'),
	id: values => ({sql: `(${values.map(() => 'substr(j.id, 1, length(?)) = ?').join(' OR ')})`, params: values.flatMap(value => [value, value])}),
};

function filterCondition(filter: Filter): SqlCondition {
	const condition = filter.kind === 'key' ? keyConditions[filter.key](filter.values) : parameterCondition(filter);
	// coalesce: a job without the value (NULL) fails the filter, so it passes the negated one.
	return filter.negated ? {sql: `NOT coalesce((${condition.sql}), 0)`, params: condition.params} : condition;
}

/** FTS5 for one AND group: `(a AND b) NOT (c OR d)`. */
export function conjunctionExpression(terms: readonly string[], excluded: readonly string[]): string {
	return excluded.length > 0 ? `(${terms.join(' AND ')}) NOT (${excluded.join(' OR ')})` : `(${terms.join(' AND ')})`;
}

function groupExpression(group: Conjunction): string {
	return conjunctionExpression(group.all.map(ftsTerm), group.none.map(ftsTerm));
}

/**
 * Parse search text into FTS5 and SQL. `prefixLast` makes the last word a
 * prefix when the text does not end in a space (search as you type).
 */
export function parseSearchQuery(text: string, options: {prefixLast?: boolean} = {}): ParsedSearch {
	const query = parseQuery(text, options);
	const only = query.anyOf.length === 1 ? query.anyOf[0]! : undefined;
	return {
		match: query.anyOf.length > 0 ? query.anyOf.map(groupExpression).join(' OR ') : null,
		exclude: query.noneOf.length > 0 ? query.noneOf.map(ftsTerm).join(' OR ') : null,
		conditions: query.filters.map(filterCondition),
		highlight: query.anyOf.flatMap(group => group.all.map(term => ({...term}))),
		conjunction: only ? {terms: only.all.map(ftsTerm), excluded: only.none.map(ftsTerm)} : null,
	};
}
