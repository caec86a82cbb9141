/**
 * Likes through the installed binary: `--batch --likes --json` archives and
 * downloads the liked jobs (other people's too) with the archive invariants
 * holding, an up-to-date second run costs one likes request, `search
 * liked:yes` / `--liked` and `export --liked` select exactly the liked jobs,
 * `stats` counts them, sidecars read back with exiftool carry `liked`, and a
 * `--full` run after a like was withdrawn takes the mark (and the keyword) away.
 */
import {execFile} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {promisify} from 'node:util';
import test from 'ava';
import {startStandIn} from '../../fixtures/stand-in.js';
import type {StandIn} from '../../fixtures/types.js';
import type {BatchSummary} from '../../source/batch/run.js';
import {checkArchive, checkMatchesStandIn, tokenStateDir} from '../helpers/archive-invariants.js';
import {readArchiveDb} from '../helpers/archive-db.js';
import {lastJsonLine} from '../helpers/bin-run.js';
import {builtBin, runBin, sandbox, type Sandbox} from '../helpers/cli-io.js';
import {standInBaseEnv} from '../helpers/mj-setup.js';

let standIn: StandIn;
let box: Sandbox;
let archiveDir: string;

async function mjTui(args: string[]) {
	const result = await runBin(args, {cwd: box.project, env: {...box.env, ...standInBaseEnv(standIn), MJ_TUI_ARCHIVE: archiveDir}});
	return {...result, json: lastJsonLine(result.stdout)};
}

const likesRequests = () => standIn.requests().filter(entry => entry.path.startsWith('/api/explore-likes')).length;
const sorted = (ids: Iterable<string>) => [...ids].sort();
const likedIds = () => sorted(standIn.likedJobs().map(job => job.id));

async function subjects(xmpFile: string): Promise<{subject: unknown[]; hierarchy: unknown[]}> {
	const {stdout} = await promisify(execFile)('exiftool', ['-json', '-XMP:all', xmpFile]);
	const tags = (JSON.parse(stdout) as Array<Record<string, unknown>>)[0]!;
	const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);
	return {subject: list(tags.Subject), hierarchy: list(tags.HierarchicalSubject)};
}

/** The first downloaded file of a job, as an absolute path. */
function fileOf(jobId: string): string {
	const relative = readArchiveDb(archiveDir, db => db.prepare("SELECT path FROM images WHERE job_id = ? AND status = 'done' ORDER BY idx LIMIT 1").pluck().get(jobId) as string);
	return path.join(archiveDir, relative);
}

test.before(async t => {
	if (!fs.existsSync(builtBin)) t.fail(`${builtBin} is missing: run npm run build (npm test does) first`);
	standIn = await startStandIn({jobs: 24, seed: 9, likedOthers: 12});
	box = sandbox();
	archiveDir = path.join(box.project, 'archive');
});

test.after.always(async () => {
	await standIn?.close();
});

test.serial('--batch --likes --json archives and downloads the liked jobs, other people\'s included; the invariants hold', async t => {
	const run = await mjTui(['--batch', '--likes', '--sidecars', '--json']);
	t.is(run.code, 0, run.stderr);
	const summary = run.json as unknown as BatchSummary;
	const liked = standIn.likedJobs();
	const others = liked.filter(job => job.user_id !== standIn.userId);
	t.true(others.length === 12 && liked.length > 12, 'some of the account\'s own jobs are liked too');
	t.like(summary.likes, {pages: 2, jobsSeen: liked.length, jobsNew: others.length, liked: liked.length, unliked: 0, stoppedBecause: 'end'});
	t.is(summary.failed, 0);
	const report = checkArchive({archive: archiveDir, sandboxRoot: box.root, allowed: [path.join(box.project, 'package.json'), tokenStateDir(box.home)], settled: true});
	t.deepEqual(report.violations, []);
	t.deepEqual(checkMatchesStandIn(archiveDir, standIn, {complete: true, likes: true}), [], 'every file of the account and of the liked jobs, byte for byte');
	t.is(summary.downloaded, report.rows.done);
	for (const job of others) t.true(fs.existsSync(fileOf(job.id)), `a file of ${job.id}`);
});

test.serial('an up-to-date second run costs one likes request', async t => {
	const before = likesRequests();
	const run = await mjTui(['--batch', '--likes', '--json']);
	t.is(run.code, 0, run.stderr);
	t.is(likesRequests() - before, 1);
	t.like((run.json as unknown as BatchSummary).likes, {pages: 1, jobsNew: 0, liked: 0, stoppedBecause: 'caught-up'});
	t.is((run.json as unknown as BatchSummary).downloaded, 0);
});

