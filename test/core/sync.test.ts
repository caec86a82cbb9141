import {spawn} from 'node:child_process';
import {once} from 'node:events';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import os from 'node:os';
import test, {type ExecutionContext} from 'ava';
import {startStandIn} from '../../fixtures/stand-in.js';
import type {StandIn, StandInOptions} from '../../fixtures/types.js';
import {ArchiveStore} from '../../source/core/archive/store.js';
import type {Config} from '../../source/core/config/config.js';
import {MjError} from '../../source/core/errors.js';
import {MidjourneyClient} from '../../source/core/midjourney/client.js';
import {completeMetaKey, ownerMetaKey, syncJobs, walksMetaKey, type SyncProgress} from '../../source/core/sync.js';
import {readArchiveDb} from '../helpers/archive-db.js';
import {dumpArchive, listingRequests, standInConfig, temporaryArchive} from '../helpers/mj-setup.js';

/** A stand-in, a fresh archive and a client, all torn down after the test. */
async function setup(t: ExecutionContext, standInOptions: StandInOptions = {}, overrides: Partial<Config> = {}) {
	const standIn = await startStandIn({jobs: 230, seed: 11, ...standInOptions});
	const store = ArchiveStore.open(temporaryArchive());
	const client = new MidjourneyClient(standInConfig(standIn, {pageSize: 50, ...overrides}));
	t.teardown(async () => {
		await client.close();
		store.close();
		await standIn.close();
	});
	return {standIn, store, client};
}

/** The archive holds exactly the stand-in's jobs, each with the raw JSON the API sends. */
function assertArchiveEquals(t: ExecutionContext, store: ArchiveStore, jobs: readonly StandInJob[]) {
	const archived = [...store.iterateJobs()];
	// Sorted: the archive lists the job without a time last, the listing has it where the service put it.
	t.deepEqual(archived.map(job => job.id).sort(), jobs.map(job => job.id).sort());
	t.is(archived.length, jobs.length);
	for (const job of jobs) t.deepEqual(store.getJob(job.id)?.raw, job);
}

type StandInJob = ReturnType<StandIn['jobs']>[number];

function lastRun(store: ArchiveStore) {
	return readArchiveDb(store.dir, db => db.prepare('SELECT * FROM sync_runs ORDER BY id DESC LIMIT 1').get() as {status: string; pages: number; jobs_new: number; error: string | null; mode: string});
}

test('a first sync archives every job verbatim, reporting each page', async t => {
	const {standIn, store, client} = await setup(t);
	const progress: SyncProgress[] = [];
	const summary = await syncJobs(store, client, {pagePauseMs: 0, onProgress: p => progress.push(p)});
	assertArchiveEquals(t, store, standIn.jobs());
	t.is(summary.jobsNew, 230);
	t.is(summary.stoppedBecause, 'end');
	t.is(summary.pages, 6, '5 pages of jobs and the empty page that ends the listing');
	t.deepEqual(
		progress.filter(p => p.state === 'listing').map(p => p.page),
		[1, 2, 3, 4, 5, 6],
	);
	t.is(progress.at(-1)?.state, 'done');
	t.is(store.getMeta(completeMetaKey), 'true');
	t.like(lastRun(store), {status: 'ok', pages: 6, jobs_new: 230, mode: 'incremental'});
});

test('re-syncing an up-to-date archive makes one listing request', async t => {
	const {standIn, store, client} = await setup(t);
	await syncJobs(store, client, {pagePauseMs: 0});
	const before = listingRequests(standIn);
	const summary = await syncJobs(store, client, {pagePauseMs: 0});
	t.is(listingRequests(standIn) - before, 1);
	t.is(summary.stoppedBecause, 'caught-up');
	t.is(summary.jobsNew, 0);
});

test('new jobs upstream are fetched from the head and the sync stops at archived ones', async t => {
	const {standIn, store, client} = await setup(t);
	await syncJobs(store, client, {pagePauseMs: 0});
	standIn.addJobs(70);
	const before = listingRequests(standIn);
	const summary = await syncJobs(store, client, {pagePauseMs: 0});
	assertArchiveEquals(t, store, standIn.jobs());
	t.is(summary.jobsNew, 70);
	t.is(listingRequests(standIn) - before, 3, 'two pages hold new jobs, the third only archived ones');
});

test('a job deleted upstream stays in the archive; a changed field is updated', async t => {
	const {standIn, store, client} = await setup(t);
	await syncJobs(store, client, {pagePauseMs: 0});
	const [first, second] = standIn.jobs();
	standIn.deleteJob(first!.id);
	standIn.updateJob(second!.id, {rating: 5, shown: false});
	const summary = await syncJobs(store, client, {pagePauseMs: 0});
	t.is(summary.jobsUpdated, 1);
	t.truthy(store.getJob(first!.id), 'deleted upstream, kept here');
	t.is(store.getJob(second!.id)?.rating, 5);
	t.is(store.getJob(second!.id)?.raw.shown, false);
	t.is(store.countJobs(), 230);
});

