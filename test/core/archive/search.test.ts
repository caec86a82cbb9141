import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import type {ApiJob} from '../../../source/core/job.js';
import {markMatches} from '../../../source/core/archive/snippet.js';
import {ArchiveStore, snippetEnd, snippetStart} from '../../../source/core/archive/store.js';

/** Commands by id; job `j<n>` is enqueued n minutes after the first, so higher n is newer. */
const commands: Record<string, string> = {
	j1: 'a red fox in fresh snow --ar 16:9 --v 7 --stylize 250',
	j2: 'a red fox sleeping --ar 2:3 --v 6.1 --stylize 100',
	j3: 'red car on a wet street --ar 16:9 --v 6 --stylize 750 --chaos 20',
	j4: 'foxglove flowers in a meadow --niji 6 --ar 1:1',
	j5: 'snow covered mountains at dawn --v 7 --tile',
	j6: 'the fox and the hound, watercolor --style raw --v 7',
	j7: 'Café au lait — naïve painting --v 7',
	j8: 'portrait of a dog NEAR the sea "quoted" --v 7',
	j9: 'a red fox in fresh snow --ar 16:9 --v 7 --stylize 500',
};

function fixtureJob(id: string, command: string): ApiJob {
	const minute = Number(id.slice(1));
	return {
		id,
		enqueue_time: new Date(Date.UTC(2025, 5, 1, 12, minute)).toISOString(),
		full_command: command,
		job_type: id === 'j4' ? 'v6_upscale' : 'v7_diffusion',
		event_type: id === 'j4' ? 'upscale' : 'diffusion',
		parent_id: null,
		parent_grid: null,
		batch_size: 4,
		width: 1024,
		height: 1024,
		rating: null,
		published: true,
		shown: true,
		user_hidden: false,
	};
}

function openFixture(): ArchiveStore {
	const store = ArchiveStore.open(fs.mkdtempSync(path.join(os.tmpdir(), 'mj-archive-search-')));
	store.upsertJobs(Object.entries(commands).map(([id, command]) => fixtureJob(id, command)));
	return store;
}

function ids(store: ArchiveStore, query: string, options?: Parameters<ArchiveStore['search']>[1]): string[] {
	return store.search(query, options).map(hit => hit.job.id);
}

function sortedIds(store: ArchiveStore, query: string, options?: Parameters<ArchiveStore['search']>[1]): string[] {
	return ids(store, query, options).sort();
}

test('words are ANDed; OR widens; ranks ascend with newest first on equal rank', t => {
	const store = openFixture();
	t.teardown(() => store.close());
	t.deepEqual(sortedIds(store, 'red fox'), ['j1', 'j2', 'j9']);
	t.deepEqual(sortedIds(store, 'red AND fox'), ['j1', 'j2', 'j9']);
	t.deepEqual(sortedIds(store, 'hound OR foxglove'), ['j4', 'j6']);
	const hits = store.search('fresh snow');
	t.deepEqual(hits.map(hit => hit.job.id), ['j9', 'j1', 'j5'].filter(id => commands[id].includes('fresh')));
	for (let i = 1; i < hits.length; i++) {
		t.true(hits[i - 1].rank <= hits[i].rank);
	}
});

test('phrases match words in order only', t => {
	const store = openFixture();
	t.teardown(() => store.close());
	t.deepEqual(sortedIds(store, '"red fox"'), ['j1', 'j2', 'j9']);
	t.deepEqual(sortedIds(store, '"fox red"'), []);
	t.deepEqual(sortedIds(store, '"fox and the hound"'), ['j6']);
});

test('prefix with * and as-you-type on the last word', t => {
	const store = openFixture();
	t.teardown(() => store.close());
	t.deepEqual(sortedIds(store, 'fox*'), ['j1', 'j2', 'j4', 'j6', 'j9']);
	t.deepEqual(sortedIds(store, 'fox'), ['j1', 'j2', 'j6', 'j9']);
	t.deepEqual(sortedIds(store, 'red fo', {prefixLast: true}), ['j1', 'j2', 'j9']);
	t.deepEqual(sortedIds(store, 'red fo', {prefixLast: false}), []);
	// A trailing space means the word is finished.
	t.deepEqual(sortedIds(store, 'fo ', {prefixLast: true}), []);
	// A single letter being typed is not a prefix yet: the results stay those of the words before it.
	t.deepEqual(sortedIds(store, 'hound f', {prefixLast: true}), ['j6']);
	t.deepEqual(sortedIds(store, 'hound f*', {prefixLast: true}), ['j6']);
	t.deepEqual(sortedIds(store, 'hound s*', {prefixLast: true}), []);
});

