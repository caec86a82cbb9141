/**
 * The family tree `mj-tui tree` prints, built from a real archive: the root
 * is the farthest ancestor (or the id of one the archive lacks), every
 * descendant hangs under its own parent, a cycle becomes one marked leaf, and
 * a family 10,000 generations deep builds and prints without recursion. Also
 * the words for what a job is to its parent.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import {treeJsonText, treeLines} from '../../source/commands/tree.js';
import {ArchiveStore} from '../../source/core/archive/store.js';
import type {ApiJob} from '../../source/core/job.js';
import {familyTree, nodeId, relationOf, type FamilyNode} from '../../source/core/lineage-tree.js';

function openTemporary(t: {teardown(fn: () => void): void}, jobs: ApiJob[]): ArchiveStore {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-lineage-tree-'));
	const store = ArchiveStore.open(dir);
	store.upsertJobs(jobs);
	t.teardown(() => {
		store.close();
		fs.rmSync(dir, {recursive: true, force: true});
	});
	return store;
}

function job(id: string, minutes: number, parent: string | null, fields: Partial<ApiJob> = {}): ApiJob {
	return {id, enqueue_time: new Date(Date.UTC(2026, 0, 1) + minutes * 60_000).toISOString(), full_command: `the prompt of ${id}`, job_type: 'v7_diffusion', event_type: parent ? 'variation' : 'diffusion', parent_id: parent, parent_grid: parent ? 1 : null, ...fields};
}

/** The tree as `id(child, child)` text, children in order. */
function shape(node: FamilyNode): string {
	const mark = node.kind === 'missing' ? '?' : node.kind === 'cycle' ? '↺' : '';
	return `${mark}${nodeId(node)}${node.children.length > 0 ? `(${node.children.map(shape).join(', ')})` : ''}`;
}

test('the tree starts at the root grid and holds every descendant under its own parent', t => {
	const store = openTemporary(t, [
		job('root', 0, null),
		job('v1', 10, 'root'),
		job('v2', 5, 'root'),
		job('up', 20, 'v1', {job_type: 'v7_upscale', event_type: 'upscale', parent_grid: '3'}),
		job('elsewhere', 1, null),
	]);
	for (const asked of ['root', 'v1', 'up']) {
		const tree = familyTree(store.lineage, asked)!;
		t.is(shape(tree.root), 'root(v2, v1(up))', `asked for ${asked}`);
		t.is(tree.size, 4);
		t.is(tree.depth, 2);
	}
	t.is(familyTree(store.lineage, 'nope'), undefined, 'an id the archive lacks has no tree');
	const lines = treeLines(familyTree(store.lineage, 'v1')!.root, 'v1', undefined);
	t.deepEqual(lines.map(line => line.replace(/ · \d{4}-.*?(?= · v7)/, '')), [
		'grid · v7_diffusion · root · the prompt of root',
		'├─ variation of #1 · v7_diffusion · v2 · the prompt of v2',
		'└─ variation of #1 · v7_diffusion · v1 ◀ · the prompt of v1',
		'   └─ upscale of #3 · v7_upscale · up · the prompt of up',
	]);
	const json = JSON.parse(treeJsonText(familyTree(store.lineage, 'up')!.root, 'up')) as {id: string; kind: string; children: Array<{id: string; children: Array<{id: string; asked?: boolean; parent_grid: number; kind: string}>}>};
	t.is(json.id, 'root');
	t.is(json.kind, 'grid');
	t.deepEqual(json.children.map(child => child.id), ['v2', 'v1']);
	t.like(json.children[1]!.children[0], {id: 'up', asked: true, parent_grid: 3, kind: 'upscale'});
});

test('a root the archive lacks heads the tree by its id; its other children are there too', t => {
	const store = openTemporary(t, [job('a', 0, 'gone'), job('b', 1, 'gone'), job('a1', 2, 'a')]);
	const tree = familyTree(store.lineage, 'a1')!;
	t.is(shape(tree.root), '?gone(a(a1), b)');
	t.is(tree.size, 3, 'the missing root is not counted as a job');
	t.is(treeLines(tree.root, 'a1', 80)[0], 'gone · not in archive');
	t.like(JSON.parse(treeJsonText(tree.root, 'a1')), {id: 'gone', archived: false});
});

test('a cycle in bad data becomes one marked leaf; nothing loops', t => {
	const store = openTemporary(t, [job('a', 0, 'b'), job('b', 1, 'a'), job('c', 2, 'a'), job('self', 3, 'self')]);
	t.is(shape(familyTree(store.lineage, 'c')!.root), 'b(a(↺b, c))');
	t.is(shape(familyTree(store.lineage, 'a')!.root), 'b(a(↺b, c))');
	const self = familyTree(store.lineage, 'self')!;
	t.is(shape(self.root), 'self(↺self)');
	t.regex(treeLines(self.root, 'self', undefined).join('\n'), /└─ ↺ self · cycle: made from a job above it/);
	t.like(JSON.parse(treeJsonText(self.root, 'self')).children[0], {id: 'self', cycle: true, children: []});
});

test('a family 10,000 generations deep builds, prints and writes JSON without running out of stack', t => {
	const depth = 10_000;
	const store = openTemporary(t, Array.from({length: depth + 1}, (_, index) => job(`g${index}`, index, index === 0 ? null : `g${index - 1}`)));
	const tree = familyTree(store.lineage, `g${depth / 2}`)!;
	t.is(tree.size, depth + 1);
	t.is(tree.depth, depth);
	const lines = treeLines(tree.root, `g${depth / 2}`, 200);
	t.is(lines.length, depth + 1);
	t.true(lines[24]!.startsWith(`${'   '.repeat(23)}└─ variation of #1`), 'the first 24 generations indent');
	t.true(lines.at(-1)!.startsWith(`${'   '.repeat(23)}[${depth}] └─ variation of #1`), `deeper ones say their generation: ${lines.at(-1)!.slice(0, 100)}`);
	t.true(lines.every(line => line.length <= 200), 'lines fit the width, however deep');
	const text = treeJsonText(tree.root, 'g0');
	t.is(text.match(/"children":\[/g)?.length, depth + 1);
	t.true(text.endsWith(`"children":[]}${']}'.repeat(depth)}`));
});

test('what a job is to its parent, from its event and job type', t => {
	const words = (eventType: string, jobType: string, isVideo = false, parentId: string | null = 'p') => relationOf({eventType, jobType, isVideo, parentId});
	t.is(words('upscale', 'v7_upscale_subtle'), 'upscale');
	t.is(words('diffusion_upsample_v7_2x_creative', 'v7_upscaler_2x_creative'), 'upscale');
	t.is(words('variation', 'v6_diffusion'), 'variation');
	t.is(words('pan', 'v7_diffusion'), 'pan');
	t.is(words('outpaint', 'v6_outpaint'), 'zoom');
	t.is(words('remix', 'v7_diffusion'), 'remix');
	t.is(words('inpaint', 'v7_inpaint'), 'vary region');
	t.is(words('video_diffusion', 'vid_1.1_i2v_480', true), 'video');
	t.is(words('video_extended', 'vid_1.1_i2v_extend_480', true), 'video extension');
	t.is(words('retexture', 'v7_retexture'), 'retexture', 'a type nobody told us about is shown as it is');
	t.is(words('diffusion', 'v7_diffusion', false, null), 'grid');
	t.is(words('draft', 'v7_draft_diffusion', false, null), 'draft grid');
});
