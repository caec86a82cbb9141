/**
 * `mj-tui mcp` as an MCP client sees it: the SDK's own Client over stdio
 * spawning the installed binary on a real synced and downloaded stand-in
 * archive. Every tool is called and checked against the stand-in's own data;
 * a file resource's bytes are checked against the archive's sha256.
 */
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import {Client} from '@modelcontextprotocol/sdk/client/index.js';
import {StdioClientTransport} from '@modelcontextprotocol/sdk/client/stdio.js';
import type {StandInJob} from '../../fixtures/jobs.js';
import type {ApiJob} from '../../source/core/job.js';
import {MidjourneyClient} from '../../source/core/midjourney/client.js';
import {syncJobs} from '../../source/core/sync.js';
import {builtBin, runBin, sandbox} from '../helpers/cli-io.js';
import {syncedArchive, type ToolsArchive} from '../helpers/tools-archive.js';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
/** A secret in the server's environment: it must never come back in any answer. */
const planted = 'eyJhbGciOiJIUzI1NiJ9.mcp-planted-token.c2VjcmV0LXNpZ25hdHVyZQ';

let archive: ToolsArchive;
let client: Client;
let serverStderr = '';
const answers: string[] = [];

test.before(async t => {
	if (!fs.existsSync(builtBin)) t.fail(`${builtBin} is missing: run npm run build (npm test does) first`);
	archive = await syncedArchive(36);
	// The stand-in's families are one generation deep: hang a job under an upscale for a three-generation line.
	const jobs = archive.standIn.jobs();
	const upscale = jobs.find(job => job.parent_id && jobs.some(parent => parent.id === job.parent_id))!;
	const loner = jobs.find(job => !job.parent_id && job.id !== upscale.parent_id && !jobs.some(child => child.parent_id === job.id))!;
	archive.standIn.updateJob(loner.id, {parent_id: upscale.id, parent_grid: null});
	const resync = new MidjourneyClient(archive.config);
	await syncJobs(archive.store, resync, {full: true, pagePauseMs: 0});
	await resync.close();
	const box = sandbox();
	const transport = new StdioClientTransport({
		command: process.execPath,
		args: [builtBin, 'mcp', '--archive', archive.dir],
		cwd: box.project,
		env: {...box.env, PATH: process.env.PATH ?? '', MJ_TUI_TOKEN: planted},
		stderr: 'pipe',
	});
	transport.stderr?.on('data', chunk => (serverStderr += String(chunk)));
	client = new Client({name: 'mj-tui-test', version: '0'});
	await client.connect(transport);
});

test.after.always(async () => {
	await client?.close();
	await archive?.close();
});

async function call(name: string, args: Record<string, unknown> = {}): Promise<{isError: boolean; text: string}> {
	const result = await client.callTool({name, arguments: args});
	const text = (result.content as Array<{type: string; text?: string}>).map(part => part.text ?? '').join('');
	answers.push(text);
	return {isError: Boolean(result.isError), text};
}

async function callJson<T>(name: string, args: Record<string, unknown> = {}): Promise<T> {
	const {isError, text} = await call(name, args);
	if (isError) throw new Error(`${name} failed: ${text}`);
	return JSON.parse(text) as T;
}

function upstream(): readonly StandInJob[] {
	return archive.standIn.jobs();
}

test.serial('lists exactly the read-only tools', async t => {
	const {tools} = await client.listTools();
	t.deepEqual(tools.map(tool => tool.name).sort(), ['archive_stats', 'get_job', 'job_family', 'search_prompts', 'similar_images']);
	for (const tool of tools) t.is(tool.annotations?.readOnlyHint, true, tool.name);
});