test('NOT and -word exclude; exclusions alone list everything else newest first', t => {
	const store = openFixture();
	t.teardown(() => store.close());
	t.deepEqual(sortedIds(store, 'fox NOT snow'), ['j2', 'j6']);
	t.deepEqual(sortedIds(store, 'fox -snow -sleeping'), ['j6']);
	t.deepEqual(ids(store, '-fox -snow'), ['j8', 'j7', 'j4', 'j3']);
});

test('diacritics fold: cafe finds Café, naive finds naïve', t => {
	const store = openFixture();
	t.teardown(() => store.close());
	t.deepEqual(ids(store, 'cafe naive'), ['j7']);
});

test('parameter filters: aspect ratio, version, niji, numeric comparisons and ranges, flags, values', t => {
	const store = openFixture();
	t.teardown(() => store.close());
	t.deepEqual(sortedIds(store, 'red --ar 16:9'), ['j1', 'j3', 'j9']);
	t.deepEqual(sortedIds(store, 'fox --v 7'), ['j1', 'j6', 'j9']);
	t.deepEqual(sortedIds(store, 'fox --v 6'), ['j2']);
	t.deepEqual(sortedIds(store, '--v 6.1'), ['j2']);
	t.deepEqual(sortedIds(store, '--niji'), ['j4']);
	t.deepEqual(sortedIds(store, '--niji 6'), ['j4']);
	t.deepEqual(sortedIds(store, '--stylize >250'), ['j3', 'j9']);
	t.deepEqual(sortedIds(store, '--s >=250'), ['j1', 'j3', 'j9']);
	t.deepEqual(sortedIds(store, '--stylize 100..300'), ['j1', 'j2']);
	t.deepEqual(sortedIds(store, '--stylize 250'), ['j1']);
	t.deepEqual(sortedIds(store, '--chaos'), ['j3']);
	t.deepEqual(sortedIds(store, '--tile'), ['j5']);
	t.deepEqual(sortedIds(store, '--style raw'), ['j6']);
	t.deepEqual(sortedIds(store, 'snow —ar 16:9 —v 7'), ['j1', 'j9']);
	// Filters only: newest first, no ranking.
	t.deepEqual(ids(store, '--ar 16:9'), ['j9', 'j3', 'j1']);
});

test('JobFilter combines with the query', t => {
	const store = openFixture();
	t.teardown(() => store.close());
	t.deepEqual(ids(store, 'fox*', {filter: {types: ['upscale']}}), ['j4']);
	t.deepEqual(sortedIds(store, 'red fox', {filter: {since: Date.UTC(2025, 5, 1, 12, 2)}}), ['j2', 'j9']);
	t.deepEqual(ids(store, '--v 7', {filter: {until: Date.UTC(2025, 5, 1, 12, 6)}}), ['j5', 'j1']);
});

test('limit and offset page through ranked hits without overlap', t => {
	const store = openFixture();
	t.teardown(() => store.close());
	const all = ids(store, 'fox* OR snow OR red');
	t.true(all.length >= 6);
	const paged = [...ids(store, 'fox* OR snow OR red', {limit: 2}), ...ids(store, 'fox* OR snow OR red', {limit: 2, offset: 2}), ...ids(store, 'fox* OR snow OR red', {limit: 100, offset: 4})];
	t.deepEqual(paged, all);
});

test('a rank window ranks only the newest matches', t => {
	const store = openFixture();
	t.teardown(() => store.close());
	t.deepEqual(sortedIds(store, 'fox', {rankWindow: 2}), ['j6', 'j9']);
	t.deepEqual(sortedIds(store, 'fox', {rankWindow: 2, filter: {until: Date.UTC(2025, 5, 1, 12, 9)}}), ['j2', 'j6']);
	t.deepEqual(sortedIds(store, 'fox', {rankWindow: 100}), sortedIds(store, 'fox'));
});

