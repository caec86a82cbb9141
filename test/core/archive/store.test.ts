import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import Database from 'better-sqlite3';
import {generateJobs} from '../../../fixtures/jobs.js';
import {MjError} from '../../../source/core/errors.js';
import type {ApiJob} from '../../../source/core/job.js';
import {migrations} from '../../../source/core/archive/schema.js';
import {ArchiveStore} from '../../../source/core/archive/store.js';
import {archiveDb} from '../../helpers/archive-db.js';

function temporaryArchive(): string {
	return fs.mkdtempSync(path.join(os.tmpdir(), 'mj-archive-store-'));
}

function job(id: string, fields: Partial<ApiJob> = {}): ApiJob {
	return {
		id,
		enqueue_time: '2025-08-14T17:21:28.403560+00:00',
		full_command: 'a red fox in fresh snow --ar 16:9 --v 7 --stylize 250',
		job_type: 'v7_diffusion',
		event_type: 'diffusion',
		parent_id: null,
		parent_grid: null,
		batch_size: 4,
		width: 1456,
		height: 816,
		rating: null,
		published: true,
		shown: true,
		user_hidden: false,
		...fields,
	};
}

test('opening an empty folder creates archive.db with the whole schema in WAL mode', t => {
	const dir = path.join(temporaryArchive(), 'nested', 'archive');
	const store = ArchiveStore.open(dir);
	t.teardown(() => store.close());
	t.true(fs.existsSync(path.join(dir, 'archive.db')));
	const db = archiveDb(t, dir);
	t.is(db.pragma('user_version', {simple: true}), migrations.length);
	t.is(db.pragma('journal_mode', {simple: true}), 'wal');
	// foreign_keys is a setting of the store's own connection: seen as the store refusing a file of an unknown job.
	t.throws(() => store.images.insert([{jobId: 'no-such-job', idx: 0, variant: 'png', url: 'u', path: 'p'}]), {any: true, code: 'SQLITE_CONSTRAINT_FOREIGNKEY'});
	const tables = db.prepare('SELECT name FROM sqlite_master WHERE type = \'table\'').pluck().all();
	for (const table of ['jobs', 'jobs_fts', 'images', 'meta', 'sync_runs']) {
		t.true(tables.includes(table), table);
	}
});

test('reopening an archive keeps its jobs and does not migrate again', t => {
	const dir = temporaryArchive();
	const first = ArchiveStore.open(dir);
	first.upsertJobs([job('a')]);
	first.close();
	const second = ArchiveStore.open(dir);
	t.teardown(() => second.close());
	t.is(second.countJobs(), 1);
	t.is(archiveDb(t, dir).pragma('user_version', {simple: true}), migrations.length);
});

test('an archive from a newer mj-tui is refused, named, and left byte-identical', t => {
	const dir = temporaryArchive();
	const file = path.join(dir, 'archive.db');
	const future = new Database(file);
	future.exec('CREATE TABLE jobs (id TEXT PRIMARY KEY, something_new TEXT); INSERT INTO jobs VALUES (\'x\', \'y\');');
	future.pragma(`user_version = ${migrations.length + 1}`);
	future.close();
	const before = fs.readFileSync(file);

	for (const readonly of [false, true]) {
		const error = t.throws(() => ArchiveStore.open(dir, {readonly}), {instanceOf: MjError});
		t.is(error?.exitCode, 65);
		t.true(error?.message.includes(file));
		t.true(error?.message.includes(`version ${migrations.length + 1}`));
		t.true(error?.message.includes(`up to version ${migrations.length}`));
	}

	t.deepEqual(fs.readFileSync(file), before);
	t.deepEqual(fs.readdirSync(dir), ['archive.db']);
});

