/**
 * The likes table on a real archive file: marks and authors (an author field
 * left out later keeps what was learnt), withdrawn likes kept with their
 * author, counts, and the liked filter in every path that reads jobs: ranked
 * search with words, filter-only search, listing, counting and export.
 */
import test from 'ava';
import type {ApiJob} from '../../../source/core/job.js';
import {ArchiveStore} from '../../../source/core/archive/store.js';
import {readArchiveDb} from '../../helpers/archive-db.js';
import {temporaryArchive} from '../../helpers/mj-setup.js';

function job(id: string, command: string, minute: number): ApiJob {
	return {id, enqueue_time: `2025-08-14T17:${String(minute).padStart(2, '0')}:00Z`, full_command: command, job_type: 'v7_diffusion', event_type: 'diffusion', batch_size: 4};
}

function archive(t: import('ava').ExecutionContext): ArchiveStore {
	const store = ArchiveStore.open(temporaryArchive());
	t.teardown(() => store.close());
	store.upsertJobs([job('own-fox', 'a red fox in snow --ar 16:9', 1), job('own-cat', 'a grey cat --ar 1:1', 2), job('own-owl', 'an owl at night', 3)]);
	store.upsertJobs([job('their-fox', 'a fox under the aurora --ar 16:9', 4)], 'likes');
	return store;
}

const author = (jobId: string, fields: Partial<{authorId: string | null; authorName: string | null; authorUsername: string | null; own: boolean | null}> = {}) => ({jobId, authorId: null, authorName: null, authorUsername: null, own: null, ...fields});
const ids = (hits: Array<{job: {id: string}}>) => hits.map(hit => hit.job.id).sort();

test('likes mark jobs with their author; a later answer without a name keeps the one learnt', t => {
	const store = archive(t);
	t.is(store.likes.record([author('their-fox', {authorId: 'u-2', authorName: 'Hana', authorUsername: 'hana.paints', own: false}), author('own-fox', {authorId: 'u-1', own: true})], 1000), 2);
	t.is(store.likes.record([author('their-fox', {authorId: 'u-2'})], 2000), 0, 'already liked');
	const row = readArchiveDb(store.dir, db => db.prepare('SELECT * FROM likes WHERE job_id = ?').get('their-fox')) as Record<string, unknown>;
	t.like(row, {author_id: 'u-2', author_name: 'Hana', author_username: 'hana.paints', own: 0, liked_seen_at: 1000, seen_at: 2000, unliked_at: null});
	t.deepEqual(store.likes.counts(), {liked: 2, byOthers: 1, own: 1, unliked: 0});
	t.deepEqual([...store.likes.likedIds(['own-fox', 'own-cat', 'their-fox'])].sort(), ['own-fox', 'their-fox']);
});

test('a full walk marks what it did not see as unliked; the row and its author stay, and a new like revives it', t => {
	const store = archive(t);
	store.likes.record([author('their-fox', {authorId: 'u-2', own: false}), author('own-fox', {authorId: 'u-1', own: true})], 1000);
	store.likes.record([author('own-fox', {authorId: 'u-1', own: true})], 5000);
	t.is(store.likes.markUnseenUnliked(4000, 6000), 1);
	t.deepEqual(store.likes.counts(), {liked: 1, byOthers: 0, own: 1, unliked: 1});
	t.is(store.getJob('their-fox')?.id, 'their-fox', 'the job stays');
	t.is(readArchiveDb(store.dir, db => db.prepare('SELECT author_id FROM likes WHERE job_id = ?').pluck().get('their-fox')), 'u-2');
	t.is(store.likes.record([author('their-fox', {own: false})], 7000), 1, 'liked again');
	t.is(readArchiveDb(store.dir, db => db.prepare('SELECT liked_seen_at FROM likes WHERE job_id = ?').pluck().get('their-fox')), 7000);
});

test('liked:yes and liked:no filter ranked searches, filter-only searches, listings, counts and exports', t => {
	const store = archive(t);
	store.likes.record([author('their-fox', {authorId: 'u-2', own: false}), author('own-cat', {authorId: 'u-1', own: true})], 1000);
	t.deepEqual(ids(store.search('fox liked:yes')), ['their-fox']);
	t.deepEqual(ids(store.search('fox liked:no')), ['own-fox']);
	t.deepEqual(ids(store.search('LIKED:YES')), ['own-cat', 'their-fox'], 'a filter alone lists, case as typed');
	t.deepEqual(ids(store.search('liked:yes --ar 16:9')), ['their-fox']);
	t.deepEqual(ids(store.search('-fox liked:yes')), ['own-cat']);
	t.deepEqual(store.listJobs({filter: {liked: true}, limit: 10}).map(listed => listed.id), ['their-fox', 'own-cat'], 'newest first');
	t.is(store.countJobs({liked: false}), 2);
	t.is(store.countJobs({}), 4);
	const exported = [...store.exports.recordPages({filter: {liked: true}})].flat();
	t.deepEqual(exported.map(record => [record.id, record.liked]), [['their-fox', 1], ['own-cat', 1]]);
	const searched = [...store.exports.recordPages({query: 'fox', filter: {liked: false}})].flat();
	t.deepEqual(searched.map(record => [record.id, record.liked]), [['own-fox', 0]]);
});

test("the likes never replace the listing's own JSON for a job; they do replace what files told", t => {
	const store = archive(t);
	const result = store.upsertJobs([{...job('own-fox', 'a red fox in snow --ar 16:9', 1), liked_by_user: true, user_id: 'u-1'}], 'likes');
	t.like(result, {updated: 0, unchanged: 1});
	t.is(store.getJob('own-fox')?.raw.liked_by_user, undefined);
	store.upsertJobs([job('from-file', 'a file', 9)], 'import');
	t.like(store.upsertJobs([{...job('from-file', 'a file --v 7', 9), user_id: 'u-3'}], 'likes'), {updated: 1});
	t.like(store.upsertJobs([job('their-fox', 'a fox under the aurora --ar 16:9 --v 7', 4)], 'api'), {updated: 1}, 'the listing wins over the likes');
});
