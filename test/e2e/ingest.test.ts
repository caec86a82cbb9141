/**
 * Issue 10 §1, §2, §6 and issue 11's deep JSON, through the installed binary
 * (dist/bin/cli.js as a child process) against the stand-in, which serves the
 * real service's shapes: exit codes, the --json summary (last stdout line)
 * and the archive afterwards.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import {internationalTextChunk, textChunk, writePng} from '../../fixtures/png.js';
import {undatedJobIndex, type StandInJob} from '../../fixtures/jobs.js';
import {startStandIn} from '../../fixtures/stand-in.js';
import type {StandIn} from '../../fixtures/types.js';
import type {BatchSummary} from '../../source/batch/run.js';
import {ArchiveStore} from '../../source/core/archive/store.js';
import {archiveDb} from '../helpers/archive-db.js';
import {builtBin, runBin, sandbox, type ChildResult} from '../helpers/cli-io.js';
import {standInEnv} from '../helpers/mj-setup.js';

test.before(t => {
	if (!fs.existsSync(builtBin)) t.fail(`${builtBin} is missing: run npm run build (npm test does) first`);
});

/** Pages of 50, so 300 jobs make 6 pages (and an empty one that ends the listing). */
const env50 = (standIn: StandIn) => standInEnv(standIn, {MJ_TUI_PAGE_SIZE: '50'});

function lastJson<T>(result: ChildResult): T {
	return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as T;
}

function jsonLines<T>(result: ChildResult): T[] {
	return result.stdout.trim().split('\n').filter(Boolean).map(line => JSON.parse(line) as T);
}

/** The archive a run left, read-only, closed after the test. */
function openArchive(t: {teardown: (fn: () => void) => void}, dir: string): ArchiveStore {
	const store = ArchiveStore.open(dir, {readonly: true});
	t.teardown(() => store.close());
	return store;
}

const undatedOddity = 'no enqueue_time (stored without a time, listed last)';

test('a sync of real-shaped pages stores every job verbatim, reports odd fields once, and sorts and searches as Midjourney means it', async t => {
	const standIn = await startStandIn({jobs: 300});
	t.teardown(() => standIn.close());
	const box = sandbox();
	const env = {...box.env, ...env50(standIn)};
	const run = await runBin(['--batch', '--no-download', '--json', '--verbose'], {cwd: box.project, env});
	t.is(run.code, 0, run.stderr);
	const summary = lastJson<BatchSummary>(run);
	const jobs = standIn.jobs();
	const stringGrids = jobs.filter(job => typeof job.parent_grid === 'string').length;
	t.true(stringGrids > 0);
	t.like(summary, {jobsSeen: 300, jobsNew: 300, pages: 7, exitCode: 0});
	t.deepEqual(summary.oddities, {'parent_grid as a string': stringGrids, [undatedOddity]: 1});
	// Reported once per kind (--verbose), never per job.
	t.is(run.stderr.match(/had parent_grid as a string/g)?.length, 1, run.stderr);
	t.regex(run.stderr, new RegExp(`sync: ${stringGrids} jobs had parent_grid as a string`));

	const store = openArchive(t, path.join(box.project, 'mj-archive'));
	const archived = [...store.iterateJobs()];
	t.is(archived.length, 300);
	for (const job of jobs) t.deepEqual(store.getJob(job.id)?.raw, job, 'raw JSON kept verbatim');
	// Newest first whether a time was written with T or a space; the job without a time last.
	const undated = jobs[undatedJobIndex]!;
	t.deepEqual(archived.map(job => job.id), [...jobs.filter(job => job !== undated).map(job => job.id), undated.id]);
	t.is(archived.at(-1)?.enqueuedAt, null);
	t.true(jobs.some(job => job.enqueue_time?.includes(' ')));

	const search = async (...query: string[]) => jsonLines<{id: string}>(await runBin(['search', ...query, '--json', '--limit', '1000'], {cwd: box.project, env})).map(hit => hit.id).sort();
	const idsWhere = (test: (job: StandInJob) => boolean) => jobs.filter(test).map(job => job.id).sort();
	const raw = idsWhere(job => / --(?:raw|style raw)\b/.test(job.full_command));
	t.true(raw.some(id => / --raw\b/.test(standIn.jobs().find(job => job.id === id)!.full_command)), 'some jobs were written with --raw');
	t.deepEqual(await search('--style', 'raw'), raw);
	t.deepEqual(await search('--raw'), raw);
	const v81 = idsWhere(job => / --v 8\.1\b/.test(job.full_command));
	t.true(v81.length > 0);
	t.deepEqual(await search('--v', '8.1'), v81);
	const v7 = await search('--v', '7');
	const written70 = idsWhere(job => / --v 7\.0\b/.test(job.full_command));
	t.true(written70.length > 0 && written70.every(id => v7.includes(id)), '--v 7.0 is --v 7');
	t.deepEqual(await search('--v', '7.0'), v7);
	const sref = jobs.find(job => job.full_command.includes(' --sref '))!;
	const code = / --sref (\d+)/.exec(sref.full_command)![1]!;
	t.deepEqual(await search('--sref', code), [sref.id], 'one of several --sref values finds the job');

	const stats = lastJson<{byModelVersion: Array<{name: string; jobs: number}>; byMonth: Array<{month: string; jobs: number}>}>(await runBin(['stats', '--json'], {cwd: box.project, env}));
	t.false(stats.byModelVersion.some(row => row.name === '7.0'), 'one bucket per version');
	t.is(stats.byModelVersion.find(row => row.name === '8.1')?.jobs, v81.length);
	t.like(stats.byMonth.find(row => row.month === '(no date)'), {jobs: 1});
});

