/**
 * The search box's language, read by parseSearchQuery: what FTS5 expression,
 * exclusions, parameter filters and highlight terms a query becomes. The
 * expressions are also run on a real archive file, so "safe" means SQLite
 * accepted them and found the jobs a user would expect, not only that a
 * string looks right.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import type Database from 'better-sqlite3';
import type {ApiJob} from '../../../source/core/job.js';
import {parseSearchQuery, type ParsedSearch} from '../../../source/core/archive/search-query.js';
import {ArchiveStore} from '../../../source/core/archive/store.js';
import {archiveDb} from '../../helpers/archive-db.js';

const prompts: Record<string, string> = {
	fox: 'a red fox in fresh snow --ar 16:9 --v 7 --stylize 250',
	cat: 'a grey cat asleep on a windowsill --ar 1:1 --v 6.1 --chaos 30',
	dog: 'a dog and a cat in the rain --niji 6 --stylize 50',
	lighthouse: 'lighthouse on a basalt cliff --ar 2:1 --raw --tile',
	quote: 'the word "quoted" in a prompt --sref 3725990145 https://s.mj.run/abc --no people',
};

/** Jobs without --v or --niji are version 5, by their job type. */
function job(id: string, command: string): ApiJob {
	return {id, enqueue_time: '2025-08-14T17:21:28+00:00', full_command: command, job_type: 'v5_diffusion', event_type: 'diffusion', batch_size: 4};
}

/** A real archive holding the five jobs above, and a read-only connection of the test's own to it. */
function corpus(t: import('ava').ExecutionContext): Database.Database {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-search-query-'));
	const store = ArchiveStore.open(dir);
	store.upsertJobs(Object.entries(prompts).map(([id, command]) => job(id, command)));
	store.close();
	t.teardown(() => fs.rmSync(dir, {recursive: true, force: true}));
	return archiveDb(t, dir);
}

/** Ids of the jobs a parsed query selects, run as search.ts composes it: MATCH, exclusions, then the filters. */
function selected(db: Database.Database, parsed: ParsedSearch): string[] {
	const where: string[] = [];
	const params: unknown[] = [];
	if (parsed.match !== null) {
		where.push('j.rowid IN (SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH ?)');
		params.push(parsed.match);
	}
	if (parsed.exclude !== null) {
		where.push('j.rowid NOT IN (SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH ?)');
		params.push(parsed.exclude);
	}
	for (const condition of parsed.conditions) {
		where.push(condition.sql);
		params.push(...condition.params);
	}
	const sql = `SELECT j.id FROM jobs j${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY j.id`;
	return db.prepare(sql).pluck().all(...params) as string[];
}

const words = (...texts: string[]) => texts.map(text => ({text, prefix: false}));

test('words are ANDed, each quoted for FTS5, and highlighted as typed', t => {
	const parsed = parseSearchQuery('red  fox');
	t.deepEqual(parsed, {
		match: '("red" AND "fox")',
		exclude: null,
		conditions: [],
		highlight: words('red', 'fox'),
		conjunction: {terms: ['"red"', '"fox"'], excluded: []},
	});
	t.deepEqual(selected(corpus(t), parsed), ['fox']);
	t.is(parseSearchQuery('cat AND dog').match, '("cat" AND "dog")', 'AND is the default, so the word itself adds nothing');
	t.is(parseSearchQuery('cat or dog').match, '("cat" AND "or" AND "dog")', 'only upper-case OR is an operator, as in FTS5');
});

test('a "phrase" matches its words in order; an unclosed quote runs to the end', t => {
	const db = corpus(t);
	const phrase = parseSearchQuery('"grey cat" windowsill');
	t.is(phrase.match, '("grey cat" AND "windowsill")');
	t.deepEqual(phrase.highlight, words('grey cat', 'windowsill'));
	t.deepEqual(selected(db, phrase), ['cat']);
	t.deepEqual(selected(db, parseSearchQuery('"cat grey"')), [], 'the same words in another order are not the phrase');
	const open = parseSearchQuery('"a dog and');
	t.is(open.match, '("a dog and")');
	t.deepEqual(selected(db, open), ['dog']);
});

