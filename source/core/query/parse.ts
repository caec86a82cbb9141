/**
 * The one search language of mj-tui (`search`, the TUI, the MCP server, the
 * HTML gallery): user text → a query tree. Pure: no SQL, no Node APIs, so the
 * gallery page runs this same file. Two back-ends read the tree: the FTS5/SQL
 * compiler (core/archive/search-query.ts) and the in-page evaluator
 * (evaluate.ts).
 *
 * Grammar, leniently read (no text is an error): words, "phrases" (an
 * unclosed quote runs to the end), prefix* (a trailing star), OR and NOT (in
 * capitals, as FTS5), AND (the default, so it adds nothing), -word, brackets
 * only separate words; Midjourney parameters as filters (`--ar 16:9`, `--v 7`,
 * `--niji 6`, `--stylize >250`, `--chaos 10..50`, `--tile`, `--style raw`,
 * `—ar` for `--ar`); `key:value` filters from `keyFilters` (`type:upscale`).
 */
import {normaliseParameter, type NumericParameter, numericParameters} from '../archive/parameters.js';
import {unicode61Tokens} from './unicode61.js';

/** A searched word or phrase as typed (without quotes or `*`); `prefix` when its last word may continue (`fox*`). */
export interface Term {
	text: string;
	prefix: boolean;
}

/** Terms that must all match, and terms none of which may match (`cat -dog`). */
export interface Conjunction {
	all: Term[];
	none: Term[];
}

export type Comparison = '>' | '>=' | '<' | '<=' | '=';

/** What a parameter filter checks; names are canonical (`--aspect` → ar), values normalised as stored jobs are. */
export type ParameterTest =
	/** Model version is this one or a minor of it (`--v 6` → 6, 6.1; `--niji 6` → `niji 6`). */
	| {test: 'version'; version: string}
	/** Any niji version. */
	| {test: 'niji'}
	| {test: 'aspect'; ratio: string}
	| {test: 'compare'; name: NumericParameter; op: Comparison; value: number}
	/** Inclusive, low ≤ high. */
	| {test: 'range'; name: NumericParameter; low: number; high: number}
	/** The numeric parameter has a number (`--chaos`). */
	| {test: 'numeric'; name: NumericParameter}
	/** The value holds this text, ASCII case ignored (`--no people`). */
	| {test: 'contains'; name: string; value: string}
	/** One of the space-separated codes or URLs is this one, ASCII case ignored (`--sref`). */
	| {test: 'listed'; name: string; value: string}
	| {test: 'equals'; name: string; value: string}
	/** The parameter was used at all (`--tile`). */
	| {test: 'present'; name: string};

/**
 * `key:value` filters: key → reader of the value (undefined: not a filter,
 * the word is searched as text). Adding a key here makes TypeScript ask for
 * its SQL (core/archive/search-query.ts) and its page test (evaluate.ts).
 */
export const keyFilters = {
	/** `type:upscale,variation`: job_type or event_type is one of these (as `--type`). */
	type: (value: string) => listValues(value),
	/** `id:1a2b3c4d` (or `id:1a2b*`): the job id starts with this. */
	id: (value: string) => listValues(value.replace(/\*+$/, '')),
	/** `liked:yes` / `liked:no`: the jobs the account liked on the site (`--likes`). */
	liked: (value: string) => (/^(?:yes|true)$/i.test(value) ? ['yes'] : /^(?:no|false)$/i.test(value) ? ['no'] : undefined),
} satisfies Record<string, (value: string) => string[] | undefined>;

export type FilterKey = keyof typeof keyFilters;

export type Filter =
	| ({kind: 'parameter'; negated: boolean} & ParameterTest)
	| {kind: 'key'; key: FilterKey; values: string[]; negated: boolean};

/**
 * A parsed query. A job matches when it matches one of `anyOf` (or, when that
 * is empty, none of `noneOf`) and passes every filter. A query with no terms
 * and no filters asks for nothing (isEmptyQuery).
 */
export interface SearchQuery {
	/** Alternatives split by OR; each has at least one positive term (a group of only exclusions beside others is dropped: FTS5's NOT is binary). */
	anyOf: Conjunction[];
	/** When no alternative has a positive term: every excluded term (`-cat -dog`). */
	noneOf: Term[];
	/** Parameter and key filters; they apply to the whole query, not to one OR group. */
	filters: Filter[];
}

