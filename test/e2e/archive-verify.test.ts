/**
 * `verify --repair` killed part-way, through the installed binary: the files it
 * had re-queued are still owed, so the next `verify` must call them missing
 * (exit 1), and the next `verify --repair` must finish them.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import type {VerifyReport} from '../../source/core/verify.js';
import {downloadedArchive, filesUnder, readArchive, stallOneFile, startBin, waitUntil} from '../helpers/stand-in-bin.js';

const lastLine = (text: string) => text.trim().split('\n').at(-1)!;

test('verify --repair killed with SIGKILL: the next verify reports every absent file as missing, the next repair finishes them', async t => {
	const {standIn, box, archive, env, run} = await downloadedArchive(t, {jobs: 5, seed: 21, imageBytes: 32 * 1024});
	const expected = filesUnder(path.join(archive, 'images')).length;
	t.true(expected >= 8);

	fs.rmSync(path.join(archive, 'images'), {recursive: true});
	const rows = (status: string) => readArchive(archive, db => db.prepare('SELECT count(*) FROM images WHERE status = ?').pluck().get(status) as number) ?? 0;
	// Slowed, and one file stalls, so the repair cannot finish before it is killed.
	const stall = stallOneFile(standIn);
	const repair = startBin(['verify', '--repair', '--limit-rate', '64k', '--archive', archive], {cwd: box.project, env: {...env, ...stall.env}});
	t.teardown(() => repair.child.kill('SIGKILL'));
	// Killed once it has re-queued the files and brought some, not all, back.
	await waitUntil(() => (stall.requested() && rows('pending') > 0 && filesUnder(path.join(archive, 'images')).length > 0) || repair.child.exitCode !== null, 'the repair to be part-way');
	t.is(repair.child.exitCode, null, repair.output());
	repair.child.kill('SIGKILL');
	await repair.done;

	const absent = expected - filesUnder(path.join(archive, 'images')).length;
	t.true(absent > 0, 'files were still owed when it died');
	const after = await run(['verify', '--json']);
	t.is(after.code, 1, after.stdout);
	const report = JSON.parse(lastLine(after.stdout)) as VerifyReport & {clean: boolean};
	t.false(report.clean);
	const missing = report.problems.filter(problem => problem.kind === 'missing');
	t.is(missing.length, absent);
	for (const problem of missing) t.false(fs.existsSync(path.join(archive, problem.path)), `${problem.path} is really absent`);
	const human = await run(['verify']);
	t.is(human.code, 1);
	t.regex(human.stdout, new RegExp(`${absent} problem\\(s\\)`));

	const finish = await run(['verify', '--repair']);
	t.is(finish.code, 0, `${finish.stdout}\n${finish.stderr}`);
	const clean = await run(['verify', '--json']);
	t.is(clean.code, 0, clean.stdout);
	t.like(JSON.parse(lastLine(clean.stdout)), {clean: true, checked: expected, ok: expected});
	t.is(filesUnder(path.join(archive, 'images')).length, expected);
	t.is(rows('pending'), 0);
});
