/**
 * `mj-tui tree` through the installed binary (dist/bin/cli.js as a child
 * process) on an archive synced from the stand-in: the text tree and the
 * nested JSON agree with the families the stand-in served; bad data brought
 * in by `import --responses` (a cycle, a parent never archived, a chain 1,500
 * generations deep) prints and ends; an unknown id exits 65, no id 64.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import type {StandInJob} from '../../fixtures/jobs.js';
import {startStandIn} from '../../fixtures/stand-in.js';
import type {StandIn} from '../../fixtures/types.js';
import {builtBin, runBin, sandbox, type Sandbox} from '../helpers/cli-io.js';
import {standInEnv} from '../helpers/mj-setup.js';

interface TreeJson {
	id: string;
	archived: boolean;
	asked?: boolean;
	cycle?: boolean;
	kind?: string;
	parent_id?: string | null;
	parent_grid?: number | null;
	children: TreeJson[];
}

let standIn: StandIn;
let box: Sandbox;
let archive: string;

test.before(async t => {
	if (!fs.existsSync(builtBin)) t.fail(`${builtBin} is missing: run npm run build (npm test does) first`);
	standIn = await startStandIn({jobs: 120});
	box = sandbox();
	archive = path.join(box.root, 'archive');
	const sync = await runBin(['--batch', '--no-download', '--json', '--archive', archive], {cwd: box.project, env: {...box.env, ...standInEnv(standIn)}});
	if (sync.code !== 0) throw new Error(`the set-up sync failed (${sync.code}): ${sync.stderr}`);
});
test.after.always(async () => {
	await standIn?.close();
	if (box) fs.rmSync(box.root, {recursive: true, force: true});
});

const tree = (...args: string[]) => runBin(['tree', ...args, '--archive', archive], {cwd: box.project, env: box.env});

/** The family of `id` as the stand-in served it: the root's id and each job's parent. */
function servedFamily(jobs: readonly StandInJob[], id: string) {
	const byId = new Map(jobs.map(job => [job.id, job]));
	let root = id;
	while (byId.get(root)?.parent_id) root = byId.get(root)!.parent_id!;
	const members = new Map<string, string | null>([[root, null]]);
	for (let generation = [root]; generation.length > 0;) {
		generation = jobs.filter(job => job.parent_id && generation.includes(job.parent_id)).map(job => job.id);
		for (const child of generation) members.set(child, byId.get(child)!.parent_id);
	}
	return {root, members};
}

function flatten(node: TreeJson, parent: string | null = null, into = new Map<string, {parent: string | null; node: TreeJson}>()) {
	into.set(node.id, {parent, node});
	for (const child of node.children) flatten(child, node.id, into);
	return into;
}

test.serial('text and JSON trees hold the whole family the stand-in served, each job under its parent', async t => {
	const jobs = standIn.jobs();
	const grandchild = jobs.find(job => job.parent_id && jobs.find(other => other.id === job.parent_id)?.parent_id)!;
	const {root, members} = servedFamily(jobs, grandchild.id);
	t.true(members.size >= 3);

	const text = await tree(grandchild.id);
	t.is(text.code, 0, text.stderr);
	const lines = text.stdout.trimEnd().split('\n');
	t.is(lines.length, members.size, text.stdout);
	t.true(lines[0]!.includes(root) && !/^[├└│ ]/.test(lines[0]!), `the root heads the tree:\n${text.stdout}`);
	t.regex(lines[0]!, /^(grid|draft grid) · \d{4}-\d\d-\d\d \d\d:\d\d · /);
	for (const [id, parent] of members) {
		const index = lines.findIndex(line => line.includes(id));
		t.not(index, -1, `${id} is in the tree`);
		if (parent === null) continue;
		// Its parent is the nearest line above it that is one level less indented.
		const indent = (line: string) => /^[│├└─ ]*/.exec(line)![0].length;
		const above = lines.slice(0, index).reverse().find(line => indent(line) < indent(lines[index]!));
		t.true(above?.includes(parent), `${id} hangs under ${parent}:\n${text.stdout}`);
	}
	const asked = lines.filter(line => line.includes('◀'));
	t.is(asked.length, 1);
	t.true(asked[0]!.includes(grandchild.id));
	t.regex(asked[0]!, new RegExp(`(upscale|variation|video|video extension|pan) (of #${grandchild.parent_grid ?? ''})?`));
	t.regex(text.stderr, new RegExp(`^${members.size} jobs in \\d+ generations\\n$`));

	const json = await tree(grandchild.id, '--json');
	t.is(json.code, 0, json.stderr);
	t.is(json.stdout.trim().split('\n').length, 1, 'one line of JSON');
	const answer = JSON.parse(json.stdout) as {job: string; root: string; jobs: number; generations: number; tree: TreeJson};
	t.like(answer, {job: grandchild.id, root, jobs: members.size});
	const nodes = flatten(answer.tree);
	t.deepEqual([...nodes.keys()].sort(), [...members.keys()].sort());
	for (const [id, {parent, node}] of nodes) {
		t.is(parent, members.get(id) ?? null, `${id}'s parent`);
		t.is(node.parent_id ?? null, members.get(id) ?? null);
		t.true(node.archived);
	}
	t.true(nodes.get(grandchild.id)!.node.asked);
	t.is(nodes.get(grandchild.id)!.node.parent_grid, grandchild.parent_grid === null ? null : Number(grandchild.parent_grid));
});

