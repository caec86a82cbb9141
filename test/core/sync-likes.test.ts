/**
 * The likes walk on a real SQLite archive against the stand-in: liked jobs
 * stored once with their authors and a liked mark, the account's own liked
 * jobs left as the listing sent them, an up-to-date run costing one likes
 * request, new likes picked up at the head, a killed first walk continued
 * where it stopped, --full marking withdrawn likes, and odd liked jobs never
 * stopping a sync.
 */
import test, {type ExecutionContext} from 'ava';
import {startStandIn} from '../../fixtures/stand-in.js';
import type {StandIn} from '../../fixtures/types.js';
import {ArchiveStore} from '../../source/core/archive/store.js';
import {MjError} from '../../source/core/errors.js';
import {MidjourneyClient} from '../../source/core/midjourney/client.js';
import {syncJobs} from '../../source/core/sync.js';
import {likesCompleteMetaKey, likesPendingMetaKey} from '../../source/core/sync-likes.js';
import {readArchiveDb} from '../helpers/archive-db.js';
import {listingRequests, standInConfig, temporaryArchive} from '../helpers/mj-setup.js';

async function setup(t: ExecutionContext) {
	const standIn = await startStandIn({jobs: 120, seed: 21});
	const store = ArchiveStore.open(temporaryArchive());
	// A loaded machine may answer slowly: a generous timeout (and retries) keep the faults the only failures.
	const client = new MidjourneyClient(standInConfig(standIn, {pageSize: 100, retries: 3, requestTimeoutMs: 60_000}));
	t.teardown(async () => {
		await client.close();
		store.close();
		await standIn.close();
	});
	return {standIn, store, client};
}

/** Likes requests the stand-in served, with their page numbers. */
function likesPages(standIn: StandIn): number[] {
	return standIn.requests().filter(entry => entry.path.startsWith('/api/explore-likes')).map(entry => Number(new URL(entry.path, 'http://x').searchParams.get('page')));
}

interface LikeRow {
	job_id: string;
	author_id: string | null;
	author_name: string | null;
	author_username: string | null;
	own: number | null;
	unliked_at: number | null;
	source: string;
	raw: string;
}

function likeRows(store: ArchiveStore): Map<string, LikeRow> {
	const rows = readArchiveDb(store.dir, db => db.prepare('SELECT l.*, j.source, j.raw FROM likes l JOIN jobs j ON j.id = l.job_id').all() as LikeRow[]);
	return new Map(rows.map(row => [row.job_id, row]));
}

const likedNow = (store: ArchiveStore) => new Set(store.search('liked:yes', {limit: 10_000}).map(hit => hit.job.id));
const sorted = (ids: Iterable<string>) => [...ids].sort();

test('a sync with likes stores every liked job once, with its author, and marks it liked', async t => {
	const {standIn, store, client} = await setup(t);
	const summary = await syncJobs(store, client, {pagePauseMs: 0, likes: true});
	const liked = standIn.likedJobs();
	t.like(summary.likes, {pages: 3, jobsSeen: liked.length, liked: liked.length, unliked: 0, stoppedBecause: 'end'});
	t.deepEqual(likesPages(standIn), [1, 2, 3], 'pages from 1, never page 0');
	const rows = likeRows(store);
	t.deepEqual([...rows.keys()].sort(), liked.map(job => job.id).sort());
	const own = liked.filter(job => job.user_id === standIn.userId);
	t.true(own.length > 0);
	t.is(summary.likes!.jobsNew, liked.length - own.length, "other people's jobs are new; the account's own were archived by the listing");
	t.is(store.countJobs(), standIn.jobs().length + liked.length - own.length, 'no duplicate rows');
	for (const job of liked) {
		const row = rows.get(job.id)!;
		t.is(row.author_id, job.user_id as string);
		t.is(row.author_name, job.display_name as string | null, 'the name verbatim (terminal escapes and markup included: stripped where shown)');
		t.is(row.author_username, job.username_v2 as string | null);
		t.is(row.own, job.user_id === standIn.userId ? 1 : 0);
		t.is(row.unliked_at, null);
		if (job.user_id === standIn.userId) {
			t.is(row.source, 'api', "the account's own job stays as the listing sent it");
			t.deepEqual(JSON.parse(row.raw), standIn.jobs().find(listed => listed.id === job.id));
		} else {
			t.is(row.source, 'likes');
			t.deepEqual(JSON.parse(row.raw), job, 'kept verbatim, liked_by_user and author fields included');
		}
	}
	t.deepEqual(sorted(likedNow(store)), sorted(liked.map(job => job.id)));
	t.deepEqual(store.likes.counts(), {liked: liked.length, byOthers: liked.length - own.length, own: own.length, unliked: 0});
	t.is(store.meta.get(likesCompleteMetaKey), 'true');
});