/** Parameters whose value in a query is one word (`--style raw`); any other unknown `--name` is a presence test. */
const valueParameters = new Set(['ar', 'v', 'style', 'no', 'sref', 'cref', 'oref', 'seed', 'stop', 'iw', 'sw', 'sv', 'cw', 'ow', 'exp', 'repeat', 'motion', 'bs']);
/** Parameters that hold several codes or URLs (`--sref 3725990145 https://s.mj.run/abc`): a query value matches any one of them. */
const listParameters = new Set(['sref', 'cref', 'oref']);

const numericComparison = /^(>=|<=|>|<|=)?(-?\d+(?:\.\d+)?)$/;
const numericRange = /^(-?\d+(?:\.\d+)?)\.\.(-?\d+(?:\.\d+)?)$/;
const versionValue = /^\d+(?:\.\d+)?$/;
const aspectValue = /^\d+(?:\.\d+)?:\d+(?:\.\d+)?$/;
const parameterWord = /^(?:--|\u2014)([a-zA-Z][\w-]*)$/;
const keyWord = /^([a-zA-Z]+):(.+)$/;

/** Shortest last word that search-as-you-type turns into a prefix. */
const minimumTypedPrefix = 2;

function listValues(value: string): string[] | undefined {
	const values = value.split(',').map(part => part.trim()).filter(Boolean);
	return values.length > 0 ? values : undefined;
}

function isNumericParameter(name: string): name is NumericParameter {
	return (numericParameters as readonly string[]).includes(name);
}

function isFilterKey(key: string): key is FilterKey {
	return Object.hasOwn(keyFilters, key);
}

/** The test for `--name [value]`, and whether it used the value. */
function parameterTest(name: string, value: string | undefined): {test: ParameterTest; usedValue: boolean} {
	if (name === 'niji') {
		return value !== undefined && versionValue.test(value) ? {test: {test: 'version', version: `niji ${value}`}, usedValue: true} : {test: {test: 'niji'}, usedValue: false};
	}

	if (name === 'v' && value !== undefined && versionValue.test(value)) return {test: {test: 'version', version: value}, usedValue: true};
	if (name === 'ar' && value !== undefined && aspectValue.test(value)) return {test: {test: 'aspect', ratio: value}, usedValue: true};
	if (isNumericParameter(name)) {
		const range = value === undefined ? null : numericRange.exec(value);
		if (range) {
			const [low, high] = [Number(range[1]), Number(range[2])].sort((a, b) => a - b);
			return {test: {test: 'range', name, low: low!, high: high!}, usedValue: true};
		}

		const comparison = value === undefined ? null : numericComparison.exec(value);
		if (comparison) return {test: {test: 'compare', name, op: (comparison[1] ?? '=') as Comparison, value: Number(comparison[2])}, usedValue: true};
		return {test: {test: 'numeric', name}, usedValue: false};
	}

	if (name === 'no' && value !== undefined) return {test: {test: 'contains', name, value}, usedValue: true};
	if (listParameters.has(name) && value !== undefined) return {test: {test: 'listed', name, value}, usedValue: true};
	if (valueParameters.has(name) && value !== undefined) return {test: {test: 'equals', name, value}, usedValue: true};
	return {test: {test: 'present', name}, usedValue: false};
}

interface Chunk {
	kind: 'phrase' | 'word';
	text: string;
	prefix: boolean;
	negated: boolean;
	end: number;
}