test('prefix*: a trailing star continues the last word of a word or phrase; as-you-type waits for two letters', t => {
	const db = corpus(t);
	const prefix = parseSearchQuery('lightho*');
	t.is(prefix.match, '("lightho"*)');
	t.deepEqual(prefix.highlight, [{text: 'lightho', prefix: true}]);
	t.deepEqual(selected(db, prefix), ['lighthouse']);
	t.is(parseSearchQuery('"basalt cl"*').match, '("basalt cl"*)');
	t.deepEqual(selected(db, parseSearchQuery('"basalt cl"*')), ['lighthouse']);
	t.is(parseSearchQuery('fo*x').match, '("fo*x")', 'a star inside a word is left to the tokenizer, not a prefix');

	t.is(parseSearchQuery('lighthouse ba', {prefixLast: true}).match, '("lighthouse" AND "ba"*)');
	t.is(parseSearchQuery('lighthouse b', {prefixLast: true}).match, '("lighthouse")', 'one typed letter is not a prefix yet');
	t.is(parseSearchQuery('lighthouse ba ', {prefixLast: true}).match, '("lighthouse" AND "ba")', 'a space ends the word');
	t.is(parseSearchQuery('"basalt cliff"', {prefixLast: true}).match, '("basalt cliff")', 'a closed phrase is never extended');
});

test('OR splits the query into groups; a job matching any group is found', t => {
	const parsed = parseSearchQuery('fox OR windowsill snow');
	t.is(parsed.match, '("fox") OR ("windowsill" AND "snow")');
	t.is(parsed.conjunction, null, 'no single AND group to rank by');
	t.deepEqual(parsed.highlight, words('fox', 'windowsill', 'snow'));
	t.deepEqual(selected(corpus(t), parseSearchQuery('fox OR windowsill')), ['cat', 'fox']);
});

test('NOT and -word exclude; a query of exclusions only lists everything else', t => {
	const db = corpus(t);
	for (const text of ['cat -dog', 'cat NOT dog']) {
		const parsed = parseSearchQuery(text);
		t.is(parsed.match, '("cat") NOT ("dog")', text);
		t.deepEqual(parsed.highlight, words('cat'), 'excluded words are not marked');
		t.deepEqual(parsed.conjunction, {terms: ['"cat"'], excluded: ['"dog"']});
		t.deepEqual(selected(db, parsed), ['cat'], text);
	}
	const only = parseSearchQuery('-cat -"red fox"');
	t.deepEqual({match: only.match, exclude: only.exclude}, {match: null, exclude: '"cat" OR "red fox"'});
	t.deepEqual(selected(db, only), ['lighthouse', 'quote']);
	t.is(parseSearchQuery('red-fox').match, '("red-fox")', 'a hyphen inside a word is not an exclusion');
	t.is(parseSearchQuery('cat - dog').match, '("cat" AND "dog")', 'a lone hyphen is no word and excludes nothing');
});

test('parameter filters become conditions on the typed columns, with values bound, not spliced', t => {
	const db = corpus(t);
	const cases: Array<[string, ParsedSearch['conditions'], string[]]> = [
		['--ar 16:9', [{sql: 'j.aspect_ratio = ?', params: ['16:9']}], ['fox']],
		['\u2014ar 1:1', [{sql: 'j.aspect_ratio = ?', params: ['1:1']}], ['cat']],
		['--v 6', [{sql: '(j.model_version = ? OR j.model_version LIKE ?)', params: ['6', '6.%']}], ['cat']],
		['--v 7.0', [{sql: '(j.model_version = ? OR j.model_version LIKE ?)', params: ['7', '7.%']}], ['fox']],
		['--niji', [{sql: 'j.model_version LIKE \'niji%\'', params: []}], ['dog']],
		['--niji 6', [{sql: '(j.model_version = ? OR j.model_version LIKE ?)', params: ['niji 6', 'niji 6.%']}], ['dog']],
		['--stylize >100', [{sql: 'j.stylize > ?', params: [100]}], ['fox']],
		['--stylize <=50', [{sql: 'j.stylize <= ?', params: [50]}], ['dog']],
		['--chaos 50..10', [{sql: 'j.chaos BETWEEN ? AND ?', params: [10, 50]}], ['cat']],
		['--chaos', [{sql: 'j.chaos IS NOT NULL', params: []}], ['cat']],
		['--tile', [{sql: 'json_type(j.parameters, ?) IS NOT NULL', params: ['$."tile"']}], ['lighthouse']],
		['--raw', [{sql: 'json_extract(j.parameters, ?) = ?', params: ['$."style"', 'raw']}], ['lighthouse']],
		['--sref https://s.mj.run/abc', [{sql: 'instr(\' \' || lower(json_extract(j.parameters, ?)) || \' \', \' \' || lower(?) || \' \') > 0', params: ['$."sref"', 'https://s.mj.run/abc']}], ['quote']],
		['--no PEOPLE', [{sql: 'instr(lower(json_extract(j.parameters, ?)), lower(?)) > 0', params: ['$."no"', 'PEOPLE']}], ['quote']],
	];
	for (const [text, conditions, ids] of cases) {
		const parsed = parseSearchQuery(text);
		t.deepEqual(parsed.conditions, conditions, text);
		t.is(parsed.match, null, `${text}: a filter is no search word`);
		t.deepEqual(selected(db, parsed), ids, text);
	}

	const mixed = parseSearchQuery('snow --ar 16:9 --tile fox');
	t.is(mixed.match, '("snow" AND "fox")', 'a flag without a value leaves the next word a search word');
	t.deepEqual(mixed.conditions.map(condition => condition.params), [['16:9'], ['$."tile"']]);
	t.deepEqual(selected(db, parseSearchQuery('a --stylize >100')), ['fox']);
});