test.serial('search_prompts speaks the search query language: words, exclusion and parameter filters', async t => {
	const withWide = upstream().find(job => /--ar 16:9/.test(job.full_command))!;
	// Only the prompt is indexed, not the parameters (`--no people` holds words too).
	const promptOf = (job: StandInJob) => job.full_command.split(/\s--/)[0]!;
	const word = promptOf(withWide).split(/[\s,]+/).find(candidate => /^[a-z]{5,}$/.test(candidate))!;
	const {hits} = await callJson<{hits: Array<{id: string; full_command: string; parameters: Record<string, string>; images: string[]}>}>('search_prompts', {query: `${word} --ar 16:9`, limit: 50});
	const expected = upstream().filter(job => new RegExp(`\\b${word}\\b`, 'i').test(promptOf(job)) && /--ar 16:9(\s|$)/.test(job.full_command)).map(job => job.id);
	t.deepEqual(hits.map(hit => hit.id).sort(), [...expected].sort());
	t.true(hits.some(hit => hit.id === withWide.id));
	for (const hit of hits) t.true(hit.images.every(uri => uri.startsWith(`mj-tui://job/${hit.id}/`)), hit.id);

	const excluded = await callJson<{hits: Array<{prompt: string}>}>('search_prompts', {query: `--ar 16:9 -${word}`, limit: 200});
	t.true(excluded.hits.length > 0);
	for (const hit of excluded.hits) t.false(new RegExp(`\\b${word}\\b`, 'i').test(hit.prompt), hit.prompt);
});

test.serial('a bad filter is a tool error naming it, not a protocol failure', async t => {
	const {isError, text} = await call('search_prompts', {query: 'lighthouse', since: 'the day before yesterday'});
	t.true(isError);
	t.regex(text, /--since/);
	const missing = await call('get_job', {id: 'no-such-job'});
	t.true(missing.isError);
	t.regex(missing.text, /no job "no-such-job"/);
});

test.serial('get_job returns the archived job and its files; a file resource carries the archived bytes', async t => {
	const job = upstream().find(candidate => candidate.batch_size === 4 && !candidate.job_type.startsWith('vid'))!;
	const answer = await callJson<{id: string; full_command: string; raw: ApiJob; images: Array<{uri: string; index: number; mimeType: string; sha256: string; path: string}>}>('get_job', {id: job.id});
	t.is(answer.full_command, job.full_command);
	t.is(answer.raw.enqueue_time, job.enqueue_time);
	t.deepEqual(answer.images.map(image => image.index), [0, 1, 2, 3]);

	const image = answer.images[2]!;
	t.is(image.uri, `mj-tui://job/${job.id}/2`);
	t.is(image.mimeType, 'image/png');
	const {contents} = await client.readResource({uri: image.uri});
	t.is(contents.length, 1);
	const content = contents[0] as {uri: string; mimeType?: string; blob?: string};
	t.is(content.mimeType, 'image/png');
	const bytes = Buffer.from(content.blob!, 'base64');
	const [row] = archive.store.files.doneOfJob(job.id).filter(file => file.index === 2);
	t.is(sha256(bytes), row!.sha256 ?? 'no hash recorded');
	t.is(sha256(bytes), sha256(archive.standIn.fileBytes(`/${job.id}/0_2.png`)));
	t.is(sha256(bytes), sha256(fs.readFileSync(path.join(archive.dir, image.path))));

	await t.throwsAsync(client.readResource({uri: `mj-tui://job/${job.id}/9`}), {message: /no downloaded file/});
	const {resources} = await client.listResources();
	t.true(resources.length > 0);
	t.true(resources.every(resource => resource.uri.startsWith('mj-tui://job/') && resource.mimeType !== undefined));
});

test.serial('job_family walks parent_id up to the root and down through every descendant', async t => {
	const byId = new Map(upstream().map(job => [job.id, job]));
	const children = (id: string) => upstream().filter(job => job.parent_id === id).map(job => job.id);
	const grandchild = upstream().find(job => job.parent_id && byId.get(job.parent_id)?.parent_id)!;
	const middle = byId.get(grandchild.parent_id!)!;
	const root = byId.get(middle.parent_id!)!;
	for (const job of [grandchild, middle, root]) {
		const ancestors: string[] = [];
		for (let parent = job.parent_id; parent; parent = byId.get(parent)?.parent_id ?? null) ancestors.push(parent);
		const descendants: string[] = [];
		for (let generation = children(job.id); generation.length > 0; generation = generation.flatMap(children)) descendants.push(...generation);

		const family = await callJson<{root: string; ancestors: Array<{id: string; depth: number}>; descendants: Array<{id: string; depth: number}>}>('job_family', {id: job.id});
		t.deepEqual(family.ancestors.map(relative => relative.id), ancestors, job.id);
		t.deepEqual(family.ancestors.map(relative => relative.depth), ancestors.map((_, i) => i + 1));
		t.deepEqual(family.descendants.map(relative => relative.id).sort(), [...descendants].sort(), job.id);
		t.is(family.root, root.id);
	}
	const fromRoot = await callJson<{descendants: Array<{id: string; depth: number}>}>('job_family', {id: root.id});
	t.is(fromRoot.descendants.find(relative => relative.id === grandchild.id)?.depth, 2);
});