test('--full re-walks the whole listing and picks up changes on old pages', async t => {
	const {standIn, store, client} = await setup(t);
	await syncJobs(store, client, {pagePauseMs: 0});
	const old = standIn.jobs().at(-1)!;
	standIn.updateJob(old.id, {rating: 3});
	const before = listingRequests(standIn);
	const summary = await syncJobs(store, client, {full: true, pagePauseMs: 0});
	t.is(listingRequests(standIn) - before, 6);
	t.is(summary.stoppedBecause, 'end');
	t.is(summary.jobsUpdated, 1);
	t.is(store.getJob(old.id)?.raw.rating, 3);
	t.like(lastRun(store), {mode: 'full', status: 'ok'});
});

test('jobs arriving at the head while paging are archived once each; the archive equals the listing', async t => {
	const {standIn, store, client} = await setup(t);
	standIn.setFault({kind: 'new-jobs-while-paging', perPage: 7, count: 4});
	await syncJobs(store, client, {pagePauseMs: 0});
	standIn.clearFaults();
	// The jobs added after the walk passed the head are picked up by the next incremental run.
	await syncJobs(store, client, {pagePauseMs: 0});
	t.is(standIn.jobs().length, 230 + 28);
	assertArchiveEquals(t, store, standIn.jobs());
});

test('a page without a job array stops the sync with exit 65 naming the page, and nothing stored changes', async t => {
	const {standIn, store, client} = await setup(t);
	await syncJobs(store, client, {pagePauseMs: 0});
	standIn.addJobs(120);
	const before = readArchiveDb(store.dir, dumpArchive);
	standIn.setFault({kind: 'bad-page', shape: 'data-not-array', count: 1});
	const error = await t.throwsAsync(syncJobs(store, client, {pagePauseMs: 0}), {instanceOf: MjError});
	t.is(error?.exitCode, 65);
	t.regex(error?.message ?? '', /listing page 1 /);
	t.is(readArchiveDb(store.dir, dumpArchive), before);
	t.like(lastRun(store), {status: 'failed'});
	t.regex(lastRun(store).error ?? '', /listing page 1/);
	standIn.clearFaults();
	await syncJobs(store, client, {pagePauseMs: 0});
	assertArchiveEquals(t, store, standIn.jobs());
});

test('malformed JSON on a later page keeps the pages before it, and the next run completes the walk', async t => {
	const {standIn, store, client} = await setup(t);
	let pages = 0;
	const controller = {failAt: 3};
	const progress = (p: SyncProgress) => {
		pages = p.page;
		if (p.page === controller.failAt - 1 && p.state === 'listing') standIn.setFault({kind: 'malformed-json', count: 1});
	};
	const error = await t.throwsAsync(syncJobs(store, client, {pagePauseMs: 0, onProgress: progress}), {instanceOf: MjError});
	t.is(error?.exitCode, 65);
	t.regex(error?.message ?? '', /listing page 3 .*not valid JSON/);
	t.is(pages, 2);
	t.is(store.countJobs(), 100);
	t.not(store.getMeta(completeMetaKey), 'true');
	await syncJobs(store, client, {pagePauseMs: 0});
	assertArchiveEquals(t, store, standIn.jobs());
	t.is(store.getMeta(completeMetaKey), 'true');
});

test('an aborted sync stops between pages, records the run as interrupted, and the next run completes it', async t => {
	const {standIn, store, client} = await setup(t);
	const controller = new AbortController();
	const summary = await syncJobs(store, client, {
		pagePauseMs: 0,
		signal: controller.signal,
		onProgress: p => p.page === 2 && controller.abort(),
	});
	t.is(summary.stoppedBecause, 'aborted');
	t.is(store.countJobs(), 100);
	t.like(lastRun(store), {status: 'interrupted'});
	await syncJobs(store, client, {pagePauseMs: 0});
	assertArchiveEquals(t, store, standIn.jobs());
});