test('the files of a job without a time are downloaded, named by when it was archived rather than 1970', async t => {
	const standIn = await startStandIn({jobs: undatedJobIndex + 2});
	t.teardown(() => standIn.close());
	const box = sandbox();
	const run = await runBin(['--batch', '--json'], {cwd: box.project, env: {...box.env, ...env50(standIn)}});
	t.is(run.code, 0, run.stderr);
	const undated = standIn.jobs()[undatedJobIndex]!;
	const store = openArchive(t, path.join(box.project, 'mj-archive'));
	const db = archiveDb(t, store.dir);
	const paths = db.prepare('SELECT path FROM images WHERE job_id = ? AND status = \'done\' ORDER BY idx').pluck().all(undated.id) as string[];
	t.is(paths.length, standIn.filePaths(undated.id).length);
	t.is(store.getJob(undated.id)?.enqueuedAt, null);
	const archivedAt = new Date(db.prepare('SELECT first_seen_at FROM jobs WHERE id = ?').pluck().get(undated.id) as number);
	for (const file of paths) t.true(file.startsWith(`images/${archivedAt.getUTCFullYear()}/`), file);
	t.is(lastJson<BatchSummary>(run).failed, 0);
});

test('import --responses of saved real answers (HAR pages, a bare /api/job-status array) stores every job verbatim', async t => {
	const standIn = await startStandIn({jobs: 120});
	t.teardown(() => standIn.close());
	const box = sandbox();
	const jobs = standIn.jobs();
	const page = (from: number, to: number, cursor: string | null) => JSON.stringify({data: jobs.slice(from, to), cursor, checkpoint: null});
	const statusAnswer = jobs.slice(100).map(job => ({...job, liked_by_user: false, current_status: 'completed', user_id: 'u', display_name: 'someone', username_v2: 'someone'}));
	const har = {log: {version: '1.2', entries: [
		{request: {url: 'https://www.midjourney.com/api/imagine?user_id=u&page_size=50'}, response: {status: 200, content: {text: page(0, 50, 'c1')}}},
		{request: {url: 'https://www.midjourney.com/api/imagine?user_id=u&page_size=50&cursor=c1'}, response: {status: 200, content: {text: page(50, 100, null)}}},
		{request: {url: 'https://www.midjourney.com/api/job-status'}, response: {status: 200, content: {text: JSON.stringify(statusAnswer.slice(0, 10))}}},
	]}};
	fs.writeFileSync(path.join(box.root, 'session.har'), JSON.stringify(har));
	fs.writeFileSync(path.join(box.root, 'job-status.json'), JSON.stringify(statusAnswer));
	const archive = path.join(box.root, 'archive');

	const first = await runBin(['import', '--responses', path.join(box.root, 'session.har'), '--archive', archive, '--json'], {cwd: box.project, env: box.env});
	t.is(first.code, 0, first.stderr);
	t.like(lastJson(first), {pages: 3, jobs: 110, inserted: 110, oddities: {[undatedOddity]: 1}});
	const second = await runBin(['import', '--responses', path.join(box.root, 'job-status.json'), '--archive', archive], {cwd: box.project, env: box.env});
	t.is(second.code, 0, second.stderr);
	t.regex(second.stdout, /Imported 1 page\(s\), 20 jobs: 10 new, 0 updated, 10 unchanged/);
	const stringGrids = statusAnswer.filter(job => typeof job.parent_grid === 'string').length;
	t.true(stringGrids > 1);
	t.deepEqual(second.stdout.split('\n').filter(line => line.startsWith('note:')), [`note: ${stringGrids} jobs had parent_grid as a string`], 'odd fields reported once per kind');

	const store = openArchive(t, archive);
	t.is(store.countJobs(), 120);
	for (const job of jobs.slice(0, 100)) t.deepEqual(store.getJob(job.id)?.raw, job);
	for (const job of statusAnswer.slice(10)) t.deepEqual(store.getJob(job.id)?.raw, job, 'job-status fields kept too');
	t.is(store.getJob(jobs[undatedJobIndex]!.id)?.enqueuedAt, null);
});