test.serial('similar_images finds the upscale of a grid image by its picture, with a readable resource URI', async t => {
	const byId = new Map(upstream().map(job => [job.id, job]));
	const upscale = upstream().find(job => job.event_type === 'upscale' && job.parent_id && byId.has(job.parent_id) && Number.isInteger(Number(job.parent_grid)))!;
	t.truthy(upscale, 'the stand-in has an upscale of an archived grid');
	const answer = await callJson<{compared: Array<{index: number; hash: string}>; max_distance: number; similar: Array<{distance: number; job_id: string; index: number; uri: string; prompt: string}>}>('similar_images', {id: upscale.parent_id, index: Number(upscale.parent_grid), max_distance: 8});
	t.deepEqual(answer.compared.map(image => image.index), [Number(upscale.parent_grid)]);
	t.regex(answer.compared[0]!.hash, /^[\da-f]{16}$/);
	t.is(answer.max_distance, 8);
	const found = answer.similar.find(image => image.job_id === upscale.id);
	t.truthy(found, JSON.stringify(answer.similar));
	t.true(found!.distance <= 8);
	t.is(found!.uri, `mj-tui://job/${upscale.id}/0`);
	t.deepEqual(answer.similar.map(image => image.distance), answer.similar.map(image => image.distance).sort((a, b) => a - b));
	const {contents} = await client.readResource({uri: found!.uri});
	t.is(sha256(Buffer.from((contents[0] as {blob: string}).blob, 'base64')), sha256(archive.standIn.fileBytes(`/${upscale.id}/0_0.png`)));
	const unknown = await call('similar_images', {id: 'no-such-job'});
	t.true(unknown.isError);
	t.regex(unknown.text, /no job "no-such-job"/);
});

test.serial('archive_stats counts what the stand-in served and the engine downloaded', async t => {
	const stats = await callJson<{jobs: number; imagesDone: number; completeness: number}>('archive_stats');
	t.is(stats.jobs, upstream().length);
	const downloaded = upstream().flatMap(job => archive.standIn.filePaths(job.id)).filter(cdnPath => !cdnPath.endsWith('.mp4'));
	t.is(stats.imagesDone, downloaded.length);
	t.is(stats.completeness, 1);
});

test.serial('no answer and no log line carries the token from the environment', t => {
	t.true(answers.length >= 6);
	for (const text of [...answers, serverStderr]) t.false(text.includes(planted));
	t.false(answers.join('').includes('mcp-planted-token'));
});

test('the server ends, exit 0 and nothing on stdout, when its client closes stdin at once', async t => {
	const box = sandbox();
	// runBin gives the child an empty stdin: a client that connects and leaves.
	const result = await runBin(['mcp', '--archive', archive.dir], {cwd: box.project, env: box.env});
	t.is(result.code, 0, result.stderr);
	t.is(result.stdout, '');
});

test('without an archive, mcp exits 78 naming the folder instead of serving nothing', async t => {
	const box = sandbox();
	const result = await runBin(['mcp', '--archive', `${box.root}/nowhere`], {cwd: box.project, env: box.env});
	t.is(result.code, 78);
	t.regex(result.stderr, /no archive at .*nowhere/);
	t.is(result.stdout, '');
});

test.serial('search_prompts understands liked:yes and liked:no (the likes a --likes sync records)', async t => {
	const [first, second] = upstream().filter(job => job.batch_size > 0);
	archive.store.likes.record([first, second].map(job => ({jobId: job.id, authorId: 'u-1', authorName: null, authorUsername: null, own: true})), Date.now());
	const {hits} = await callJson<{hits: Array<{id: string}>}>('search_prompts', {query: 'liked:yes', limit: 50});
	t.deepEqual(hits.map(hit => hit.id).sort(), [first.id, second.id].sort());
	const others = await callJson<{hits: Array<{id: string}>}>('search_prompts', {query: 'liked:no', limit: 200});
	t.is(others.hits.length, archive.store.countJobs() - 2);
	t.false(others.hits.some(hit => hit.id === first.id || hit.id === second.id));
});
