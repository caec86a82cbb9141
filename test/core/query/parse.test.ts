/**
 * The search language's grammar as a tree (parseQuery): what a user's text
 * means before either back-end (FTS5/SQL, the gallery page) reads it.
 */
import test from 'ava';
import {isEmptyQuery, parseQuery, type SearchQuery} from '../../../source/core/query/parse.js';

const word = (text: string, prefix = false) => ({text, prefix});
const terms = (all: ReturnType<typeof word>[], none: ReturnType<typeof word>[] = []) => ({all, none});

test('words are one AND group; phrases keep their words together; a trailing star is a prefix', t => {
	t.deepEqual(parseQuery('lighthouse  "basalt cliff" light*'), {
		anyOf: [terms([word('lighthouse'), word('basalt cliff'), word('light', true)])],
		noneOf: [],
		filters: [],
	});
	t.deepEqual(parseQuery('"basalt cl"*').anyOf, [terms([word('basalt cl', true)])]);
	t.deepEqual(parseQuery('fo*x').anyOf, [terms([word('fo*x')])], 'a star inside a word is text');
	t.deepEqual(parseQuery('"a dog and').anyOf, [terms([word('a dog and')])], 'an unclosed quote runs to the end');
	t.deepEqual(parseQuery('cat AND dog').anyOf, [terms([word('cat'), word('dog')])], 'AND is the default');
	t.deepEqual(parseQuery('cat or dog').anyOf, [terms([word('cat'), word('or'), word('dog')])], 'only capital OR is an operator');
});

test('OR makes alternatives; -word and NOT exclude within their alternative', t => {
	t.deepEqual(parseQuery('lighthouse OR fox').anyOf, [terms([word('lighthouse')]), terms([word('fox')])]);
	t.deepEqual(parseQuery('lighthouse -isometric').anyOf, [terms([word('lighthouse')], [word('isometric')])]);
	t.deepEqual(parseQuery('fox NOT snow OR cat').anyOf, [terms([word('fox')], [word('snow')]), terms([word('cat')])]);
	t.deepEqual(parseQuery('fox OR -cat').anyOf, [terms([word('fox')])], 'an alternative of exclusions only cannot stand beside others (FTS5 NOT is binary)');
	t.deepEqual(parseQuery('-cat -"red fox"'), {anyOf: [], noneOf: [word('cat'), word('red fox')], filters: []}, 'exclusions alone: jobs with none of them');
	t.deepEqual(parseQuery('red-fox').anyOf, [terms([word('red-fox')])], 'a hyphen inside a word excludes nothing');
	t.deepEqual(parseQuery('cat - dog').anyOf, [terms([word('cat'), word('dog')])], 'a lone hyphen is no word');
});

test('search as you type: the last word becomes a prefix from two letters, until a space ends it', t => {
	t.deepEqual(parseQuery('lighthouse ba', {prefixLast: true}).anyOf, [terms([word('lighthouse'), word('ba', true)])]);
	t.deepEqual(parseQuery('lighthouse b', {prefixLast: true}).anyOf, [terms([word('lighthouse')])]);
	t.deepEqual(parseQuery('lighthouse ba ', {prefixLast: true}).anyOf, [terms([word('lighthouse'), word('ba')])]);
	t.deepEqual(parseQuery('"basalt cliff"', {prefixLast: true}).anyOf, [terms([word('basalt cliff')])], 'a closed phrase is never extended');
	t.deepEqual(parseQuery('lighthouse -iso', {prefixLast: true}).anyOf, [terms([word('lighthouse')], [word('iso', true)])]);
});

test('parameters become filters, normalised as stored jobs are, with the value they take', t => {
	const filters = (text: string) => parseQuery(text).filters;
	t.deepEqual(filters('--ar 16:9'), [{kind: 'parameter', negated: false, test: 'aspect', ratio: '16:9'}]);
	t.deepEqual(filters('\u2014aspect 1:1'), [{kind: 'parameter', negated: false, test: 'aspect', ratio: '1:1'}]);
	t.deepEqual(filters('--v 7.0'), [{kind: 'parameter', negated: false, test: 'version', version: '7'}]);
	t.deepEqual(filters('--niji 6'), [{kind: 'parameter', negated: false, test: 'version', version: 'niji 6'}]);
	t.deepEqual(filters('--niji'), [{kind: 'parameter', negated: false, test: 'niji'}]);
	t.deepEqual(filters('--s >250'), [{kind: 'parameter', negated: false, test: 'compare', name: 'stylize', op: '>', value: 250}]);
	t.deepEqual(filters('--chaos 50..10'), [{kind: 'parameter', negated: false, test: 'range', name: 'chaos', low: 10, high: 50}]);
	t.deepEqual(filters('--raw'), [{kind: 'parameter', negated: false, test: 'equals', name: 'style', value: 'raw'}]);
	t.deepEqual(filters('--no People'), [{kind: 'parameter', negated: false, test: 'contains', name: 'no', value: 'People'}]);
	t.deepEqual(filters('--sref 123'), [{kind: 'parameter', negated: false, test: 'listed', name: 'sref', value: '123'}]);
	t.deepEqual(filters('NOT --tile'), [{kind: 'parameter', negated: true, test: 'present', name: 'tile'}], 'NOT before a filter negates it');
	const mixed = parseQuery('snow --ar 16:9 --tile fox');
	t.deepEqual(mixed.anyOf, [terms([word('snow'), word('fox')])], 'a flag without a value leaves the next word a search word');
	t.is(mixed.filters.length, 2);
	t.deepEqual(parseQuery('--chaos fox').anyOf, [terms([word('fox')])], 'a value the filter cannot use stays a word');
});

test('key:value filters from the key table; unknown keys and odd values stay words', t => {
	t.deepEqual(parseQuery('type:upscale,variation fox').filters, [{kind: 'key', key: 'type', values: ['upscale', 'variation'], negated: false}]);
	t.deepEqual(parseQuery('-type:upscale').filters, [{kind: 'key', key: 'type', values: ['upscale'], negated: true}]);
	t.deepEqual(parseQuery('NOT TYPE:upscale').filters, [{kind: 'key', key: 'type', values: ['upscale'], negated: true}], 'keys ignore case');
	t.deepEqual(parseQuery('id:1a2b*').filters, [{kind: 'key', key: 'id', values: ['1a2b'], negated: false}]);
	t.deepEqual(parseQuery('prompt:cat').anyOf, [terms([word('prompt:cat')])]);
	t.deepEqual(parseQuery('type:,').anyOf, [terms([word('type:,')])]);
	t.deepEqual(parseQuery('https://s.mj.run/abc').filters, [], 'a URL is no key filter');
});

test('punctuation alone, or nothing, asks for nothing; a term without a token is dropped', t => {
	for (const text of ['', '   ', '*** ( ) - "', '😀', 'NOT', 'OR OR', '"', '-']) {
		const query: SearchQuery = parseQuery(text);
		t.true(isEmptyQuery(query), JSON.stringify(text));
	}

	t.deepEqual(parseQuery('fox 😀').anyOf, [terms([word('fox')])]);
	t.false(isEmptyQuery(parseQuery('--tile')));
	t.false(isEmptyQuery(parseQuery('-cat')));
});