test('a sync failing on page 3 reports the 2 pages and 100 jobs it stored, and the archive holds them', async t => {
	const standIn = await startStandIn({jobs: 300});
	t.teardown(() => standIn.close());
	const box = sandbox();
	const thirdPage = `cursor=${Buffer.from('mj-offset:100').toString('base64url')}`;
	standIn.setFault({kind: 'malformed-json', pathIncludes: thirdPage});
	const run = await runBin(['--batch', '--no-download', '--json'], {cwd: box.project, env: {...box.env, ...env50(standIn)}});
	t.is(run.code, 65, run.stderr);
	const summary = lastJson<BatchSummary>(run);
	t.like(summary, {pages: 2, jobsSeen: 100, jobsNew: 100, jobsUpdated: 0, exitCode: 65, phases: {sync: 'failed', download: 'skipped'}});
	t.regex(summary.errors[0]?.message ?? '', /listing page 3 .*not valid JSON/);
	const store = openArchive(t, path.join(box.project, 'mj-archive'));
	t.is(store.countJobs(), 100);
	t.deepEqual([...store.iterateJobs()].map(job => job.id).sort(), standIn.jobs().slice(0, 100).map(job => job.id).sort());
});

test('200,000-deep JSON in import --responses is refused with exit 65 and the path where it went wrong; nothing is stored', async t => {
	const box = sandbox();
	const archive = path.join(box.root, 'archive');
	const depth = 200_000;
	const cases: Array<[string, string, RegExp]> = [
		['deep-job.json', `{"data":[{"id":"a"},{"id":"b","extra":${'['.repeat(depth)}${']'.repeat(depth)}}]}`, /deep-job\.json: the JSON is nested deeper than 64 levels at data\[1\]\.extra\[0\]\[0\]/],
		['deep-array.json', `${'['.repeat(depth)}${']'.repeat(depth)}`, /deep-array\.json: the JSON is nested deeper than 64 levels at \[0\]\[0\]/],
		['deep-object.json', `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`, /deep-object\.json: the JSON is nested deeper than 64 levels at a\.a\.a/],
	];
	for (const [name, text, where] of cases) {
		fs.writeFileSync(path.join(box.root, name), text);
		const run = await runBin(['import', '--responses', path.join(box.root, name), '--archive', archive], {cwd: box.project, env: box.env});
		t.is(run.code, 65, `${name}: ${run.stderr}`);
		t.regex(run.stderr, where);
		t.notRegex(run.stderr, /internal error/i);
	}

	const store = openArchive(t, archive);
	t.is(store.countJobs(), 0);
});

