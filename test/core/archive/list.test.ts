import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import {generateJobs} from '../../../fixtures/jobs.js';
import type {ApiJob, Job, JobFilter} from '../../../source/core/job.js';
import {ArchiveStore, type JobCursor} from '../../../source/core/archive/store.js';
import {archiveDb} from '../../helpers/archive-db.js';

function openTemporary(): ArchiveStore {
	return ArchiveStore.open(fs.mkdtempSync(path.join(os.tmpdir(), 'mj-archive-list-')));
}

/**
 * Jobs where many share an enqueue time, so order within a time rests on the
 * id tie-break; every 50th has no enqueue_time at all (those list last, by id).
 */
function crowdedJobs(count: number): ApiJob[] {
	return generateJobs(count, 9).map((job, i) => {
		const {enqueue_time: _, ...rest} = job;
		return i % 50 === 49 ? rest : {...rest, enqueue_time: new Date(Date.UTC(2025, 0, 1) + (i % 7) * 60_000).toISOString()};
	});
}

function cursorOf(job: Job): JobCursor {
	return {enqueuedAt: job.enqueuedAt, id: job.id};
}

/** The expected order: newest first, then id descending; jobs without a time after all others. */
function sorted(jobs: readonly Job[]): string[] {
	const time = (job: Job) => job.enqueuedAt ?? Number.NEGATIVE_INFINITY;
	return [...jobs].sort((a, b) => (time(b) - time(a)) || (a.id < b.id ? 1 : -1)).map(job => job.id);
}

function walkForward(store: ArchiveStore, limit: number, filter?: JobFilter): Job[] {
	const seen: Job[] = [];
	let after: JobCursor | undefined;
	for (;;) {
		const page = store.listJobs({filter, after, limit});
		seen.push(...page);
		if (page.length < limit) {
			return seen;
		}

		after = cursorOf(page.at(-1)!);
	}
}

test('a forward walk by keyset pages visits every job once, newest first, despite equal enqueue times', t => {
	const store = openTemporary();
	t.teardown(() => store.close());
	store.upsertJobs(crowdedJobs(997));
	const walked = walkForward(store, 40);
	t.is(walked.length, 997);
	t.is(new Set(walked.map(job => job.id)).size, 997);
	t.deepEqual(walked.map(job => job.id), sorted(walked));
	t.deepEqual(walked.slice(-19).map(job => job.enqueuedAt), Array.from({length: 19}, () => null), 'the 19 jobs without a time come last');
	t.deepEqual([...store.iterateJobs()].map(job => job.id), walked.map(job => job.id));
});

test('walking back with `before` returns the previous pages exactly, newest first', t => {
	const store = openTemporary();
	t.teardown(() => store.close());
	store.upsertJobs(crowdedJobs(300));
	const pages: Job[][] = [];
	let after: JobCursor | undefined;
	// 12 pages of 25: the last ones hold the 6 jobs without a time.
	for (let i = 0; i < 12; i++) {
		const page = store.listJobs({after, limit: 25});
		pages.push(page);
		after = cursorOf(page.at(-1)!);
	}

	for (let i = pages.length - 1; i > 0; i--) {
		const previous = store.listJobs({before: cursorOf(pages[i][0]), limit: 25});
		t.deepEqual(previous.map(job => job.id), pages[i - 1].map(job => job.id));
	}

	t.deepEqual(store.listJobs({before: cursorOf(pages[0][0]), limit: 25}), []);
	t.is(pages[11].filter(job => job.enqueuedAt === null).length, 6);
	t.deepEqual(store.listJobs({after: cursorOf(pages[11].at(-1)!), limit: 25}), []);
});

test('type, time and file-status filters narrow pages, counts and iteration alike', t => {
	const store = openTemporary();
	t.teardown(() => store.close());
	const db = archiveDb(t, store.dir, {writable: true});
	const jobs = generateJobs(400, 11);
	store.upsertJobs(jobs);
	const all = walkForward(store, 1000);

	const byType: JobFilter = {types: ['upscale', 'vid_1.1_i2v_480']};
	const expectedTypes = all.filter(job => job.eventType === 'upscale' || job.jobType === 'vid_1.1_i2v_480').map(job => job.id);
	t.true(expectedTypes.length > 20);
	t.deepEqual(walkForward(store, 30, byType).map(job => job.id), expectedTypes);
	t.is(store.countJobs(byType), expectedTypes.length);

	const since = all[300].enqueuedAt!;
	const until = all[100].enqueuedAt!;
	const window = all.filter(job => job.enqueuedAt !== null && job.enqueuedAt >= since && job.enqueuedAt < until).map(job => job.id);
	t.is(window.length, 200);
	t.deepEqual(walkForward(store, 64, {since, until}).map(job => job.id), window);
	t.deepEqual([...store.iterateJobs({since, until})].map(job => job.id), window);

	// Job 0: all done; job 1: one failed; job 2: one pending; job 3: no images yet.
	const insert = db.prepare('INSERT INTO images (job_id, idx, variant, url, status, updated_at) VALUES (?, ?, \'png\', ?, ?, 0)');
	const [complete, failed, pending] = all;
	for (const [job, statuses] of [[complete, ['done', 'done']], [failed, ['done', 'failed']], [pending, ['pending', 'done']]] as const) {
		for (const [idx, status] of statuses.entries()) {
			insert.run(job.id, idx, `${job.id}/${idx}`, status);
		}
	}

	t.deepEqual(store.listJobs({filter: {fileStatus: 'complete'}, limit: 10}).map(job => job.id), [complete.id]);
	t.deepEqual(store.listJobs({filter: {fileStatus: 'failed'}, limit: 10}).map(job => job.id), [failed.id]);
	const missing = store.listJobs({filter: {fileStatus: 'missing'}, limit: 3}).map(job => job.id);
	t.deepEqual(missing, [failed.id, pending.id, all[3].id]);
	t.is(store.countJobs({fileStatus: 'missing'}), 399);

	const page = store.listJobs({limit: 4});
	t.deepEqual(page.map(job => job.files), [{total: 2, done: 2, failed: 0}, {total: 2, done: 1, failed: 1}, {total: 2, done: 1, failed: 0}, {total: 0, done: 0, failed: 0}]);
});

test('pages carry the whole job, with raw API fields', t => {
	const store = openTemporary();
	t.teardown(() => store.close());
	const [newest] = generateJobs(5, 12);
	store.upsertJobs(generateJobs(5, 12));
	const [first] = store.listJobs({limit: 1});
	t.is(first.id, newest.id);
	t.deepEqual(first.raw, newest);
	t.is(first.fullCommand, newest.full_command);
	t.is(first.enqueuedAt, Date.parse(newest.enqueue_time!));
});