test.serial('search liked:yes, search --liked and liked:no select the liked jobs and the others', async t => {
	const idsOf = (stdout: string) => sorted(stdout.trim().split('\n').filter(Boolean).map(line => (JSON.parse(line) as {id: string}).id));
	const inQuery = await mjTui(['search', 'liked:yes', '--json', '--limit', '500']);
	t.is(inQuery.code, 0, inQuery.stderr);
	t.deepEqual(idsOf(inQuery.stdout), likedIds());
	// The flag combines with a parameter filter: the most common aspect ratio among the liked jobs, and only liked jobs of it.
	const ratios = readArchiveDb(archiveDir, db => db.prepare('SELECT id, aspect_ratio AS ratio FROM jobs WHERE aspect_ratio IS NOT NULL').all() as Array<{id: string; ratio: string}>);
	const likedRatios = ratios.filter(row => likedIds().includes(row.id)).map(row => row.ratio);
	const ratio = likedRatios.sort((a, b) => likedRatios.filter(r => r === b).length - likedRatios.filter(r => r === a).length)[0]!;
	const byFlag = await mjTui(['search', '--liked', '--json', '--limit', '500', '--', '--ar', ratio]);
	t.is(byFlag.code, 0, byFlag.stderr);
	const expected = sorted(ratios.filter(row => row.ratio === ratio && likedIds().includes(row.id)).map(row => row.id));
	t.true(expected.length > 0 && expected.length < ratios.filter(row => row.ratio === ratio).length, 'liked and not liked jobs share the ratio');
	t.deepEqual(idsOf(byFlag.stdout), expected);
	const notLiked = await mjTui(['search', 'liked:no', '--json', '--limit', '500']);
	const allIds = readArchiveDb(archiveDir, db => db.prepare('SELECT id FROM jobs').pluck().all() as string[]);
	t.deepEqual(idsOf(notLiked.stdout), sorted(allIds.filter(id => !likedIds().includes(id))));
});

test.serial('export --liked and liked:yes in the export query write exactly the liked jobs, marked liked', async t => {
	const out = path.join(box.project, 'liked.json');
	const run = await mjTui(['export', '--format', 'json', '--out', out, '--liked', '--json']);
	t.is(run.code, 0, run.stderr);
	const records = JSON.parse(fs.readFileSync(out, 'utf8')) as Array<{id: string; liked: boolean}>;
	t.deepEqual(sorted(records.map(record => record.id)), likedIds());
	t.true(records.every(record => record.liked === true));
	const lines = await mjTui(['export', '--format', 'jsonl', '--out', '-', 'liked:yes']);
	t.is(lines.code, 0, lines.stderr);
	t.deepEqual(sorted(lines.stdout.trim().split('\n').map(line => (JSON.parse(line) as {id: string}).id)), likedIds());
	fs.rmSync(out);
});

test.serial('stats counts the liked jobs, by others and the account\'s own', async t => {
	const run = await mjTui(['stats', '--json']);
	t.is(run.code, 0, run.stderr);
	const liked = standIn.likedJobs();
	const others = liked.filter(job => job.user_id !== standIn.userId).length;
	t.deepEqual((run.json as {likes: unknown}).likes, {liked: liked.length, byOthers: others, own: liked.length - others, unliked: 0});
	const human = await mjTui(['stats']);
	t.regex(human.stdout, new RegExp(`Liked: ${liked.length} jobs \\(${others} by others, ${liked.length - others} your own\\)`));
});

test.serial('sidecars of liked jobs carry the keyword liked (read back with exiftool); a --full run after an unlike takes it away', async t => {
	const liked = standIn.likedJobs();
	const other = liked.find(job => job.user_id !== standIn.userId)!;
	const own = liked.find(job => job.user_id === standIn.userId)!;
	const plain = standIn.jobs().find(job => !liked.some(like => like.id === job.id) && job.batch_size > 0)!;
	for (const job of [other, own]) {
		const tags = await subjects(`${fileOf(job.id)}.xmp`);
		t.true(tags.subject.includes('liked'), `${job.id}: dc:subject holds liked`);
		t.true(tags.hierarchy.includes('Midjourney|Liked'));
	}
	t.false((await subjects(`${fileOf(plain.id)}.xmp`)).subject.includes('liked'));

	standIn.unlike(own.id);
	const run = await mjTui(['--batch', '--likes', '--full', '--sidecars', '--json']);
	t.is(run.code, 0, run.stderr);
	t.like((run.json as unknown as BatchSummary).likes, {unliked: 1, stoppedBecause: 'end'});
	t.false((await subjects(`${fileOf(own.id)}.xmp`)).subject.includes('liked'), 'the sidecar was rewritten without it');
	t.true((await subjects(`${fileOf(other.id)}.xmp`)).subject.includes('liked'));
	const search = await mjTui(['search', 'liked:yes', '--json', '--limit', '500']);
	t.false(search.stdout.includes(own.id));
	t.deepEqual(checkArchive({archive: archiveDir, settled: true}).violations, []);
});
