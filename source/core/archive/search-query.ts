/**
 * User search text → a safe FTS5 MATCH expression plus parameter filters.
 *
 * Accepts words, "phrases", prefix*, AND / OR / NOT (upper case, as FTS5),
 * -word, and Midjourney parameters as filters: `--ar 16:9`, `--v 7`,
 * `--niji 6`, `--stylize >250`, `--chaos 10..50`, `--tile`, `--style raw`,
 * and `liked:yes` / `liked:no` (jobs the account liked).
 * Every word reaches FTS5 as a quoted string, so no user text can produce an
 * FTS5 syntax error; an unclosed quote runs to the end of the text.
 */
import {normaliseParameter, type NumericParameter, numericParameters} from './parameters.js';
import type {SqlCondition} from './list.js';
import {likedCondition} from './likes.js';

export interface ParsedSearch {
	/** FTS5 expression for jobs to find, or null when the text holds no positive terms. */
	match: string | null;
	/** FTS5 expression for jobs to leave out when the text only excludes (`-cat`); else null. */
	exclude: string | null;
	/** Parameter filters on the jobs table (aliased `j`). */
	conditions: SqlCondition[];
	/** The words and phrases searched for (not the excluded ones), for marking matches in a prompt. */
	highlight: HighlightTerm[];
	/** When `match` is one AND group: its positive terms and its exclusions as FTS5 strings (lets ranking leave out terms bm25 gives no weight). */
	conjunction: {terms: string[]; excluded: string[]} | null;
}

/** A searched word or phrase; `prefix` when its last word may continue (`fox*`). */
export interface HighlightTerm {
	text: string;
	prefix: boolean;
}

/** Parameters whose value in a query is one word (`--style raw`); any other unknown `--name` is a presence test. */
const valueParameters = new Set(['ar', 'v', 'style', 'no', 'sref', 'cref', 'oref', 'seed', 'stop', 'iw', 'sw', 'sv', 'cw', 'ow', 'exp', 'repeat', 'motion', 'bs']);
/** Parameters that hold several codes or URLs (`--sref 3725990145 https://s.mj.run/abc`): a query value matches any one of them. */
const listParameters = new Set(['sref', 'cref', 'oref']);

const numericComparison = /^(>=|<=|>|<|=)?(-?\d+(?:\.\d+)?)$/;
const numericRange = /^(-?\d+(?:\.\d+)?)\.\.(-?\d+(?:\.\d+)?)$/;
const versionValue = /^\d+(?:\.\d+)?$/;
const aspectValue = /^\d+(?:\.\d+)?:\d+(?:\.\d+)?$/;

/** Shortest last word that search-as-you-type turns into a prefix. */
const minimumTypedPrefix = 2;

/** Something FTS5's unicode61 tokenizer keeps: without a letter or digit a term matches nothing. */
const hasTokenCharacter = /[\p{L}\p{N}]/u;

interface Term {
	/** Quoted FTS5 string, e.g. `"cat"` or `"red car"*`. */
	fts: string;
	/** The word or phrase as typed, without quotes or `*`. */
	text: string;
	negated: boolean;
}

interface Group {
	terms: Term[];
}

/** An FTS5 string. Control characters become spaces: the tokenizer splits on them anyway, and a NUL would end the string early for SQLite. */
function quote(text: string): string {
	return `"${text.replace(/\p{Cc}/gu, ' ').replaceAll('"', '""')}"`;
}

function isNumericParameter(name: string): name is NumericParameter {
	return (numericParameters as readonly string[]).includes(name);
}

/** JSON path for a parameter name; the name is bound, never spliced into SQL. */
function parameterPath(name: string): string {
	return `$."${name.replaceAll('"', '')}"`;
}

function versionCondition(column: string, version: string): SqlCondition {
	// `--v 6` matches 6, 6.0 and 6.1: a major version covers its minor ones.
	// Versions are digits and dots (checked by the caller), so nothing in them is a LIKE wildcard.
	return {sql: `(${column} = ? OR ${column} LIKE ?)`, params: [version, `${version}.%`]};
}