test('an up-to-date archive costs one likes request; new likes at the head are fetched until known ones', async t => {
	const {standIn, store, client} = await setup(t);
	await syncJobs(store, client, {pagePauseMs: 0, likes: true});
	let before = likesPages(standIn).length;
	const again = await syncJobs(store, client, {pagePauseMs: 0, likes: true});
	t.is(likesPages(standIn).length - before, 1);
	t.like(again.likes, {pages: 1, jobsNew: 0, liked: 0, stoppedBecause: 'caught-up'});

	const added = standIn.likeOthers(60);
	standIn.likeOwn(standIn.jobs()[0].id);
	before = likesPages(standIn).length;
	const listingBefore = listingRequests(standIn);
	const third = await syncJobs(store, client, {pagePauseMs: 0, likes: true});
	t.deepEqual(likesPages(standIn).slice(before), [1, 2, 3], 'two pages hold new likes, the third only known ones');
	t.is(listingRequests(standIn) - listingBefore, 1, 'the listing is caught up as before');
	t.like(third.likes, {jobsNew: 60, liked: 61, stoppedBecause: 'caught-up'});
	const now = likedNow(store);
	for (const job of added) t.true(now.has(job.id));
	t.true(now.has(standIn.jobs()[0].id));
});

test('a first likes walk killed on page 2 continues there; the head is caught up first', async t => {
	const {standIn, store, client} = await setup(t);
	// A broken page (never retried) kills the walk there, whatever the machine's load.
	standIn.setFault({kind: 'bad-page', shape: 'data-not-array', pathIncludes: 'explore-likes?page=2', count: 1});
	const error = await t.throwsAsync(syncJobs(store, client, {pagePauseMs: 0, likes: true}));
	t.true(error instanceof MjError);
	t.regex(error!.message, /likes page 2/);
	t.is(store.meta.get(likesCompleteMetaKey), undefined);
	t.is(JSON.parse(store.meta.get(likesPendingMetaKey)!).page, 2);
	t.is(likedNow(store).size, 50, 'the first page stays stored');

	const before = likesPages(standIn).length;
	const summary = await syncJobs(store, client, {pagePauseMs: 0, likes: true});
	t.deepEqual(likesPages(standIn).slice(before), [1, 2, 3], 'the head (known: stop), then the saved page to the end');
	t.deepEqual(sorted(likedNow(store)), sorted(standIn.likedJobs().map(job => job.id)));
	t.is(summary.likes!.stoppedBecause, 'end');
	t.is(store.meta.get(likesCompleteMetaKey), 'true');
	t.is(store.meta.get(likesPendingMetaKey), undefined);
});

test('a withdrawn like is kept as liked by incremental runs and marked unliked by --full, job and author kept', async t => {
	const {standIn, store, client} = await setup(t);
	await syncJobs(store, client, {pagePauseMs: 0, likes: true});
	const liked = standIn.likedJobs();
	const other = liked.find(job => job.user_id !== standIn.userId)!;
	const own = liked.find(job => job.user_id === standIn.userId)!;
	// Far back, behind the first page: the documented trade-off of an incremental walk.
	const farBack = liked.slice(60).find(job => job.user_id !== standIn.userId)!;
	for (const job of [other, own, farBack]) standIn.unlike(job.id);
	await syncJobs(store, client, {pagePauseMs: 0, likes: true});
	t.true(likedNow(store).has(farBack.id), 'an incremental run does not walk far enough to notice');

	const full = await syncJobs(store, client, {pagePauseMs: 0, likes: true, full: true});
	t.is(full.likes!.unliked, 3);
	t.is(full.likes!.stoppedBecause, 'end');
	const now = likedNow(store);
	for (const job of [other, own, farBack]) {
		t.false(now.has(job.id));
		t.truthy(store.getJob(job.id), 'the job stays in the archive');
	}
	const rows = likeRows(store);
	t.is(rows.get(other.id)!.author_id, other.user_id as string);
	t.truthy(rows.get(other.id)!.unliked_at);
	const unliked = new Set(store.search('liked:no', {limit: 10_000}).map(hit => hit.job.id));
	t.true(unliked.has(other.id) && unliked.has(own.id));
	t.is(store.likes.counts().unliked, 3);

	standIn.likeOwn(own.id);
	await syncJobs(store, client, {pagePauseMs: 0, likes: true});
	t.true(likedNow(store).has(own.id), 'liked again');
	t.is(likeRows(store).get(own.id)!.unliked_at, null);
});