test('a file that is not SQLite is refused with its path and left alone', t => {
	const dir = temporaryArchive();
	const file = path.join(dir, 'archive.db');
	const content = 'these are my notes, not a database\n'.repeat(200);
	fs.writeFileSync(file, content);
	const error = t.throws(() => ArchiveStore.open(dir), {instanceOf: MjError});
	t.is(error?.exitCode, 65);
	t.true(error?.message.includes(file));
	t.is(fs.readFileSync(file, 'utf8'), content);
});

test('read-only open of a missing archive says where it looked', t => {
	const dir = path.join(temporaryArchive(), 'nowhere');
	const error = t.throws(() => ArchiveStore.open(dir, {readonly: true}), {instanceOf: MjError});
	t.true(error?.message.includes(dir));
	t.false(fs.existsSync(dir));
});

test('a read-only store reads but cannot write', t => {
	const dir = temporaryArchive();
	const writer = ArchiveStore.open(dir);
	writer.upsertJobs([job('a')]);
	writer.close();
	const reader = ArchiveStore.open(dir, {readonly: true});
	t.teardown(() => reader.close());
	t.is(reader.getJob('a')?.prompt, 'a red fox in fresh snow');
	t.throws(() => reader.upsertJobs([job('b')]));
	t.throws(() => reader.setMeta('k', 'v'));
});

test('upserts are idempotent and count inserted, unchanged and known', t => {
	const store = ArchiveStore.open(temporaryArchive());
	t.teardown(() => store.close());
	const jobs = generateJobs(50, 3);
	t.deepEqual(store.upsertJobs(jobs), {inserted: 50, updated: 0, unchanged: 0, known: 0});
	t.deepEqual(store.upsertJobs(jobs), {inserted: 0, updated: 0, unchanged: 50, known: 50});
	t.deepEqual(store.upsertJobs([...jobs.slice(0, 5), ...generateJobs(60, 4).slice(0, 2)]), {inserted: 2, updated: 0, unchanged: 5, known: 5});
	t.is(store.countJobs(), 52);
});

test('a job seen twice in one batch is inserted once and not counted as known', t => {
	const store = ArchiveStore.open(temporaryArchive());
	t.teardown(() => store.close());
	t.deepEqual(store.upsertJobs([job('a'), job('a')]), {inserted: 1, updated: 0, unchanged: 1, known: 0});
	// The later copy in the batch wins, as it would across two calls.
	t.deepEqual(store.upsertJobs([job('b', {rating: 1}), job('c'), job('b', {rating: 2})]), {inserted: 2, updated: 1, unchanged: 0, known: 0});
	t.is(store.getJob('b')?.rating, 2);
});

test('an upstream field change updates the row and keeps first_seen_at', t => {
	const store = ArchiveStore.open(temporaryArchive());
	t.teardown(() => store.close());
	const db = archiveDb(t, store.dir);
	store.upsertJobs([job('a')]);
	const firstSeen = db.prepare('SELECT first_seen_at FROM jobs WHERE id = ?').pluck().get('a');
	t.deepEqual(store.upsertJobs([job('a', {rating: 5})]), {inserted: 0, updated: 1, unchanged: 0, known: 1});
	t.is(store.getJob('a')?.rating, 5);
	t.is(store.getJob('a')?.raw.rating, 5);
	t.is(db.prepare('SELECT first_seen_at FROM jobs WHERE id = ?').pluck().get('a'), firstSeen);
});

test('nothing is deleted when upstream stops sending a job', t => {
	const store = ArchiveStore.open(temporaryArchive());
	t.teardown(() => store.close());
	const jobs = generateJobs(10, 5);
	store.upsertJobs(jobs);
	store.upsertJobs(jobs.slice(3));
	t.is(store.countJobs(), 10);
	t.truthy(store.getJob(jobs[0].id));
});

