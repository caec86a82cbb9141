import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import {ArchiveStore} from '../../source/core/archive/store.js';
import {searchCommand} from '../../source/commands/search.js';
import {statsCommand, type ArchiveStats} from '../../source/commands/stats.js';
import type {Job} from '../../source/core/job.js';
import {readArchiveDb} from '../helpers/archive-db.js';
import {runCommand, runMjTui, syncedArchive, type ToolsArchive} from '../helpers/tools-archive.js';

let archive: ToolsArchive;
let jobs: Job[];

/** Model version as the archive derives it (from --v/--niji, else from job_type): what `--v 7` filters on. */
let versionOf: (job: Job) => string | null;

test.before(async () => {
	archive = await syncedArchive(60);
	jobs = [...archive.store.iterateJobs()];
	const versions = new Map(readArchiveDb(archive.dir, db => db.prepare('SELECT id, model_version FROM jobs').raw().all()) as Array<[string, string | null]>);
	versionOf = job => versions.get(job.id) ?? null;
});
const isV7 = (job: Job) => versionOf(job) === '7' || Boolean(versionOf(job)?.startsWith('7.'));
test.after.always(async () => archive?.close());

const search = (argv: string[]) => runCommand(searchCommand, argv, archive.config);
const jsonLines = (stdout: string) => stdout.trim().split('\n').filter(Boolean).map(line => JSON.parse(line) as {id: string; job_type: string; event_type: string; full_command: string; parameters: Record<string, string | true>});
const idsOf = (list: ReadonlyArray<{id: string}>) => list.map(item => item.id).sort();
const hasWord = (job: Job, word: string) => new RegExp(`\\b${word}\\b`, 'i').test(job.prompt);

test('the table shows matching jobs with hostile prompts stripped of terminal controls', async t => {
	const result = await search(['harbour', 'OR', 'alert', 'OR', 'fox']);
	t.is(result.code, 0);
	const lines = result.stdout.trimEnd().split('\n');
	t.regex(lines[0]!, /^DATE\s+TYPE\s+ID\s+PROMPT$/);
	const expected = jobs.filter(job => hasWord(job, 'harbour') || hasWord(job, 'alert') || hasWord(job, 'fox'));
	t.true(expected.length >= 3);
	t.is(lines.length - 1, expected.length);
	for (const job of expected) t.true(lines.some(line => line.includes(job.id)), `row for ${job.id}`);
	// The stand-in's hostile prompts carry OSC/CSI sequences, BEL and bidi overrides: none may reach the terminal.
	t.notRegex(result.stdout, /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E]/);
	t.true(lines.some(line => line.includes('a quiet harbour at dawn')));
	t.true(lines.some(line => line.includes('<script>alert(1)</script>')), 'HTML is plain text in a terminal');
});

test('--json prints one object per hit with the full command', async t => {
	const result = await search(['fox', '--json']);
	t.is(result.code, 0);
	const hits = jsonLines(result.stdout);
	const expected = jobs.filter(job => hasWord(job, 'fox'));
	t.deepEqual(idsOf(hits), idsOf(expected));
	for (const hit of hits) t.is(hit.full_command, jobs.find(job => job.id === hit.id)!.fullCommand);
});

test('parameter filters work as flags and inside the query, alike', async t => {
	const withAr = jobs.filter(job => job.parameters.ar === '16:9');
	t.true(withAr.length > 0, 'the stand-in has 16:9 jobs');
	const asFlags = jsonLines((await search(['--ar', '16:9', '--json', '--limit', '1000'])).stdout);
	const inQuery = jsonLines((await search(['--ar 16:9', '--json', '--limit', '1000'])).stdout);
	t.deepEqual(idsOf(asFlags), idsOf(withAr));
	t.deepEqual(inQuery.map(hit => hit.id), asFlags.map(hit => hit.id));

	const strong = jobs.filter(job => Number(job.parameters.stylize) > 250);
	t.true(strong.length > 0 && strong.length < jobs.length);
	const stylized = jsonLines((await search(['--stylize', '>250', '--json', '--limit', '1000'])).stdout);
	t.deepEqual(idsOf(stylized), idsOf(strong));

	const word = 'studio';
	const both = jobs.filter(job => hasWord(job, word) && isV7(job));
	const mixed = jsonLines((await search([word, '--v', '7', '--json', '--limit', '1000'])).stdout);
	t.deepEqual(idsOf(mixed), idsOf(both));
});

test('--type, --since and --limit narrow the results', async t => {
	const upscales = jobs.filter(job => job.eventType === 'upscale' || job.jobType === 'upscale');
	t.true(upscales.length > 0);
	const typed = jsonLines((await search(['--type', 'upscale', '--v', '7', '--json', '--limit', '1000'])).stdout);
	t.deepEqual(idsOf(typed), idsOf(upscales.filter(isV7)));

	const dated = jobs.filter(job => job.enqueuedAt !== null).sort((a, b) => b.enqueuedAt! - a.enqueuedAt!);
	const cut = dated[9]!.enqueuedAt!;
	const recent = jsonLines((await search(['--ar', '16:9', '--since', new Date(cut).toISOString(), '--json'])).stdout);
	t.deepEqual(idsOf(recent), idsOf(jobs.filter(job => job.enqueuedAt !== null && job.enqueuedAt >= cut && job.parameters.ar === '16:9')));

	const limited = jsonLines((await search(['--ar', '16:9', '--json', '--limit', '2'])).stdout);
	t.is(limited.length, 2);
});