test('one odd job never stops a page: the others are stored, the oddity counted once', async t => {
	const {standIn, store, client} = await setup(t);
	standIn.setFault({kind: 'bad-page', shape: 'job-without-id', count: 1});
	const first = await syncJobs(store, client, {pagePauseMs: 0});
	// The id-less copy of the newest job stood in for it on page 1; its real self is stored by the next run.
	t.like(first.oddities, {'no string id (skipped: a job needs one to be stored)': 1});
	t.is(first.jobsNew, 229);
	t.is(store.getJob(standIn.jobs()[0].id), undefined);
	t.is(store.countJobs(), 229);
	standIn.setFault({kind: 'bad-page', shape: 'wrong-types', count: 1});
	const second = await syncJobs(store, client, {pagePauseMs: 0, full: true});
	t.like(second.oddities, {'batch_size as a string': 1, 'enqueue_time as a number': 1});
	t.is(second.jobsNew, 1, 'the newest job, stored despite its odd fields');
	const odd = store.getJob(standIn.jobs()[0].id);
	t.deepEqual(odd?.raw, {...standIn.jobs()[0], batch_size: 'four', enqueue_time: 1_700_000_000}, 'raw JSON kept verbatim');
	t.is(odd?.enqueuedAt, null, 'a number is no enqueue_time: stored without a time');
	t.is(store.listJobs({limit: 1000}).at(-1)?.id, odd?.id, 'listed last');
	standIn.clearFaults();
	await syncJobs(store, client, {pagePauseMs: 0, full: true});
	assertArchiveEquals(t, store, standIn.jobs());
});

test('a page nested absurdly deep stops the sync with exit 65 and the path where it went wrong', async t => {
	const {standIn, store, client} = await setup(t);
	standIn.setFault({kind: 'bad-page', shape: 'too-deep', count: 1});
	const error = await t.throwsAsync(syncJobs(store, client, {pagePauseMs: 0}), {instanceOf: MjError});
	t.is(error?.exitCode, 65);
	t.regex(error?.message ?? '', /listing page 1 .*nested deeper than 64 levels at data\[\d+\]\.extra\[0\]\[0\]/);
	t.is(store.countJobs(), 0);
});

test('filters store only matching jobs and do not count as a complete walk', async t => {
	const {standIn, store, client} = await setup(t);
	const jobs = standIn.jobs();
	const since = Date.parse(jobs[120]!.enqueue_time!);
	const summary = await syncJobs(store, client, {pagePauseMs: 0, since});
	t.is(summary.stoppedBecause, 'since');
	// The job without a time is not known to be in range: only an unfiltered run stores it.
	const expected = jobs.filter(job => job.enqueue_time !== undefined && Date.parse(job.enqueue_time) >= since);
	t.deepEqual(new Set([...store.iterateJobs()].map(job => job.id)), new Set(expected.map(job => job.id)));
	t.not(store.getMeta(completeMetaKey), 'true');

	const upscales = await syncJobs(store, client, {pagePauseMs: 0, types: ['upscale']});
	t.true(upscales.jobsNew > 0);
	t.true([...store.iterateJobs()].every(job => (job.enqueuedAt !== null && job.enqueuedAt >= since) || job.eventType === 'upscale' || job.jobType === 'upscale'));

	const limited = await syncJobs(store, client, {pagePauseMs: 0, limit: 10});
	t.is(limited.stoppedBecause, 'limit');
	t.is(limited.jobsSeen, 10);

	// An unfiltered run afterwards walks on until the archive is complete.
	await syncJobs(store, client, {pagePauseMs: 0});
	assertArchiveEquals(t, store, standIn.jobs());
	t.is(store.getMeta(completeMetaKey), 'true');
});

test('a filtered run on a complete archive does not make the next incremental run skip older new jobs', async t => {
	const {standIn, store, client} = await setup(t);
	await syncJobs(store, client, {pagePauseMs: 0});
	standIn.addJobs(120);
	await syncJobs(store, client, {pagePauseMs: 0, limit: 50});
	// The head page now holds only jobs the limited run stored; the 70 older new jobs must still be fetched.
	await syncJobs(store, client, {pagePauseMs: 0});
	assertArchiveEquals(t, store, standIn.jobs());
});

test('until and limit bound what is stored', async t => {
	const {standIn, store, client} = await setup(t);
	const jobs = standIn.jobs();
	const until = Date.parse(jobs[40]!.enqueue_time!);
	const summary = await syncJobs(store, client, {pagePauseMs: 0, until, limit: 25});
	t.is(summary.jobsNew, 25);
	const archived = [...store.iterateJobs()];
	t.true(archived.every(job => job.enqueuedAt !== null && job.enqueuedAt < until));
	t.deepEqual(
		archived.map(job => job.id),
		jobs.filter(job => job.enqueue_time !== undefined && Date.parse(job.enqueue_time) < until).slice(0, 25).map(job => job.id),
	);
});