test('the full-text index follows prompt changes', t => {
	const store = ArchiveStore.open(temporaryArchive());
	t.teardown(() => store.close());
	const db = archiveDb(t, store.dir, {writable: true});
	store.upsertJobs([job('a', {full_command: 'a lighthouse at dusk --v 7'})]);
	t.deepEqual(store.search('lighthouse').map(hit => hit.job.id), ['a']);
	store.upsertJobs([job('a', {full_command: 'a windmill at dawn --v 7'})]);
	t.deepEqual(store.search('lighthouse'), []);
	t.deepEqual(store.search('windmill').map(hit => hit.job.id), ['a']);
	// With rank 1, FTS5 also checks the index against the jobs table and throws SQLITE_CORRUPT_VTAB on a mismatch.
	t.notThrows(() => db.exec('INSERT INTO jobs_fts(jobs_fts, rank) VALUES (\'integrity-check\', 1)'));
});

test('unknown API fields survive the round trip in raw, exactly', t => {
	const store = ArchiveStore.open(temporaryArchive());
	t.teardown(() => store.close());
	const db = archiveDb(t, store.dir);
	const original = job('a', {future_field: {nested: [1, 'two', null]}, another: 'x'});
	store.upsertJobs([original]);
	t.deepEqual(store.getJob('a')?.raw, original);
	t.is(db.prepare('SELECT raw FROM jobs WHERE id = ?').pluck().get('a'), JSON.stringify(original));
});

test('typed columns are derived from the API fields', t => {
	const store = ArchiveStore.open(temporaryArchive());
	t.teardown(() => store.close());
	const db = archiveDb(t, store.dir);
	store.upsertJobs([job('a', {full_command: 'neon city —ar 21:9 --niji 6 --s 400 --c 20', parent_id: 'p', parent_grid: 2, event_type: 'variation'})]);
	const row = db.prepare('SELECT * FROM jobs WHERE id = ?').get('a') as Record<string, unknown>;
	t.like(row, {
		enqueued_at: Date.UTC(2025, 7, 14, 17, 21, 28, 403),
		prompt: 'neon city',
		model_version: 'niji 6',
		aspect_ratio: '21:9',
		stylize: 400,
		chaos: 20,
		weird: null,
		parent_id: 'p',
		parent_grid: 2,
		source: 'api',
	});
	t.deepEqual(JSON.parse(row.parameters as string), {ar: '21:9', niji: '6', stylize: '400', chaos: '20'});
	const fetched = store.getJob('a')!;
	t.like(fetched, {prompt: 'neon city', parentId: 'p', parentGrid: 2, eventType: 'variation', isVideo: false, width: 1456});
});

test('a batch holding a job without a readable enqueue_time stores every job; that one without a time', t => {
	const store = ArchiveStore.open(temporaryArchive());
	t.teardown(() => store.close());
	store.upsertJobs([job('a')]);
	t.like(store.upsertJobs([job('a', {rating: 3}), job('b'), job('c', {enqueue_time: 'yesterday'})]), {inserted: 2, updated: 1});
	t.is(store.countJobs(), 3);
	t.is(store.getJob('a')?.rating, 3);
	t.is(store.getJob('c')?.enqueuedAt, null);
	t.is(store.getJob('c')?.raw.enqueue_time, 'yesterday');
});

test('an imported job never overwrites what the API sent, but fills gaps', t => {
	const store = ArchiveStore.open(temporaryArchive());
	t.teardown(() => store.close());
	store.upsertJobs([job('a')]);
	t.deepEqual(store.upsertJobs([job('a', {full_command: 'from a png', width: 0})], 'import'), {inserted: 0, updated: 0, unchanged: 1, known: 1});
	t.is(store.getJob('a')?.prompt, 'a red fox in fresh snow');
	store.upsertJobs([job('b', {full_command: 'from a png'})], 'import');
	store.upsertJobs([job('b')], 'api');
	t.is(store.getJob('b')?.prompt, 'a red fox in fresh snow');
});

