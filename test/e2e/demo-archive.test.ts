/**
 * The demo's archive from the installed binary: subcommands take --demo to
 * mean it (before or after the command); without it, a missing archive's
 * hint names the demo's when that exists; a --type no job has warns (batch,
 * search) with the nearest real type, and changes nothing in the archive.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import {builtBin, runBin, sandbox} from '../helpers/cli-io.js';
import {readArchiveDb} from '../helpers/archive-db.js';

test.before(t => {
	if (!fs.existsSync(builtBin)) t.fail(`${builtBin} is missing: run npm run build (npm test does) first`);
});

/** A sandbox whose cwd holds the demo's archive of 12 synced jobs. */
async function withDemoArchive() {
	const box = sandbox();
	const env = {...box.env, MJ_TUI_DEMO_JOBS: '12'};
	const synced = await runBin(['--demo', '--batch', '--no-download', '--json'], {cwd: box.project, env});
	if (synced.code !== 0) throw new Error(`the demo sync failed (${synced.code}): ${synced.stderr}`);
	return {box, env, archive: path.join(box.project, 'mj-archive-demo')};
}

const jobCount = (archive: string) => readArchiveDb(archive, db => (db.prepare('SELECT count(*) AS n FROM jobs').get() as {n: number}).n);

test('subcommands read the demo archive with --demo, before or after the command', async t => {
	const {box, env, archive} = await withDemoArchive();
	for (const args of [['stats', '--demo', '--json'], ['--demo', 'stats', '--json']]) {
		const result = await runBin(args, {cwd: box.project, env});
		t.is(result.code, 0, result.stderr);
		t.is((JSON.parse(result.stdout.trim().split('\n').at(-1)!) as {jobs: number}).jobs, 12, args.join(' '));
	}
	const search = await runBin(['search', '--demo', '--json', 'harbour'], {cwd: box.project, env});
	t.is(search.code, 0, search.stderr);
	t.is(jobCount(archive), 12);
});

test('no archive here, but the demo archive exists: the hint names it and --demo', async t => {
	const {box, env, archive} = await withDemoArchive();
	const result = await runBin(['stats'], {cwd: box.project, env});
	t.is(result.code, 78);
	t.regex(result.stderr, /no archive at .*mj-archive \(archive\.db not found\)/);
	t.true(result.stderr.includes(`The demo's archive is at ${archive}: add --demo to use it`), result.stderr);
	t.false(fs.existsSync(path.join(box.project, 'mj-archive')), 'nothing was created');
});

test('--type with a value no job has warns, naming the nearest type; the run still succeeds', async t => {
	const {box, env, archive} = await withDemoArchive();
	const search = await runBin(['search', '--demo', '--type', 'v5_upscal', 'harbour'], {cwd: box.project, env});
	t.is(search.code, 0, search.stderr);
	t.regex(search.stderr, /warning: --type: no job has type v5_upscal; did you mean v5_upscale\? \(types here: .*v5_upscale/);

	const known = readArchiveDb(archive, db => (db.prepare('SELECT job_type FROM jobs WHERE job_type IS NOT NULL LIMIT 1').get() as {job_type: string}).job_type);
	const matching = await runBin(['search', '--demo', '--type', known, 'harbour'], {cwd: box.project, env});
	t.false(matching.stderr.includes('no job has type'), matching.stderr);

	const batch = await runBin(['--demo', '--batch', '--no-download', '--json', '--type', 'nosuch'], {cwd: box.project, env});
	t.is(batch.code, 0, batch.stderr);
	t.regex(batch.stderr, /warning: --type: no job has type nosuch \(types here: /);
	t.is((JSON.parse(batch.stdout.trim().split('\n').at(-1)!) as {jobsNew: number}).jobsNew, 0);
	t.is(jobCount(archive), 12, 'the archive kept every job');
});

test('--batch with a subcommand is still a usage error', async t => {
	const box = sandbox();
	const result = await runBin(['--batch', 'stats'], {cwd: box.project, env: box.env});
	t.is(result.code, 64);
	t.regex(result.stderr, /--batch and --urls run mj-tui itself; they do not combine with the stats command/);
});