test('odd liked jobs never stop a sync: a job without an id is skipped, odd types are counted once', async t => {
	const {standIn, store, client} = await setup(t);
	standIn.setFault({kind: 'bad-page', shape: 'job-without-id', pathIncludes: 'explore-likes?page=1', count: 1});
	standIn.setFault({kind: 'bad-page', shape: 'wrong-types', pathIncludes: 'explore-likes?page=2', count: 1});
	const summary = await syncJobs(store, client, {pagePauseMs: 0, likes: true});
	t.is(summary.likes!.stoppedBecause, 'end');
	t.is(summary.oddities['no string id (skipped: a job needs one to be stored)'], 1);
	t.is(summary.oddities['batch_size as a string'], 1);
	t.is(summary.oddities['user_id as a number (liked job; stored as text)'], 1);
	// The stand-in's other people's jobs carry fields the contract does not know, as real answers do: counted per field, once a run.
	const unknown = Object.keys(summary.oddities).filter(what => what.startsWith('an unknown field'));
	const expectedFields = new Set(standIn.likedJobs().flatMap(job => Object.keys(job)).filter(field => ['mood_board_id', 'experimental', 'moderation', 'favorited', 'tags'].includes(field)));
	t.true(expectedFields.size > 0);
	t.deepEqual(unknown.sort(), [...expectedFields].map(field => `an unknown field "${field}" (liked job; kept verbatim in raw)`).sort());
	const liked = standIn.likedJobs();
	// Page 1 lost its first job's id; page 2's first job came with a number for user_id (kept as text: someone else).
	t.is(likedNow(store).size, liked.length - 1);
	t.false(likedNow(store).has(liked[0].id));
	t.like(likeRows(store).get(liked[50].id), {author_id: '42', own: 0});
});

test('a likes route that answers something else than an array of jobs stops with exit 65, the listing kept', async t => {
	const {standIn, store, client} = await setup(t);
	standIn.setFault({kind: 'malformed-json', pathIncludes: 'explore-likes', count: 1});
	const error = await t.throwsAsync(syncJobs(store, client, {pagePauseMs: 0, likes: true}));
	t.is((error as MjError).exitCode, 65);
	t.regex(error!.message, /likes page 1 .*not valid JSON/);
	t.is(store.countJobs(), standIn.jobs().length, 'the listing stored before stays');
	t.is(likedNow(store).size, 0);
});

test('a --full likes walk killed midway is finished by the next run, which then marks the withdrawn likes', async t => {
	const {standIn, store, client} = await setup(t);
	await syncJobs(store, client, {pagePauseMs: 0, likes: true});
	const withdrawn = standIn.likedJobs()[70];
	standIn.unlike(withdrawn.id);
	standIn.setFault({kind: 'bad-page', shape: 'data-not-array', pathIncludes: 'explore-likes?page=2', count: 1});
	await t.throwsAsync(syncJobs(store, client, {pagePauseMs: 0, likes: true, full: true}));
	t.like(JSON.parse(store.meta.get(likesPendingMetaKey)!), {page: 2, full: true});
	t.true(likedNow(store).has(withdrawn.id), 'not marked before the walk saw every page');

	const before = likesPages(standIn).length;
	const summary = await syncJobs(store, client, {pagePauseMs: 0, likes: true});
	t.deepEqual(likesPages(standIn).slice(before), [1, 2, 3]);
	t.is(summary.likes!.unliked, 1);
	t.false(likedNow(store).has(withdrawn.id));
	t.is(store.likes.counts().liked, standIn.likedJobs().length);
});