test('the job count stays exact through upserts and deletes made with sqlite3', t => {
	const store = ArchiveStore.open(temporaryArchive());
	t.teardown(() => store.close());
	const db = archiveDb(t, store.dir, {writable: true});
	store.upsertJobs(generateJobs(30, 8));
	store.upsertJobs(generateJobs(30, 8));
	t.is(store.countJobs(), 30);
	db.prepare('DELETE FROM jobs WHERE rowid % 3 = 0').run();
	const truth = db.prepare('SELECT count(*) FROM jobs').pluck().get() as number;
	t.not(truth, 30);
	t.is(store.countJobs(), truth);
	t.is(store.totals().jobs, truth);
});

test('knownJobIds, meta and totals', t => {
	const store = ArchiveStore.open(temporaryArchive());
	t.teardown(() => store.close());
	const db = archiveDb(t, store.dir, {writable: true});
	store.upsertJobs([job('a'), job('b')]);
	t.deepEqual(store.knownJobIds(['a', 'x', 'b']), new Set(['a', 'b']));
	t.is(store.getMeta('cursor'), undefined);
	store.setMeta('cursor', 'one');
	store.setMeta('cursor', 'two');
	t.is(store.getMeta('cursor'), 'two');
	const insert = db.prepare('INSERT INTO images (job_id, idx, variant, url, status, bytes, updated_at) VALUES (?, ?, \'png\', ?, ?, ?, 0)');
	insert.run('a', 0, 'u0', 'done', 1000);
	insert.run('a', 1, 'u1', 'done', 500);
	insert.run('a', 2, 'u2', 'failed', null);
	insert.run('b', 0, 'u3', 'pending', null);
	t.deepEqual(store.totals(), {jobs: 2, images: 4, imagesDone: 2, imagesFailed: 1, imagesPending: 1, bytesOnDisk: 1500});
	t.deepEqual(store.getJob('a')?.files, {total: 3, done: 2, failed: 1});
	t.deepEqual(store.getJob('b')?.files, {total: 1, done: 0, failed: 0});
});

test('image totals stay equal to the images table through inserts, status changes and deletes', t => {
	const store = ArchiveStore.open(temporaryArchive());
	t.teardown(() => store.close());
	const db = archiveDb(t, store.dir, {writable: true});
	const jobs = generateJobs(40, 6);
	store.upsertJobs(jobs);
	const insert = db.prepare('INSERT INTO images (job_id, idx, variant, url, status, bytes, updated_at) VALUES (?, ?, \'png\', ?, ?, ?, 0)');
	const statuses = ['pending', 'done', 'failed', 'canceled'];
	for (const [i, apiJob] of jobs.entries()) {
		for (let idx = 0; idx < 3; idx++) {
			const status = statuses[(i + idx) % 4];
			insert.run(apiJob.id, idx, `${apiJob.id}/${idx}`, status, status === 'done' ? 1000 + i : null);
		}
	}

	db.prepare('UPDATE images SET status = \'done\', bytes = 777 WHERE status = \'pending\' AND id % 2 = 0').run();
	db.prepare('UPDATE images SET bytes = bytes + 1 WHERE status = \'done\' AND id % 3 = 0').run();
	db.prepare('UPDATE images SET status = \'failed\', bytes = NULL WHERE status = \'done\' AND id % 5 = 0').run();
	db.prepare('DELETE FROM images WHERE id % 7 = 0').run();

	const truth = db.prepare(`SELECT count(*) AS images, sum(status = 'done') AS done, sum(status = 'failed') AS failed,
		sum(status = 'pending') AS pending, coalesce(sum(CASE WHEN status = 'done' THEN bytes END), 0) AS bytes FROM images`).get() as Record<string, number>;
	t.deepEqual(store.totals(), {jobs: 40, images: truth.images, imagesDone: truth.done, imagesFailed: truth.failed, imagesPending: truth.pending, bytesOnDisk: truth.bytes});
	t.true(truth.done > 0 && truth.failed > 0 && truth.pending > 0 && truth.bytes > 0);
});
