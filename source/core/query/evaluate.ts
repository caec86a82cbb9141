/**
 * The search language's in-page back-end: a parsed query (parse.ts) checked
 * against one job held in memory, with the meaning the SQL back-end gives it
 * (core/archive/search-query.ts): FTS5 tokens for the prompt (unicode61.ts),
 * the derived columns computed by the functions that fill them in the archive.
 * Pure, so the HTML gallery runs it in the browser.
 */
import {aspectRatioOf, modelVersionOf, numericParameterOf, type NumericParameter, numericParameters} from '../archive/parameters.js';
import type {JobParameters} from '../job.js';
import type {Comparison, Filter, FilterKey, ParameterTest, SearchQuery, Term} from './parse.js';
import {unicode61Tokens} from './unicode61.js';

/** What a job carries for search: the fields the gallery's data block holds. */
export interface SearchableJob {
	id: string;
	job_type: string | null;
	event_type: string | null;
	prompt: string;
	parameters: JobParameters;
	width: number | null;
	height: number | null;
	/** Liked by the account on the site (the archive's likes table). */
	liked?: boolean;
}

/** A job prepared once for many queries: prompt tokens and the archive's derived columns. */
export interface QueryDocument {
	job: SearchableJob;
	/**
	 * The prompt's tokens, each with a space before and after (` basalt cliff `):
	 * a space is a separator, so no token holds one, and a phrase is a substring.
	 */
	tokens: string;
	modelVersion: string | null;
	aspectRatio: string | null;
	numbers: Record<NumericParameter, number | null>;
}

/** Prepare a job for matching. */
export function queryDocument(job: SearchableJob): QueryDocument {
	const parameters = job.parameters ?? {};
	const numbers = {} as Record<NumericParameter, number | null>;
	for (const name of numericParameters) numbers[name] = numericParameterOf(parameters, name);
	return {
		job,
		tokens: ` ${unicode61Tokens(job.prompt ?? '').join(' ')} `,
		modelVersion: modelVersionOf(parameters, job.job_type),
		aspectRatio: aspectRatioOf(parameters, job.width, job.height),
		numbers,
	};
}

/** SQLite's lower(): ASCII letters only. */
function asciiLower(text: string): string {
	return text.replace(/[A-Z]/g, letter => letter.toLowerCase());
}

/**
 * A query term as FTS5 reads a quoted string: its tokens, consecutive in the
 * prompt, the last one only a prefix for `*`. As text: ` basalt cliff ` (or
 * ` basalt cl` for a prefix), found in the document's spaced tokens.
 */
type TermMatcher = string | undefined;

function termMatcher(term: Term): TermMatcher {
	const tokens = unicode61Tokens(term.text);
	// A term without tokens matches nothing, as FTS5's empty phrase.
	return tokens.length === 0 ? undefined : ` ${tokens.join(' ')}${term.prefix ? '' : ' '}`;
}

function hasTerm(tokens: string, term: TermMatcher): boolean {
	return term !== undefined && tokens.includes(term);
}

/** SQLite's JSON value as text, the way lower(json_extract(...)) sees it: a flag (`true`) is 1. */
function parameterText(parameters: JobParameters, name: string): string | undefined {
	if (!Object.hasOwn(parameters, name)) return undefined;
	const value = parameters[name];
	return value === true ? '1' : String(value);
}

function compares(value: number, op: Comparison, than: number): boolean {
	switch (op) {
		case '>': return value > than;
		case '>=': return value >= than;
		case '<': return value < than;
		case '<=': return value <= than;
		case '=': return value === than;
	}
}

function passesParameter(document: QueryDocument, test: ParameterTest): boolean {
	const parameters = document.job.parameters ?? {};
	switch (test.test) {
		case 'version': {
			const version = document.modelVersion;
			return version !== null && (version === test.version || asciiLower(version).startsWith(asciiLower(`${test.version}.`)));
		}

		case 'niji': return document.modelVersion !== null && asciiLower(document.modelVersion).startsWith('niji');
		case 'aspect': return document.aspectRatio === test.ratio;
		case 'range': {
			const value = document.numbers[test.name];
			return value !== null && value >= test.low && value <= test.high;
		}

		case 'compare': {
			const value = document.numbers[test.name];
			return value !== null && compares(value, test.op, test.value);
		}

		case 'numeric': return document.numbers[test.name] !== null;
		case 'contains': {
			const text = parameterText(parameters, test.name);
			return text !== undefined && asciiLower(text).includes(asciiLower(test.value));
		}

		case 'listed': {
			const text = parameterText(parameters, test.name);
			return text !== undefined && ` ${asciiLower(text)} `.includes(` ${asciiLower(test.value)} `);
		}

		case 'equals': return Object.hasOwn(parameters, test.name) && parameters[test.name] === test.value;
		case 'present': return Object.hasOwn(parameters, test.name);
	}
}

/** `key:value` filters on a job; one entry per key of parse.ts's keyFilters. */
const keyTests: {[Key in FilterKey]: (job: SearchableJob, values: string[]) => boolean} = {
	type: (job, values) => values.some(value => value === job.job_type || value === job.event_type),
	id: (job, values) => values.some(value => job.id.startsWith(value)),
	liked: (job, values) => (values[0] === 'yes') === (job.liked === true),
};

function passes(document: QueryDocument, filter: Filter): boolean {
	const result = filter.kind === 'key' ? keyTests[filter.key](document.job, filter.values) : passesParameter(document, filter);
	return filter.negated ? !result : result;
}

/** A query ready to check many jobs: its terms tokenised once. */
export type JobMatcher = (document: QueryDocument) => boolean;

/** A matcher for the query; an empty query (isEmptyQuery) matches every job. */
export function queryMatcher(query: SearchQuery): JobMatcher {
	const anyOf = query.anyOf.map(group => ({all: group.all.map(termMatcher), none: group.none.map(termMatcher)}));
	const noneOf = query.noneOf.map(termMatcher);
	return document => {
		if (!query.filters.every(filter => passes(document, filter))) return false;
		const {tokens} = document;
		if (anyOf.length > 0) return anyOf.some(group => group.all.every(term => hasTerm(tokens, term)) && !group.none.some(term => hasTerm(tokens, term)));
		return !noneOf.some(term => hasTerm(tokens, term));
	};
}
