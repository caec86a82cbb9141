/**
 * XMP sidecars and file times through the installed binary, read back with
 * exiftool as photo managers would: `--batch --sidecars` on a fresh archive,
 * a later run rewriting only the sidecars of jobs that changed upstream, and
 * `mj-tui sidecars` over an existing archive (missing, stale and failing files).
 * Image bytes never change: their sha256 stays what the archive recorded.
 */
import {execFile} from 'node:child_process';
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {promisify} from 'node:util';
import test from 'ava';
import {startStandIn} from '../../fixtures/stand-in.js';
import type {StandIn} from '../../fixtures/types.js';
import type {BatchSummary} from '../../source/batch/run.js';
import type {DoneFile} from '../../source/core/archive/file-queries.js';
import {ArchiveStore} from '../../source/core/archive/store.js';
import type {FinishFilesReport} from '../../source/core/metadata/sidecars.js';
import {builtBin, runBin, sandbox, type Sandbox} from '../helpers/cli-io.js';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A prompt as hostile as the network can send: markup, entities, quotes and terminal escapes. */
const trickyCommand = 'a <b>&amp; "fish" \u001B[31mred\u001B[0m at dusk --ar 16:9 --v 7 --style raw --sref 3725990145 https://s.mj.run/abc --p ylfuc2p';
const trickyPrompt = 'a <b>&amp; "fish" red at dusk';

let standIn: StandIn;
let box: Sandbox;
let archiveDir: string;
let trickyId: string;

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
	return {
		...box.env,
		MJ_TUI_API_BASE: standIn.apiBase,
		MJ_TUI_CDN_BASE: standIn.cdnBase,
		MJ_TUI_TOKEN_BASE: standIn.tokenBase,
		MJ_TUI_TOKEN_API_KEY: standIn.tokenApiKey,
		MJ_TUI_TOKEN: standIn.token,
		MJ_TUI_PAGE_PAUSE_MS: '0',
		MJ_TUI_ARCHIVE: archiveDir,
		...extra,
	};
}

async function mjTui(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
	const result = await runBin(args, {cwd: box.project, env: env(extraEnv)});
	const last = result.stdout.trim().split('\n').at(-1) ?? '';
	return {...result, json: last.startsWith('{') ? JSON.parse(last) as unknown : undefined};
}

function doneFiles(): DoneFile[] {
	const store = ArchiveStore.open(archiveDir, {readonly: true});
	try {
		return store.files.donePage(0, 0, 10_000);
	} finally {
		store.close();
	}
}

const absolute = (file: DoneFile) => path.join(archiveDir, file.path);

async function exif(file: string): Promise<Record<string, unknown>> {
	const {stdout} = await promisify(execFile)('exiftool', ['-json', '-XMP:all', file]);
	return (JSON.parse(stdout) as Array<Record<string, unknown>>)[0]!;
}

/** exiftool prints a one-item list as a plain value. */
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

test.before(async t => {
	if (!fs.existsSync(builtBin)) t.fail(`${builtBin} is missing: run npm run build (npm test does) first`);
	standIn = await startStandIn({jobs: 8, seed: 3});
	box = sandbox();
	archiveDir = path.join(box.project, 'archive');
	const tricky = standIn.jobs().find(job => job.batch_size === 4 && !job.job_type.startsWith('vid'))!;
	trickyId = tricky.id;
	standIn.updateJob(trickyId, {full_command: trickyCommand, rating: 4, personalization_codes: [{code: 'zz9plural', type: 'user'}]});
});

test.after.always(async () => {
	await standIn?.close();
});