test('hostile text is never FTS5 or SQL syntax: every expression runs, and user text stays in bound values', t => {
	const db = corpus(t);
	const hostile = [
		'', '   ', '"', '""', '"""', '*', '**', '-', '--', '---', '(', ')', '()', 'fox)', '(fox', 'NOT', 'OR', 'AND', 'OR OR', 'NOT NOT cat',
		'cat OR', 'OR cat', '-cat OR', 'NEAR(cat dog)', 'prompt:cat', '^cat', 'cat*dog*', 'a"b', '"a"b"c', 'c\'at', '{cat dog}', '+cat',
		'cat\u0000dog', '\u001b[2J', '😀', '-😀', 'ñandú*', '--ar', '--ar 16:9\'); DROP TABLE jobs;--', '--x"y 1', '--"ar 1', '--v ../../etc',
		'--stylize >>1', '--chaos 1..2..3', '—', '--\u2014', 'x'.repeat(5000),
	];
	const before = db.prepare('SELECT count(*) FROM jobs').pluck().get();
	for (const text of hostile) {
		for (const prefixLast of [false, true]) {
			const parsed = parseSearchQuery(text, {prefixLast});
			t.notThrows(() => selected(db, parsed), JSON.stringify(text));
			for (const condition of parsed.conditions) {
				t.false(/DROP|\.\.\/|"x/.test(condition.sql), `${JSON.stringify(text)}: user text in the SQL itself: ${condition.sql}`);
			}
		}
	}
	t.is(db.prepare('SELECT count(*) FROM jobs').pluck().get(), before);
	t.like(parseSearchQuery('*** ( ) - "'), {match: null, exclude: null}, 'punctuation alone searches for nothing');
});

test('key filters and negated filters: type: and id: as bound conditions, NOT or - before a filter inverts it', t => {
	const db = corpus(t);
	const cases: Array<[string, string[]]> = [
		['type:v5_diffusion', ['cat', 'dog', 'fox', 'lighthouse', 'quote']],
		['type:upscale', []],
		['-type:v5_diffusion', []],
		['id:li', ['lighthouse']],
		['id:fox,cat', ['cat', 'fox']],
		['-id:fox a', ['cat', 'dog', 'lighthouse', 'quote']],
		['NOT --tile', ['cat', 'dog', 'fox', 'quote']],
		['NOT --stylize >100', ['cat', 'dog', 'lighthouse', 'quote']],
		['NOT --ar 16:9 --v 7', []],
		['NOT id:q', ['cat', 'dog', 'fox', 'lighthouse']],
	];
	for (const [text, ids] of cases) {
		const parsed = parseSearchQuery(text);
		t.deepEqual(selected(db, parsed), ids, text);
		for (const condition of parsed.conditions) t.false(/fox|cat|upscale|v5_/.test(condition.sql), `${text}: values are bound`);
	}

	t.deepEqual(parseSearchQuery('prompt:cat').conditions, [], 'an unknown key is text');
});