/** The filter for `--name [value]`, and whether the value was used. */
function parameterCondition(name: string, value: string | undefined): {condition: SqlCondition; usedValue: boolean} {
	if (name === 'niji') {
		if (value !== undefined && versionValue.test(value)) {
			return {condition: versionCondition('j.model_version', `niji ${value}`), usedValue: true};
		}

		return {condition: {sql: 'j.model_version LIKE \'niji%\'', params: []}, usedValue: false};
	}

	if (name === 'v' && value !== undefined && versionValue.test(value)) {
		return {condition: versionCondition('j.model_version', value), usedValue: true};
	}

	if (name === 'ar' && value !== undefined && aspectValue.test(value)) {
		return {condition: {sql: 'j.aspect_ratio = ?', params: [value]}, usedValue: true};
	}

	if (isNumericParameter(name)) {
		const column = `j.${name}`;
		const range = value === undefined ? null : numericRange.exec(value);
		if (range) {
			const [low, high] = [Number(range[1]), Number(range[2])].sort((a, b) => a - b);
			return {condition: {sql: `${column} BETWEEN ? AND ?`, params: [low, high]}, usedValue: true};
		}

		const comparison = value === undefined ? null : numericComparison.exec(value);
		if (comparison) {
			return {condition: {sql: `${column} ${comparison[1] ?? '='} ?`, params: [Number(comparison[2])]}, usedValue: true};
		}

		return {condition: {sql: `${column} IS NOT NULL`, params: []}, usedValue: false};
	}

	if (name === 'no' && value !== undefined) {
		return {condition: {sql: 'instr(lower(json_extract(j.parameters, ?)), lower(?)) > 0', params: [parameterPath(name), value]}, usedValue: true};
	}

	if (listParameters.has(name) && value !== undefined) {
		return {condition: {sql: 'instr(\' \' || lower(json_extract(j.parameters, ?)) || \' \', \' \' || lower(?) || \' \') > 0', params: [parameterPath(name), value]}, usedValue: true};
	}

	if (valueParameters.has(name) && value !== undefined) {
		return {condition: {sql: 'json_extract(j.parameters, ?) = ?', params: [parameterPath(name), value]}, usedValue: true};
	}

	return {condition: {sql: 'json_type(j.parameters, ?) IS NOT NULL', params: [parameterPath(name)]}, usedValue: false};
}

