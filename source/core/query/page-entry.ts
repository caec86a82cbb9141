/**
 * The search language as the HTML gallery's page uses it: bundled by esbuild
 * into an IIFE that defines the global `mjQuery` (core/export/gallery-query-script.ts).
 * The page searches as the TUI does, as you type: the last word is a prefix.
 */
import {isEmptyQuery, parseQuery} from './parse.js';
import {queryMatcher, type JobMatcher} from './evaluate.js';

export {queryDocument} from './evaluate.js';

/** The matcher for what is typed in the search box, or undefined when it asks for nothing (every job is shown). */
export function typedMatcher(text: string): JobMatcher | undefined {
	const query = parseQuery(text, {prefixLast: true});
	return isEmptyQuery(query) ? undefined : queryMatcher(query);
}