test('a failed sync records a redacted error in sync_runs', async t => {
	const {standIn, store, client} = await setup(t);
	standIn.setFault({kind: 'unauthorized', route: 'api'});
	const error = await t.throwsAsync(syncJobs(store, client, {pagePauseMs: 0}), {instanceOf: MjError});
	t.is(error?.exitCode, 77);
	const run = lastRun(store);
	t.is(run.status, 'failed');
	t.regex(run.error ?? '', /HTTP 401/);
	t.false((run.error ?? '').includes(standIn.token));
	t.is(store.countJobs(), 0);
});

test('an unfinished walk whose saved cursor the service no longer accepts is completed from the head', async t => {
	const {standIn, store, client} = await setup(t);
	const controller = new AbortController();
	await syncJobs(store, client, {pagePauseMs: 0, signal: controller.signal, onProgress: p => p.page === 2 && controller.abort()});
	const walks = JSON.parse(store.getMeta(walksMetaKey)!) as Array<{cursor: string | null}>;
	t.is(walks.length, 1);
	t.truthy(walks[0]!.cursor);
	// As if the service had rotated its cursor format since the interrupted run.
	store.setMeta(walksMetaKey, JSON.stringify(walks.map(walk => ({...walk, cursor: 'expired-cursor'}))));
	const summary = await syncJobs(store, client, {pagePauseMs: 0});
	t.is(summary.stoppedBecause, 'end');
	assertArchiveEquals(t, store, standIn.jobs());
	t.is(store.getMeta(completeMetaKey), 'true');
	t.is(store.getMeta(walksMetaKey), '[]');
});

test('a listing whose cursor repeats stops with exit 65 instead of looping', async t => {
	// A service bug the stand-in has no knob for: every page hands back the same cursor.
	const {standIn} = await setup(t);
	const jobs = standIn.jobs();
	const server = http.createServer((request, response) => {
		const url = new URL(request.url!, 'http://x');
		const data = url.searchParams.get('cursor') ? jobs.slice(50, 100) : jobs.slice(0, 50);
		response.writeHead(200, {'content-type': 'application/json'});
		response.end(JSON.stringify({data, cursor: 'same-cursor'}));
	});
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	t.teardown(() => server.close());
	const store = ArchiveStore.open(temporaryArchive());
	const client = new MidjourneyClient(standInConfig(standIn, {apiBase: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, pageSize: 50}));
	t.teardown(async () => {
		await client.close();
		store.close();
	});
	const error = await t.throwsAsync(syncJobs(store, client, {pagePauseMs: 0}), {instanceOf: MjError});
	t.is(error?.exitCode, 65);
	t.regex(error?.message ?? '', /page 2 points back to a page already walked/);
	t.is(store.countJobs(), 50, 'the first page was stored, the looping one was not');
});

test('aborting while a page request hangs stops at once and keeps the archive consistent', async t => {
	const {standIn, store, client} = await setup(t, {}, {requestTimeoutMs: 60_000});
	const controller = new AbortController();
	const summary = await syncJobs(store, client, {
		pagePauseMs: 0,
		signal: controller.signal,
		onProgress: p => {
			if (p.page !== 2 || p.state !== 'listing') return;
			standIn.setFault({kind: 'stall', ms: 60_000, route: 'api', count: 1});
			setTimeout(() => controller.abort(), 100);
		},
	});
	t.is(summary.stoppedBecause, 'aborted');
	t.is(store.countJobs(), 100);
	t.like(lastRun(store), {status: 'interrupted'});
	standIn.clearFaults();
	await syncJobs(store, client, {pagePauseMs: 0});
	assertArchiveEquals(t, store, standIn.jobs());
});

test('a second sync of the same archive is refused while the first runs, in this process or another', async t => {
	const {store, client} = await setup(t);
	const first = syncJobs(store, client, {pagePauseMs: 20});
	const error = await t.throwsAsync(syncJobs(store, client, {pagePauseMs: 0}), {instanceOf: MjError});
	t.is(error?.exitCode, 69);
	t.regex(error?.message ?? '', new RegExp(`process ${process.pid}`));
	t.is((await first).stoppedBecause, 'end');

	// Another live process holds the claim (as a sync in another terminal would).
	const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {stdio: 'ignore'});
	t.teardown(() => other.kill('SIGKILL'));
	await once(other, 'spawn');
	store.setMeta(ownerMetaKey, JSON.stringify({pid: other.pid, host: os.hostname(), run: 99}));
	const refused = await t.throwsAsync(syncJobs(store, client, {pagePauseMs: 0}), {instanceOf: MjError});
	t.regex(refused?.message ?? '', new RegExp(`process ${other.pid}`));
	other.kill('SIGKILL');
	await once(other, 'exit');
	// Its process gone, the claim is stale and the next sync takes over.
	t.is((await syncJobs(store, client, {pagePauseMs: 0})).stoppedBecause, 'caught-up');
	t.is(store.getMeta(ownerMetaKey), undefined);
});