/** Split into raw chunks: quoted phrases (an unclosed quote runs to the end) and whitespace-separated words. */
function chunksOf(text: string): Array<{kind: 'phrase' | 'word'; text: string; prefix: boolean; negated: boolean; end: number}> {
	const chunks: Array<{kind: 'phrase' | 'word'; text: string; prefix: boolean; negated: boolean; end: number}> = [];
	let i = 0;
	while (i < text.length) {
		// Brackets only separate words: grouping is not supported, and FTS5 must never see a bare one.
		if (/[\s()]/.test(text[i])) {
			i++;
			continue;
		}

		let negated = false;
		if (text[i] === '-' && i + 1 < text.length && text[i + 1] !== '-' && !/\s/.test(text[i + 1]) && text[i + 1] !== '\u2014') {
			negated = true;
			i++;
		}

		if (text[i] === '"') {
			const close = text.indexOf('"', i + 1);
			const end = close === -1 ? text.length : close;
			const prefix = close !== -1 && text[close + 1] === '*';
			chunks.push({kind: 'phrase', text: text.slice(i + 1, end), prefix, negated, end: close === -1 ? end : close + 1 + (prefix ? 1 : 0)});
			i = chunks.at(-1)!.end;
			continue;
		}

		let end = i;
		while (end < text.length && !/[\s"()]/.test(text[end])) {
			end++;
		}

		chunks.push({kind: 'word', text: text.slice(i, end), prefix: false, negated, end});
		i = end;
	}

	return chunks;
}

/**
 * Parse search text. `prefixLast` makes the last word a prefix when the text
 * does not end in a space (search-as-you-type).
 */
export function parseSearchQuery(text: string, options: {prefixLast?: boolean} = {}): ParsedSearch {
	const chunks = chunksOf(text);
	const groups: Group[] = [{terms: []}];
	const conditions: SqlCondition[] = [];
	let negateNext = false;
	let lastTerm: {term: Term; chunk: (typeof chunks)[number]; phrase: string} | undefined;

	for (let index = 0; index < chunks.length; index++) {
		const chunk = chunks[index];
		// `liked:yes` / `liked:no`: the account's likes (schema 5), a filter like the parameters.
		const liked = chunk.kind === 'word' && !chunk.negated ? /^liked:(yes|no)$/i.exec(chunk.text) : null;
		if (liked) {
			conditions.push(likedCondition(liked[1].toLowerCase() === 'yes'));
			lastTerm = undefined;
			continue;
		}

		const parameter = chunk.kind === 'word' && !chunk.negated ? /^(?:--|\u2014)([a-zA-Z][\w-]*)$/.exec(chunk.text) : null;
		if (parameter) {
			// Normalised as stored jobs are: `--raw` is `--style raw`, `--v 7.0` is `--v 7`, `--profile` is `--p`.
			const flag = normaliseParameter(parameter[1], true);
			const next = chunks[index + 1];
			const written = flag.value === true && next && next.kind === 'word' && !next.negated && !/^(?:--|\u2014)/.test(next.text) ? next.text : undefined;
			const value = flag.value === true ? (written === undefined ? undefined : normaliseParameter(flag.name, written).value as string) : flag.value;
			const found = parameterCondition(flag.name, value);
			const condition = found.condition;
			const usedValue = found.usedValue && written !== undefined;
			conditions.push(condition);
			if (usedValue) {
				index++;
			}

			lastTerm = undefined;
			continue;
		}

		if (chunk.kind === 'word' && !chunk.negated) {
			if (chunk.text === 'OR') {
				groups.push({terms: []});
				negateNext = false;
				continue;
			}

			if (chunk.text === 'AND') {
				continue;
			}

			if (chunk.text === 'NOT') {
				negateNext = true;
				continue;
			}
		}

		let body = chunk.text;
		let prefix = chunk.prefix;
		if (chunk.kind === 'word') {
			// Only a trailing * means prefix; any other punctuation is left to the tokenizer inside the quotes.
			prefix = body.endsWith('*');
			body = body.replace(/\*+$/, '');
		}

		const negated = chunk.negated || negateNext;
		negateNext = false;
		if (!hasTokenCharacter.test(body)) {
			lastTerm = undefined;
			continue;
		}

		const term: Term = {fts: quote(body.trim()) + (prefix ? '*' : ''), text: body.trim(), negated};
		groups.at(-1)!.terms.push(term);
		lastTerm = {term, chunk, phrase: body.trim()};
	}

	if (options.prefixLast && lastTerm && !lastTerm.term.fts.endsWith('*') && lastTerm.chunk.end === text.length && lastTerm.chunk.kind === 'word') {
		if ([...lastTerm.phrase].length < minimumTypedPrefix) {
			// One typed letter as a prefix merges the postings of every word it starts, on each keystroke: wait for the next.
			for (const group of groups) {
				group.terms = group.terms.filter(term => term !== lastTerm!.term);
			}
		} else {
			lastTerm.term.fts = `${quote(lastTerm.phrase)}*`;
		}
	}

	const highlight = groups.flatMap(group => group.terms.filter(term => !term.negated).map(term => ({text: term.text, prefix: term.fts.endsWith('*')})));
	const positiveGroups = groups.filter(group => group.terms.some(term => !term.negated));
	const conjunction = positiveGroups.length === 1
		? {terms: positiveGroups[0].terms.filter(term => !term.negated).map(term => term.fts), excluded: positiveGroups[0].terms.filter(term => term.negated).map(term => term.fts)}
		: null;
	return {...ftsExpressions(groups), conditions, highlight, conjunction};
}

/** FTS5 for one AND group: `(a AND b) NOT (c OR d)`. */
export function conjunctionExpression(terms: readonly string[], excluded: readonly string[]): string {
	return excluded.length > 0 ? `(${terms.join(' AND ')}) NOT (${excluded.join(' OR ')})` : `(${terms.join(' AND ')})`;
}

function ftsExpressions(groups: Group[]): {match: string | null; exclude: string | null} {
	const positiveGroups = groups.filter(group => group.terms.some(term => !term.negated));
	if (positiveGroups.length > 0) {
		// A group with only exclusions cannot stand beside others in FTS5 (NOT is binary); such a group is dropped.
		const expressions = positiveGroups.map(group => conjunctionExpression(
			group.terms.filter(term => !term.negated).map(term => term.fts),
			group.terms.filter(term => term.negated).map(term => term.fts),
		));
		return {match: expressions.join(' OR '), exclude: null};
	}

	const negatives = groups.flatMap(group => group.terms.map(term => term.fts));
	return {match: null, exclude: negatives.length > 0 ? negatives.join(' OR ') : null};
}
