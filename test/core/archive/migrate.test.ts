/**
 * An archive written before issue 10 (schema 1, the old parameter
 * derivation) opened by this build: migration 2 makes the time and type
 * columns nullable without losing a row, a rowid, a file link or the
 * full-text index, and the derived columns are re-derived once.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import Database from 'better-sqlite3';
import {migrations} from '../../../source/core/archive/schema.js';
import {derivationMetaKey, jobDerivationVersion} from '../../../source/core/archive/rederive.js';
import {ArchiveStore} from '../../../source/core/archive/store.js';
import {archiveDb} from '../../helpers/archive-db.js';

interface OldRow {
	id: string;
	rowid: number;
	time: string;
	command: string;
	prompt: string;
	parameters: string;
	modelVersion: string;
	jobType: string;
}

/** Rows as schema 1 and the old derivation wrote them: `--raw` as its own flag, `--v 7.0` a version of its own. */
const oldRows: OldRow[] = [
	{id: 'a0000000-0000-4000-8000-000000000001', rowid: 1_747_000_000_000_000, time: '2025-05-11T21:46:40+00:00', command: 'a lighthouse --raw --v 7.0', prompt: 'a lighthouse', parameters: '{"raw":true,"v":"7.0"}', modelVersion: '7.0', jobType: 'v7_diffusion'},
	{id: 'a0000000-0000-4000-8000-000000000002', rowid: 1_746_000_000_000_001, time: '2025-04-30T08:00:00+00:00', command: 'https://s.mj.run/x a harbour --profile abc', prompt: 'https://s.mj.run/x a harbour', parameters: '{"p":"abc"}', modelVersion: '8.1', jobType: 'v8-1_hd_diffusion'},
	{id: 'a0000000-0000-4000-8000-000000000003', rowid: 1_745_000_000_000_002, time: '2025-04-18T18:13:20+00:00', command: 'a plain prompt --ar 1:1', prompt: 'a plain prompt', parameters: '{"ar":"1:1"}', modelVersion: '', jobType: 'v6_diffusion'},
];

function writeSchemaOneArchive(dir: string): void {
	const db = new Database(path.join(dir, 'archive.db'));
	db.pragma('journal_mode = WAL');
	db.exec(migrations[0]!);
	db.pragma('user_version = 1');
	const insert = db.prepare(`INSERT INTO jobs (rowid, id, enqueue_time, enqueued_at, job_type, event_type, full_command, prompt, parameters, model_version, batch_size, raw, first_seen_at, updated_at)
		VALUES (?, ?, ?, ?, ?, 'diffusion', ?, ?, ?, ?, 4, ?, 1, 1)`);
	for (const row of oldRows) {
		const raw = JSON.stringify({id: row.id, enqueue_time: row.time, full_command: row.command, job_type: row.jobType, event_type: 'diffusion', batch_size: 4});
		insert.run(row.rowid, row.id, row.time, Date.parse(row.time), row.jobType, row.command, row.prompt, row.parameters, row.modelVersion || null, raw);
	}

	db.prepare(`INSERT INTO images (job_id, idx, variant, url, path, status, updated_at) VALUES (?, 0, 'png', 'https://cdn/x/0_0.png', 'x/0_0.png', 'done', 1)`).run(oldRows[0]!.id);
	db.close();
}

test('migration 2 keeps every row, rowid, file link and the full-text index; columns are re-derived once', t => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-archive-migrate-'));
	writeSchemaOneArchive(dir);
	const store = ArchiveStore.open(dir);
	t.teardown(() => store.close());
	const db = archiveDb(t, dir, {writable: true});
	t.is(db.pragma('user_version', {simple: true}), migrations.length);
	t.deepEqual(db.pragma('foreign_key_check'), []);
	t.deepEqual(db.pragma('integrity_check'), [{integrity_check: 'ok'}]);
	t.deepEqual(db.prepare('SELECT rowid, id FROM jobs ORDER BY rowid DESC').all(), oldRows.map(row => ({rowid: row.rowid, id: row.id})));
	t.is(store.countJobs(), 3, 'the trigger-kept count survived the rebuild');
	t.is(db.prepare('SELECT count(*) FROM images WHERE job_id = ?').pluck().get(oldRows[0]!.id), 1);

	// Re-derived: --raw is --style raw, --v 7.0 is 7, --profile is --p, the image URL leaves the prompt.
	t.like(store.getJob(oldRows[0]!.id), {parameters: {style: 'raw', v: '7'}, prompt: 'a lighthouse'});
	t.is(db.prepare('SELECT model_version FROM jobs WHERE id = ?').pluck().get(oldRows[0]!.id), '7');
	t.like(store.getJob(oldRows[1]!.id), {parameters: {image_prompts: 'https://s.mj.run/x', p: 'abc'}, prompt: 'a harbour'});
	t.is(db.prepare('SELECT model_version FROM jobs WHERE id = ?').pluck().get(oldRows[1]!.id), '8.1');
	t.is(store.meta.get(derivationMetaKey), jobDerivationVersion);

	// The full-text index follows the re-derived prompt: the URL is no longer a word of it.
	t.deepEqual(store.search('harbour').map(hit => hit.job.id), [oldRows[1]!.id]);
	t.deepEqual(store.search('mj').map(hit => hit.job.id), []);
	t.deepEqual(store.search('--style raw').map(hit => hit.job.id), [oldRows[0]!.id]);
	t.deepEqual(store.search('--v 7').map(hit => hit.job.id), [oldRows[0]!.id]);

	// What the new schema allows: a job with nothing but an id.
	store.upsertJobs([{id: 'only-an-id'}]);
	t.like(store.getJob('only-an-id'), {enqueuedAt: null, jobType: '', fullCommand: '', prompt: ''});
	t.is(store.listJobs({limit: 10}).at(-1)?.id, 'only-an-id');
	t.deepEqual(db.pragma('integrity_check'), [{integrity_check: 'ok'}]);
	db.exec("INSERT INTO jobs_fts(jobs_fts) VALUES ('integrity-check')");
	t.pass('the full-text index agrees with the jobs table');
});