test('over 5,000 matches, only the newest are ranked unless --rank-all, and the table says so', async t => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-search-window-'));
	const store = ArchiveStore.open(dir);
	const started = Date.UTC(2025, 0, 1);
	// 5,001 owl prompts; only the oldest is a bare "owl", which bm25 ranks first (shortest document).
	const owls = Array.from({length: 5001}, (_, index) => ({
		id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
		enqueue_time: new Date(started + index * 60_000).toISOString(),
		full_command: index === 0 ? 'owl' : `a grey owl on branch number ${index} in the quiet forest at dusk`,
		job_type: 'v7_diffusion', event_type: 'diffusion', parent_id: null, parent_grid: null, batch_size: 4,
		width: 1024, height: 1024, rating: null, published: true, shown: true, user_hidden: false,
	}));
	store.upsertJobs(owls);
	store.close();
	const config = {...archive.config, archive: dir};

	const windowed = await runCommand(searchCommand, ['owl', '--limit', '3'], config);
	t.is(windowed.code, 0);
	t.false(windowed.stdout.includes(owls[0]!.id), 'the oldest match is outside the newest 5,000');
	t.regex(windowed.stderr, /Ranked the newest 5,000 matches; --rank-all ranks every match/);

	const all = await runCommand(searchCommand, ['owl', '--limit', '3', '--rank-all'], config);
	t.is(all.code, 0);
	t.true(all.stdout.split('\n')[1]!.includes(owls[0]!.id), 'ranked over every match, the bare "owl" comes first');
	t.is(all.stderr, '');
});

test('bad input is a usage error that says what is wrong', async t => {
	const empty = await search([]);
	t.is(empty.code, 64);
	t.regex(empty.error!.message, /no query/);
	const limit = await search(['fox', '--limit', 'lots']);
	t.is(limit.code, 64);
	t.regex(limit.error!.message, /--limit "lots"/);
	const since = await search(['fox', '--since', 'yesterday-ish']);
	t.is(since.code, 64);
	t.regex(since.error!.message, /--since/);
	const missing = await runCommand(searchCommand, ['fox'], {...archive.config, archive: `${archive.dir}/nowhere`});
	t.is(missing.code, 78);
	t.regex(missing.error!.message, /no archive at .*nowhere/);
});

test('the real CLI routes search and stats with global flags after the subcommand', async t => {
	const result = await runMjTui(['search', 'fox', '--archive', archive.dir, '--json'], archive.dir);
	t.is(result.code, 0, result.stderr);
	t.deepEqual(idsOf(jsonLines(result.stdout)), idsOf(jobs.filter(job => hasWord(job, 'fox'))));
	const stats = await runMjTui(['stats', '--archive', archive.dir, '--json'], archive.dir);
	t.is(stats.code, 0, stats.stderr);
	t.is((JSON.parse(stats.stdout) as ArchiveStats).jobs, jobs.length);
	const unknown = await runMjTui(['stats', '--archive', archive.dir, '--jsno'], archive.dir);
	t.is(unknown.code, 64);
	t.regex(unknown.stderr, /--jsno/);
});

test('stats count jobs by month, type and version, parameters and words, and completeness', async t => {
	const result = await runCommand(statsCommand, ['--json'], archive.config);
	t.is(result.code, 0);
	const stats = JSON.parse(result.stdout) as ArchiveStats;
	const totals = archive.store.totals();
	t.is(stats.jobs, jobs.length);
	t.is(stats.images, totals.images);
	t.is(stats.completeness, 1);
	t.is(stats.jobsComplete, jobs.length);
	t.is(stats.bytes.images, totals.bytesOnDisk);
	t.is(stats.byMonth.reduce((sum, row) => sum + row.jobs, 0), jobs.length);
	t.is(stats.byMonth.reduce((sum, row) => sum + row.images, 0), totals.imagesDone);
	const month = (job: Job) => (job.enqueuedAt === null ? '(no date)' : new Date(job.enqueuedAt).toISOString().slice(0, 7));
	for (const row of stats.byMonth) t.is(row.jobs, jobs.filter(job => month(job) === row.month).length, row.month);
	const v7 = stats.byModelVersion.find(row => row.name === '7');
	t.is(v7?.jobs, readArchiveDb(archive.dir, db => db.prepare(`SELECT count(*) FROM jobs WHERE model_version = '7'`).pluck().get()) as number);
	const ar = stats.parameters.find(row => row.name === 'ar');
	t.is(ar?.jobs, jobs.filter(job => job.parameters.ar !== undefined).length);
	const arCounts = new Map<string, number>();
	for (const job of jobs) if (typeof job.parameters.ar === 'string') arCounts.set(job.parameters.ar, (arCounts.get(job.parameters.ar) ?? 0) + 1);
	t.is(ar?.topValues[0]?.jobs, Math.max(...arCounts.values()));
	t.true(stats.words.length > 0);
	t.false(stats.words.some(row => ['the', 'and', 'of', 'a'].includes(row.word)));
	const top = stats.words[0]!;
	t.is(top.jobs, jobs.filter(job => hasWord(job, top.word)).length, `"${top.word}" counted per job`);

	const human = await runCommand(statsCommand, [], archive.config);
	t.regex(human.stdout, new RegExp(`^${jobs.length} jobs, ${totals.images} images`));
	t.regex(human.stdout, /100\.0% complete/);
});
