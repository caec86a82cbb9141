/**
 * Lineage queries on a real SQLite archive: a family built by hand (grid →
 * variation → upscales and a video, a parent the archive lacks, a cycle, a
 * job its own parent, a chain thousands of generations deep), and the stand-in's
 * generated families checked against a walk of the jobs themselves.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import {generateJobs} from '../../../fixtures/jobs.js';
import {ArchiveStore} from '../../../source/core/archive/store.js';
import type {ApiJob} from '../../../source/core/job.js';

function openTemporary(t: {teardown(fn: () => void): void}): ArchiveStore {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-archive-lineage-'));
	const store = ArchiveStore.open(dir);
	t.teardown(() => {
		store.close();
		fs.rmSync(dir, {recursive: true, force: true});
	});
	return store;
}

/** A job made `minutes` after 2026-01-01 from `parent` (image `grid`). */
function job(id: string, minutes: number, parent: string | null = null, grid: number | string | null = null, fields: Partial<ApiJob> = {}): ApiJob {
	return {
		id,
		enqueue_time: new Date(Date.UTC(2026, 0, 1) + minutes * 60_000).toISOString(),
		full_command: `prompt of ${id} --v 7`,
		job_type: parent ? 'v7_upscale' : 'v7_diffusion',
		event_type: parent ? 'upscale' : 'diffusion',
		parent_id: parent,
		parent_grid: grid,
		batch_size: parent ? 1 : 4,
		...fields,
	};
}

const family: ApiJob[] = [
	job('grid', 0),
	job('variation', 5, 'grid', '2', {job_type: 'v7_diffusion', event_type: 'variation', batch_size: 4}),
	job('upscale-late', 30, 'variation', 1),
	job('upscale-early', 10, 'variation', 3),
	job('video', 20, 'variation', 0, {job_type: 'vid_1.1_i2v_480', event_type: 'video_diffusion', video_segments: [121]}),
	job('orphan', 40, 'never-archived', 1),
	job('orphan-child', 50, 'orphan', 0),
];

test('member and children: what a family line shows, children oldest first', t => {
	const store = openTemporary(t);
	store.upsertJobs(family);
	const variation = store.lineage.member('variation')!;
	t.like(variation, {id: 'variation', parentId: 'grid', parentGrid: 2, jobType: 'v7_diffusion', eventType: 'variation', isVideo: false, prompt: 'prompt of variation'});
	t.is(variation.enqueuedAt, Date.UTC(2026, 0, 1, 0, 5));
	t.is(store.lineage.member('never-archived'), undefined);
	t.deepEqual(store.lineage.children('variation').map(child => child.id), ['upscale-early', 'video', 'upscale-late']);
	t.true(store.lineage.children('variation')[1]!.isVideo, 'the video job is marked as one');
	t.deepEqual(store.lineage.children('upscale-early'), []);
	t.deepEqual(store.lineage.children('never-archived').map(child => child.id), ['orphan'], 'children of a parent the archive lacks are found by its id');
});

test('ancestors: nearest first up to the root; a parent the archive lacks ends the walk as the last one', t => {
	const store = openTemporary(t);
	store.upsertJobs(family);
	t.deepEqual(store.lineage.ancestors('upscale-late').map(relative => [relative.id, relative.depth, relative.parentGrid]), [['variation', 1, 2], ['grid', 2, null]]);
	t.deepEqual(store.lineage.ancestors('grid'), []);
	t.deepEqual(store.lineage.ancestors('orphan-child').map(relative => [relative.id, relative.parentId]), [['orphan', 'never-archived'], ['never-archived', null]]);
});

test('descendants: every generation, nearest first, oldest first within one', t => {
	const store = openTemporary(t);
	store.upsertJobs(family);
	t.deepEqual(store.lineage.descendants('grid').map(relative => [relative.id, relative.depth]), [['variation', 1], ['upscale-early', 2], ['video', 2], ['upscale-late', 2]]);
	t.deepEqual(store.lineage.descendantMembers('grid').map(member => member.id).sort(), ['upscale-early', 'upscale-late', 'variation', 'video']);
});

test('cycles in bad data end every walk: each job is visited once', t => {
	const store = openTemporary(t);
	store.upsertJobs([job('a', 0, 'b'), job('b', 1, 'a'), job('c', 2, 'a'), job('self', 3, 'self')]);
	t.deepEqual(store.lineage.ancestors('c').map(relative => relative.id), ['a', 'b']);
	t.deepEqual(store.lineage.ancestors('a').map(relative => relative.id), ['b'], 'the walk stops before the job itself');
	t.deepEqual(store.lineage.descendants('a').map(relative => [relative.id, relative.depth]), [['b', 1], ['c', 1]]);
	t.deepEqual(store.lineage.descendantMembers('a').map(member => member.id).sort(), ['a', 'b', 'c'], 'a job in a cycle is among its own descendants, once');
	t.deepEqual(store.lineage.ancestors('self'), []);
	t.deepEqual(store.lineage.descendants('self'), []);
	t.deepEqual(store.lineage.children('self').map(child => child.id), ['self']);
});

test('a chain 5,000 generations deep is walked whole, both ways', t => {
	const store = openTemporary(t);
	const depth = 5000;
	store.upsertJobs(Array.from({length: depth + 1}, (_, index) => job(`g${index}`, index, index === 0 ? null : `g${index - 1}`, 0)));
	const ancestors = store.lineage.ancestors(`g${depth}`);
	t.is(ancestors.length, depth);
	t.is(ancestors.at(-1)!.id, 'g0');
	const descendants = store.lineage.descendants('g0');
	t.is(descendants.length, depth);
	t.deepEqual(descendants.at(-1), {id: `g${depth}`, parentId: `g${depth - 1}`, parentGrid: 0, depth});
});

test('the stand-in’s generated families: the queries agree with a walk over the jobs themselves', t => {
	const store = openTemporary(t);
	const jobs = generateJobs(300);
	store.upsertJobs(jobs);
	const byId = new Map(jobs.map(generated => [generated.id, generated]));
	const childrenOf = (id: string) => jobs.filter(generated => generated.parent_id === id).map(generated => generated.id);
	const withChildren = jobs.filter(generated => childrenOf(generated.id).length > 0);
	t.true(withChildren.length > 20, 'the stand-in makes families');
	t.true(jobs.some(generated => generated.parent_id && byId.get(generated.parent_id)?.parent_id), 'with grandchildren');
	const kinds = new Set(jobs.filter(generated => generated.parent_id).map(generated => generated.event_type));
	for (const kind of ['variation', 'upscale', 'pan', 'video_diffusion']) t.true(kinds.has(kind), `children of kind ${kind}`);
	for (const parent of withChildren) {
		t.deepEqual(store.lineage.children(parent.id).map(child => child.id).sort(), childrenOf(parent.id).sort());
		const expected: string[] = [];
		for (let generation = childrenOf(parent.id); generation.length > 0; generation = generation.flatMap(childrenOf)) expected.push(...generation);
		t.deepEqual(store.lineage.descendants(parent.id).map(relative => relative.id).sort(), expected.sort());
	}
});