test('searchRanked says when a full rank window left older matches unranked', t => {
	const store = openFixture();
	t.teardown(() => store.close());
	// fox matches j1, j2, j6 and j9 (foxglove is another word).
	t.is(store.searchRanked('fox', {rankWindow: 2}).rankedNewest, 2);
	t.is(store.searchRanked('fox', {rankWindow: 5}).rankedNewest, undefined);
	t.is(store.searchRanked('fox').rankedNewest, undefined, 'no window: every match ranked');
});

test('prefix terms are ranked with the whole words', t => {
	const store = openFixture();
	t.teardown(() => store.close());
	const hits = store.search('fresh sn*');
	t.deepEqual(hits.map(hit => hit.job.id), ['j9', 'j1']);
	t.true(hits.every(hit => hit.rank < 0));
	t.deepEqual(sortedIds(store, 'sleeping OR hou*'), ['j2', 'j6']);
});

test('snippets mark the matched words', t => {
	const store = openFixture();
	t.teardown(() => store.close());
	const [hit] = store.search('hound');
	t.is(hit.snippet, `the fox and the ${snippetStart}hound${snippetEnd}, watercolor`);
	t.is(store.search('--tile')[0].snippet, 'snow covered mountains at dawn');
});

test('match marking folds case and diacritics, honours prefixes and cuts long prompts around the first match', t => {
	const mark = (text: string) => text.replaceAll(snippetStart, '[').replaceAll(snippetEnd, ']');
	t.is(mark(markMatches('Café au lait, CAFE noir', [{text: 'cafe', prefix: false}])), '[Café] au lait, [CAFE] noir');
	t.is(mark(markMatches('lighthouse lights, a light', [{text: 'ligh', prefix: true}])), '[lighthouse] [lights], a [light]');
	t.is(mark(markMatches('red fox, red car', [{text: 'red ca', prefix: true}])), '[red] fox, [red] [car]');
	t.is(mark(markMatches('桜の木 🌸 cat', [{text: 'cat', prefix: false}])), '桜の木 🌸 [cat]');
	t.is(markMatches('no match here', [{text: 'zebra', prefix: false}]), 'no match here');
	const long = Array.from({length: 60}, (_, i) => `w${i}`).join(' ');
	const cut = mark(markMatches(long, [{text: 'w40', prefix: false}]));
	t.true(cut.startsWith('…w34 '));
	t.true(cut.includes('[w40]'));
	t.true(cut.endsWith('w57…'));
});

test('hostile text never raises an FTS5 syntax error', t => {
	const store = openFixture();
	t.teardown(() => store.close());
	const hostile = ['"', '""', '*', '-', '--', 'NEAR(', 'NEAR(red fox', '(', ')', 'AND', 'OR', 'NOT', 'red OR', 'OR red', 'NOT red', '^', ':', 'prompt:red', '{red}', 'red*fox', '"unclosed red', 'a"b', '\u0000', '—', '--ar', '--stylize >>', '🦊', 'red -', '- red', 'j1\'; DROP TABLE jobs; --'];
	for (const query of hostile) {
		t.notThrows(() => store.search(query), query);
		t.notThrows(() => store.search(query, {prefixLast: true}), query);
	}

	t.is(store.countJobs(), Object.keys(commands).length);
	// Brackets separate words, and NEAR is just a word.
	t.deepEqual(sortedIds(store, 'NEAR(red fox'), []);
	t.deepEqual(sortedIds(store, 'NEAR(dog)'), ['j8']);
	t.deepEqual(sortedIds(store, '(red) (fox)'), ['j1', 'j2', 'j9']);
	t.deepEqual(sortedIds(store, '"unclosed red'), []);
	t.deepEqual(sortedIds(store, '"red fox'), ['j1', 'j2', 'j9']);
	t.deepEqual(ids(store, 'NEAR'), ['j8']);
	t.deepEqual(ids(store, '"quoted"'), ['j8']);
	t.deepEqual(ids(store, '"'), []);
});