test.serial('bad data from saved responses: a cycle, a parent never archived and a very deep chain all print and end', async t => {
	const job = (id: string, parent: string | null, minute: number) => ({id, enqueue_time: new Date(Date.UTC(2026, 5, 1) + minute * 60_000).toISOString(), full_command: `saved ${id} --v 7`, job_type: 'v7_upscale', event_type: 'upscale', parent_id: parent, parent_grid: 0, batch_size: 1});
	const deep = 1500;
	const data = [
		job('cycle-a', 'cycle-b', 0),
		job('cycle-b', 'cycle-a', 1),
		job('orphan', 'parent-never-seen', 2),
		...Array.from({length: deep + 1}, (_, index) => job(`deep-${index}`, index === 0 ? null : `deep-${index - 1}`, 10 + index)),
	];
	const saved = path.join(box.root, 'pages.json');
	fs.writeFileSync(saved, JSON.stringify({data, cursor: null}));
	const imported = await runBin(['import', '--responses', saved, '--archive', archive], {cwd: box.project, env: box.env});
	t.is(imported.code, 0, imported.stderr);

	const cycle = await tree('cycle-a');
	t.is(cycle.code, 0, cycle.stderr);
	t.deepEqual(cycle.stdout.trimEnd().split('\n').map(line => line.replace(/ · .*$/, '')), ['upscale of #0', '└─ upscale of #0', '   └─ ↺ cycle-b']);
	const cycleJson = JSON.parse((await tree('cycle-a', '--json')).stdout) as {tree: TreeJson};
	t.like(cycleJson.tree.children[0]!.children[0], {id: 'cycle-b', cycle: true});

	const orphan = await tree('orphan', '--json');
	t.is(orphan.code, 0, orphan.stderr);
	t.like((JSON.parse(orphan.stdout) as {tree: TreeJson}).tree, {id: 'parent-never-seen', archived: false});
	t.regex((await tree('orphan')).stdout, /^parent-never-seen · not in archive\n└─ upscale of #0 · .* orphan ◀/);

	const deepText = await tree(`deep-${deep}`);
	t.is(deepText.code, 0, deepText.stderr);
	t.is(deepText.stdout.trimEnd().split('\n').length, deep + 1);
	t.regex(deepText.stdout.trimEnd().split('\n').at(-1)!, new RegExp(`\\[${deep}\\] └─ upscale of #0 · .* deep-${deep} ◀`));
	const deepJson = await tree('deep-0', '--json');
	t.is(deepJson.code, 0, deepJson.stderr);
	t.like(JSON.parse(deepJson.stdout), {root: 'deep-0', jobs: deep + 1, generations: deep + 1});
});

test.serial('an unknown id exits 65 naming it and the archive; no id is a usage error (64); stdout stays empty', async t => {
	const unknown = await tree('0a0a0a0a-no-such-job');
	t.is(unknown.code, 65);
	t.is(unknown.stdout, '');
	t.regex(unknown.stderr, /no job "0a0a0a0a-no-such-job" in the archive at .*archive/);
	const unknownJson = await tree('0a0a0a0a-no-such-job', '--json');
	t.is(unknownJson.code, 65);
	const none = await runBin(['tree', '--archive', archive], {cwd: box.project, env: box.env});
	t.is(none.code, 64);
	t.regex(none.stderr, /expected one job id/);
	const noArchive = await runBin(['tree', 'x', '--archive', path.join(box.root, 'nothing-here')], {cwd: box.project, env: box.env});
	t.is(noArchive.code, 78);
});
