import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import {generateJob} from '../../../fixtures/jobs.js';
import type {ApiJob} from '../../../source/core/job.js';
import {ArchiveStore} from '../../../source/core/archive/store.js';

/** Prompts by minute (higher is newer); "a" is in most of them, as in real archives. */
const prompts = [
	'a lighthouse on a cliff', // 1
	'lighthouse at night', // 2: no "a"
	'a lighthouse', // 3
	'a lighthouse lighthouse on a basalt cliff, a storm', // 4
	'a cat on a mat', // 5
	'lighthouse, a long exposure of the sea and the sky', // 6
	'a dog', // 7
	'a lighthouse in fog', // 8
	'lighthouse keeper', // 9: no "a"
];

function job(index: number, prompt: string): ApiJob {
	return {...generateJob(index, 1, prompts.length), id: `j${index + 1}`, enqueue_time: new Date(Date.UTC(2025, 5, 1, 12, index + 1)).toISOString(), full_command: `${prompt} --v 7`};
}

function openFixture(): ArchiveStore {
	const store = ArchiveStore.open(fs.mkdtempSync(path.join(os.tmpdir(), 'mj-archive-typed-')));
	store.upsertJobs(prompts.map((prompt, index) => job(index, prompt)));
	return store;
}

test('typing a word most prompts hold still finds only jobs with every word, ranked like the full query', t => {
	const store = openFixture();
	t.teardown(() => store.close());
	const window = 3;
	// The newest three jobs holding both words: j8, j6, j4 (j9 and j2 have no "a").
	const typed = store.search('lighthouse a ', {prefixLast: true, rankWindow: window}).map(hit => hit.job.id);
	t.deepEqual([...typed].sort(), ['j4', 'j6', 'j8']);
	// The same order as ranking those three with every term (the plain command path with the same window).
	const exact = store.search('lighthouse a', {rankWindow: window}).map(hit => hit.job.id);
	t.deepEqual(typed, exact);
	// j4 says lighthouse twice: bm25 puts it first whether or not "a" is scored.
	t.is(typed[0], 'j4');
});

test('search as you type works on a read-only archive and with every typed word common', t => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-archive-typed-ro-'));
	const writer = ArchiveStore.open(dir);
	writer.upsertJobs(prompts.map((prompt, index) => job(index, prompt)));
	writer.close();
	const store = ArchiveStore.open(dir, {readonly: true});
	t.teardown(() => store.close());
	t.deepEqual(store.search('lighthouse a ', {prefixLast: true, rankWindow: 3}).map(hit => hit.job.id).sort(), ['j4', 'j6', 'j8']);
	// Only common words: nothing is left out of the ranking, the newest matches of "a" still come back.
	t.deepEqual(store.search('a ', {prefixLast: true, rankWindow: 2}).map(hit => hit.job.id).sort(), ['j7', 'j8']);
});