test.serial('--batch --sidecars writes a sidecar exiftool reads beside every file, sets file times, keeps image bytes', async t => {
	const run = await mjTui(['--batch', '--sidecars', '--json']);
	t.is(run.code, 0, run.stderr);
	const summary = run.json as BatchSummary;
	const files = doneFiles();
	t.true(files.length > 8);
	t.is(summary.downloaded, files.length);
	t.is(summary.sidecars, files.length);
	for (const file of files) {
		t.true(fs.existsSync(`${absolute(file)}.xmp`), file.path);
		t.is(Math.round(fs.statSync(absolute(file)).mtimeMs), file.enqueuedAt, `${file.path}: mtime is the enqueue time`);
		const bytes = fs.readFileSync(absolute(file));
		t.is(sha256(bytes), file.sha256 ?? 'no hash recorded', `${file.path}: bytes as the archive recorded them`);
	}

	const file = files.find(candidate => candidate.jobId === trickyId && candidate.index === 0)!;
	t.is(sha256(fs.readFileSync(absolute(file))), sha256(standIn.fileBytes(`/${trickyId}/0_0.png`)));
	const raw = fs.readFileSync(`${absolute(file)}.xmp`, 'utf8');
	t.false(raw.includes('\u001B'), 'no terminal escape reaches the sidecar');
	t.false(fs.readdirSync(path.dirname(absolute(file))).some(name => name.endsWith('.tmp')), 'no temp file left behind');
	const tags = await exif(`${absolute(file)}.xmp`);
	t.is(tags.Title, trickyPrompt);
	t.is(tags.Description, trickyPrompt);
	t.is(tags.Identifier, trickyId);
	t.is(tags.UserComment, trickyCommand.replace(/\u001B\[\d+m/g, ''));
	t.is(tags.Rating, 4);
	t.is(tags.DocumentID, `mj-tui://job/${trickyId}/0`);
	t.is(tags.CreateDate, new Date(file.enqueuedAt).toISOString().replace(/^(\d{4})-(\d\d)-(\d\d)T/, '$1:$2:$3 '));
	const jobType = standIn.jobs().find(job => job.id === trickyId)!.job_type;
	t.deepEqual(new Set(list(tags.Subject)), new Set(['Midjourney', `type:${jobType}`, 'model:7', 'aspect ratio:16:9', 'style:raw', 'sref:3725990145', 'sref:https://s.mj.run/abc', 'profile:ylfuc2p', 'profile:zz9plural']));
	t.true(list(tags.HierarchicalSubject).includes('Midjourney|Sref|https:__s.mj.run_abc'));
	t.true(list(tags.HierarchicalSubject).includes('Midjourney|Profile|zz9plural'));
	t.true(list(tags.TagsList).includes('Midjourney/Aspect ratio/16:9'));
	t.true(list(tags.TagsList).includes(`Midjourney/Type/${jobType}`));
	t.regex(String(tags.DigitalSourceType), /trainedAlgorithmicMedia/);
});

test.serial('a later run rewrites the sidecars of jobs that changed upstream and no other', async t => {
	const files = doneFiles();
	const other = standIn.jobs().find(job => job.id !== trickyId && files.some(file => file.jobId === job.id))!;
	const untouched = files.find(file => file.jobId !== trickyId && file.jobId !== other.id)!;
	const untouchedBefore = fs.readFileSync(`${absolute(untouched)}.xmp`, 'utf8');
	standIn.updateJob(trickyId, {rating: 2});
	standIn.updateJob(other.id, {rating: 5});

	const run = await mjTui(['--batch', '--full', '--sidecars', '--json']);
	t.is(run.code, 0, run.stderr);
	const summary = run.json as BatchSummary;
	t.is(summary.downloaded, 0);
	t.is(summary.jobsUpdated, 2);
	t.is(summary.sidecars, files.filter(file => file.jobId === trickyId || file.jobId === other.id).length);
	t.is((await exif(`${absolute(files.find(file => file.jobId === trickyId)!)}.xmp`)).Rating, 2);
	t.is((await exif(`${absolute(files.find(file => file.jobId === other.id)!)}.xmp`)).Rating, 5);
	t.is(fs.readFileSync(`${absolute(untouched)}.xmp`, 'utf8'), untouchedBefore);
});

test.serial('mj-tui sidecars mends a missing or stale sidecar and a wrong file time; a missing image fails the run with exit 1', async t => {
	const files = doneFiles();
	const [missingSidecar, staleSidecar, touched, gone] = files;
	fs.rmSync(`${absolute(missingSidecar!)}.xmp`);
	fs.writeFileSync(`${absolute(staleSidecar!)}.xmp`, '<x:xmpmeta xmlns:x="adobe:ns:meta/"/>');
	fs.utimesSync(absolute(touched!), new Date(), new Date());
	fs.rmSync(absolute(gone!));

	const run = await mjTui(['sidecars', '--json']);
	t.is(run.code, 1, run.stderr);
	const report = run.json as FinishFilesReport;
	t.is(report.sidecarsWritten, 2);
	t.is(report.sidecarsUnchanged, files.length - 3);
	t.is(report.timesSet, 1);
	t.deepEqual(report.failed.map(failure => failure.path), [gone!.path]);
	t.is((await exif(`${absolute(staleSidecar!)}.xmp`)).Identifier, staleSidecar!.jobId);
	t.is((await exif(`${absolute(missingSidecar!)}.xmp`)).Identifier, missingSidecar!.jobId);
	t.is(Math.round(fs.statSync(absolute(touched!)).mtimeMs), touched!.enqueuedAt);
	for (const file of files.slice(0, 3)) t.is(sha256(fs.readFileSync(absolute(file))), file.sha256 ?? 'no hash recorded');
});

test.serial('verify counts sidecars as part of their image, not as orphans; a leftover temp is one', async t => {
	const [file] = doneFiles();
	fs.writeFileSync(`${absolute(file!)}.xmp.99999.tmp`, 'left by a crash');
	t.teardown(() => fs.rmSync(`${absolute(file!)}.xmp.99999.tmp`, {force: true}));
	const run = await mjTui(['verify', '--json']);
	const report = run.json as {problems: Array<{kind: string; path: string}>};
	t.deepEqual(report.problems.filter(problem => problem.kind === 'orphan').map(problem => problem.path), [`${file!.path}.xmp.99999.tmp`]);
	t.true(doneFiles().every(done => fs.existsSync(`${absolute(done)}.xmp`)));
});

test.serial('--no-set-mtime leaves file times alone', async t => {
	const [file] = doneFiles().filter(candidate => fs.existsSync(absolute(candidate)));
	const now = new Date();
	fs.utimesSync(absolute(file!), now, now);
	const run = await mjTui(['sidecars', '--json', '--no-set-mtime']);
	t.is((run.json as FinishFilesReport).timesSet, 0);
	t.is(Math.round(fs.statSync(absolute(file!)).mtimeMs), now.getTime());
});

test.serial('mj-tui sidecars without an archive exits 78 naming the folder', async t => {
	const run = await mjTui(['sidecars', '--archive', path.join(box.root, 'nowhere')]);
	t.is(run.code, 78);
	t.regex(run.stderr, /no archive at .*nowhere/);
});