test('import takes a job\'s time from the file\'s metadata (PNG Creation Time, XMP), else none, says source file, and invents nothing', async t => {
	const box = sandbox();
	const folder = path.join(box.root, 'downloads');
	fs.mkdirSync(folder);
	const ids = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222', '33333333-3333-4333-8333-333333333333'];
	const png = (seed: number, chunks: Buffer[]) => writePng({width: 16, height: 8, seed, textAfterImageData: false, textChunks: chunks});
	fs.writeFileSync(path.join(folder, 'with-time.png'), png(1, [textChunk('Description', `a fox in snow --v 7 Job ID: ${ids[0]}`), textChunk('Creation Time', '2025-05-06T07:08:09.123456+00:00')]));
	const xmp = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"><dc:identifier>${ids[1]}</dc:identifier><xmp:CreateDate>2024-01-02T03:04:05Z</xmp:CreateDate></rdf:Description></rdf:RDF></x:xmpmeta>`;
	fs.writeFileSync(path.join(folder, 'with-xmp.png'), png(2, [internationalTextChunk('XML:com.adobe.xmp', xmp)]));
	fs.writeFileSync(path.join(folder, 'no-time.png'), png(3, [textChunk('Description', `an owl Job ID: ${ids[2]}`)]));
	// The mtime says when the file was copied, not made: it must not become the job's time.
	fs.utimesSync(path.join(folder, 'no-time.png'), new Date('2020-01-01T00:00:00Z'), new Date('2020-01-01T00:00:00Z'));
	const archive = path.join(box.root, 'archive');
	const run = await runBin(['import', folder, '--archive', archive, '--json'], {cwd: box.project, env: box.env});
	t.is(run.code, 0, run.stderr);
	t.like(lastJson(run), {scanned: 3, jobsCreated: 3});

	const store = openArchive(t, archive);
	const withTime = store.getJob(ids[0]!)!;
	t.is(withTime.enqueuedAt, Date.parse('2025-05-06T07:08:09.123Z'));
	t.deepEqual(Object.keys(withTime.raw).sort(), ['enqueue_time', 'full_command', 'height', 'id', 'imported_from', 'source', 'width']);
	t.like(withTime.raw, {source: 'file', enqueue_time: '2025-05-06T07:08:09.123Z', full_command: 'a fox in snow --v 7', width: 16, height: 8});
	t.is(store.getJob(ids[1]!)!.enqueuedAt, Date.parse('2024-01-02T03:04:05Z'));
	const noTime = store.getJob(ids[2]!)!;
	t.is(noTime.enqueuedAt, null);
	t.is(noTime.raw.enqueue_time, undefined);
	t.is(noTime.raw.job_type, undefined, 'no job type invented');
	t.is(noTime.raw.batch_size, undefined, 'no batch size invented');
	t.is(store.listJobs({limit: 10}).at(-1)?.id, ids[2], 'listed last');
	t.is(store.getJob(ids[1]!)!.raw.full_command, undefined, 'the XMP file states no command');

	// Jobs without a command or a time export like any other (the command as an empty cell, the time as none).
	const csv = await runBin(['export', '--format', 'csv', '--out', path.join(box.root, 'jobs.csv'), '--archive', archive], {cwd: box.project, env: box.env});
	t.is(csv.code, 0, csv.stderr);
	const rows = fs.readFileSync(path.join(box.root, 'jobs.csv'), 'utf8').trim().split('\r\n');
	t.is(rows.length, 4);
	t.true(rows.at(-1)!.startsWith(`${ids[2]},,`), 'the undated job last, its time empty');
	const dataset = await runBin(['export', '--format', 'dataset', '--captions-with-params', '--out', path.join(box.root, 'ds'), '--archive', archive], {cwd: box.project, env: box.env});
	t.is(dataset.code, 0, dataset.stderr);
});
