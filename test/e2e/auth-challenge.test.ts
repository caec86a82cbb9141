/**
 * Being refused through the installed binary: the Cloudflare challenge on one
 * URL (that file fails, the rest arrive: exit 1) and on every URL (the run
 * stops: exit 69), and a 401 mid-run from the listing (refreshed once; when
 * it persists, exit 77) and from the CDN. The JSON summary and the archive
 * invariants hold in every case.
 */
import path from 'node:path';
import test from 'ava';
import Database from 'better-sqlite3';
import {assertComplete, assertRun, faultRun, faultScene, finish, requireBuiltBin} from '../helpers/fault-run.js';

test.before(requireBuiltBin);

test('the challenge page on one URL: that file fails and is named, the rest arrive, exit 1', async t => {
	const scene = await faultScene(t);
	const victim = scene.standIn.filePaths(scene.standIn.jobs()[3]!.id)[0]!;
	scene.standIn.setFault({kind: 'cloudflare', status: 403, route: 'cdn', pathIncludes: victim});
	const run = await finish(scene, scene.start(), true);
	assertRun(t, run, 1);
	t.is(run.summary?.failed, 1);
	t.true(run.summary?.failures.some(failure => failure.url.endsWith(victim)), JSON.stringify(run.summary?.failures));
	const expected = scene.standIn.jobs().flatMap(job => scene.standIn.filePaths(job.id)).length;
	t.is(run.summary?.downloaded, expected - 1, 'every other file arrived');
});

test('the challenge page on every CDN URL: the run stops with 69 and says why', async t => {
	const run = await faultRun(t, {faults: [{kind: 'cloudflare', status: 403, route: 'cdn'}]});
	assertRun(t, run, 69);
	t.is(run.summary?.errors[0]?.exitCode, 69);
	t.regex(run.outcome.stderr, /challenge|Cloudflare/i);
});

test('an expired token on listing page 2: refreshed, the run goes on, exit 0', async t => {
	const run = await faultRun(t, {jobs: 12, env: {MJ_TUI_PAGE_SIZE: '4'}, faults: [{kind: 'expired-token', after: 1, count: 1}]});
	assertRun(t, run, 0);
	assertComplete(t, run.scene);
});

test('a listing that refuses the account from page 2 on: exit 77 naming the page, page 1 kept', async t => {
	const run = await faultRun(t, {jobs: 12, env: {MJ_TUI_PAGE_SIZE: '4'}, faults: [{kind: 'unauthorized', route: 'api', after: 1}]});
	assertRun(t, run, 77);
	t.is(run.summary?.errors[0]?.exitCode, 77);
	t.regex(run.outcome.stderr, /refused the token for listing page 2/);
	t.is(storedJobs(run.scene.archive), 4, 'the 4 jobs of page 1 stay in the archive');
	// The summary counts what was stored before the refusal (the chaos run once saw jobsSeen: 0 here).
	t.like(run.summary, {jobsSeen: 4, jobsNew: 4, pages: 1, phases: {sync: 'failed'}});
});

test('the CDN refuses with 401 mid-run: each refused file is named (exit 1); the next run gets them all', async t => {
	const run = await faultRun(t, {faults: [{kind: 'unauthorized', route: 'cdn', after: 6}]});
	assertRun(t, run, 1);
	t.true((run.summary?.failed ?? 0) > 0);
	t.true(run.summary?.failures.every(failure => /401/.test(failure.reason)), JSON.stringify(run.summary?.failures.slice(0, 3)));
	run.scene.standIn.clearFaults();
	const again = await finish(run.scene, run.scene.start(), true);
	assertRun(t, again, 0);
	assertComplete(t, run.scene);
});

function storedJobs(archive: string): number {
	const db = new Database(path.join(archive, 'archive.db'), {readonly: true});
	try {
		return db.prepare('SELECT count(*) FROM jobs').pluck().get() as number;
	} finally {
		db.close();
	}
}