/** Split into raw chunks: quoted phrases (an unclosed quote runs to the end) and whitespace-separated words. */
function chunksOf(text: string): Chunk[] {
	const chunks: Chunk[] = [];
	let i = 0;
	while (i < text.length) {
		// Brackets only separate words: grouping is not supported, and FTS5 must never see a bare one.
		if (/[\s()]/.test(text[i]!)) {
			i++;
			continue;
		}

		let negated = false;
		if (text[i] === '-' && i + 1 < text.length && text[i + 1] !== '-' && !/\s/.test(text[i + 1]!) && text[i + 1] !== '\u2014') {
			negated = true;
			i++;
		}

		if (text[i] === '"') {
			const close = text.indexOf('"', i + 1);
			const end = close === -1 ? text.length : close;
			const prefix = close !== -1 && text[close + 1] === '*';
			const chunk: Chunk = {kind: 'phrase', text: text.slice(i + 1, end), prefix, negated, end: close === -1 ? end : close + 1 + (prefix ? 1 : 0)};
			chunks.push(chunk);
			i = chunk.end;
			continue;
		}

		let end = i;
		while (end < text.length && !/[\s"()]/.test(text[end]!)) end++;
		chunks.push({kind: 'word', text: text.slice(i, end), prefix: false, negated, end});
		i = end;
	}

	return chunks;
}

interface ParsedTerm extends Term {
	negated: boolean;
}

/** Parse search text. `prefixLast` makes the last word a prefix when the text does not end in a space (search as you type). */
export function parseQuery(text: string, options: {prefixLast?: boolean} = {}): SearchQuery {
	const chunks = chunksOf(text);
	const groups: ParsedTerm[][] = [[]];
	const filters: Filter[] = [];
	let negateNext = false;
	let last: {term: ParsedTerm; chunk: Chunk} | undefined;

	for (let index = 0; index < chunks.length; index++) {
		const chunk = chunks[index]!;
		const negated = chunk.negated || negateNext;
		const parameter = chunk.kind === 'word' && !chunk.negated ? parameterWord.exec(chunk.text) : null;
		if (parameter) {
			// Normalised as stored jobs are: `--raw` is `--style raw`, `--v 7.0` is `--v 7`, `--profile` is `--p`.
			const flag = normaliseParameter(parameter[1]!, true);
			const next = chunks[index + 1];
			const written = flag.value === true && next && next.kind === 'word' && !next.negated && !/^(?:--|\u2014)/.test(next.text) ? next.text : undefined;
			const value = flag.value === true ? (written === undefined ? undefined : normaliseParameter(flag.name, written).value as string) : flag.value;
			const found = parameterTest(flag.name, value);
			filters.push({kind: 'parameter', negated, ...found.test});
			if (found.usedValue && written !== undefined) index++;
			negateNext = false;
			last = undefined;
			continue;
		}

		const key = chunk.kind === 'word' ? keyWord.exec(chunk.text) : null;
		const keyName = key?.[1]!.toLowerCase();
		const values = keyName !== undefined && isFilterKey(keyName) ? keyFilters[keyName](key![2]!) : undefined;
		if (values) {
			filters.push({kind: 'key', key: keyName as FilterKey, values, negated});
			negateNext = false;
			last = undefined;
			continue;
		}

		if (chunk.kind === 'word' && !chunk.negated) {
			if (chunk.text === 'OR') {
				groups.push([]);
				negateNext = false;
				continue;
			}

			if (chunk.text === 'AND') continue;
			if (chunk.text === 'NOT') {
				negateNext = true;
				continue;
			}
		}

		negateNext = false;
		// Only a trailing * makes a word a prefix; any other punctuation is left to the tokenizer.
		const prefix = chunk.kind === 'word' ? chunk.text.endsWith('*') : chunk.prefix;
		const body = (chunk.kind === 'word' ? chunk.text.replace(/\*+$/, '') : chunk.text).trim();
		// Without a token a term would match nothing (FTS5 drops every character of it).
		if (unicode61Tokens(body).length === 0) {
			last = undefined;
			continue;
		}

		const term: ParsedTerm = {text: body, prefix, negated};
		groups.at(-1)!.push(term);
		last = {term, chunk};
	}

	if (options.prefixLast && last && !last.term.prefix && last.chunk.kind === 'word' && last.chunk.end === text.length) {
		if ([...last.term.text].length < minimumTypedPrefix) {
			// One typed letter as a prefix merges the postings of every word it starts, on each keystroke: wait for the next.
			const lastTerm = last.term;
			for (const group of groups) group.splice(0, group.length, ...group.filter(term => term !== lastTerm));
		} else {
			last.term.prefix = true;
		}
	}

	const plain = ({text: termText, prefix}: ParsedTerm): Term => ({text: termText, prefix});
	const anyOf = groups
		.filter(group => group.some(term => !term.negated))
		.map(group => ({all: group.filter(term => !term.negated).map(plain), none: group.filter(term => term.negated).map(plain)}));
	const noneOf = anyOf.length > 0 ? [] : groups.flat().map(plain);
	return {anyOf, noneOf, filters};
}

/** True when the query holds no term and no filter: it asks for nothing. */
export function isEmptyQuery(query: SearchQuery): boolean {
	return query.anyOf.length === 0 && query.noneOf.length === 0 && query.filters.length === 0;
}
