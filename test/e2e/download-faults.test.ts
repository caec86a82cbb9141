/**
 * The download faults this branch fixed, met the way a user meets them:
 * the installed `dist/bin/cli.js` as a child process against the stand-in
 * on 127.0.0.1, judged by its exit code, the --json summary (the last
 * stdout line) and the archive afterwards. (The broad fault matrix and the
 * chaos run live in the chaos helper's tests.)
 */
import {createHash} from 'node:crypto';
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import test, {type ExecutionContext} from 'ava';
import {startStandIn} from '../../fixtures/stand-in.js';
import type {StandIn, StandInOptions} from '../../fixtures/types.js';
import {envName, type ConfigKey} from '../../source/core/config/keys.js';
import {standInConfigValues} from '../../source/demo.js';
import {readArchiveDb} from '../helpers/archive-db.js';
import {runBin, sandbox, type ChildResult} from '../helpers/cli-io.js';
import {cdnPath} from '../helpers/download-setup.js';

interface ArchiveRow {
	url: string;
	path: string | null;
	status: string;
	sha256: string | null;
}

/** The --json summary: the last line of stdout. */
function summaryOf(result: ChildResult): {exitCode: number; downloaded: number; failed: number; failures: Array<{url: string; reason: string}>; errors: Array<{message: string; exitCode: number}>} {
	return JSON.parse(result.stdout.trim().split('\n').at(-1)!);
}

function rowsOf(archive: string): ArchiveRow[] {
	return readArchiveDb(archive, db => {
		t_integrity(db);
		return db.prepare('SELECT url, path, status, sha256 FROM images ORDER BY id').all() as ArchiveRow[];
	});
}

function t_integrity(db: Database.Database): void {
	const result = db.pragma('integrity_check', {simple: true});
	if (result !== 'ok') throw new Error(`integrity_check: ${String(result)}`);
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Every done row's file holds exactly the stand-in's bytes; returns how many rows are done. */
function assertDoneFilesCorrect(t: ExecutionContext, archive: string, standIn: StandIn): number {
	const rows = rowsOf(archive).filter((row) => row.status === 'done');
	for (const row of rows) {
		const served = standIn.fileBytes(cdnPath(row.url));
		t.is(sha256(fs.readFileSync(path.join(archive, row.path!))), sha256(served), `${row.url}: bytes on disk`);
	}
	return rows.length;
}

/** The env that points the binary at the stand-in (and nowhere else), with fast retries. */
function standInEnv(standIn: StandIn, home: NodeJS.ProcessEnv, extra: Partial<Record<ConfigKey, string>> = {}): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {...home};
	const values: Record<string, unknown> = {...standInConfigValues(standIn), retries: '3', ...extra};
	for (const [key, value] of Object.entries(values)) if (value !== undefined) env[envName(key as ConfigKey)] = String(value);
	return env;
}

async function standInFor(t: ExecutionContext, options: StandInOptions): Promise<StandIn> {
	const standIn = await startStandIn(options);
	t.teardown(() => standIn.close());
	return standIn;
}

test('a 429 with Retry-After: 1 holds the CDN host; the binary waits it out and finishes every file (exit 0, not a silent 13)', async (t) => {
	const box = sandbox();
	const standIn = await standInFor(t, {jobs: 8, imageBytes: 32 * 1024});
	// One file answered 429 three times: each time every transfer ends up waiting on the held host, and nothing but
	// the hold's timer keeps the process alive (an unref'd one let Node exit 13 with nothing printed).
	const target = standIn.filePaths(standIn.jobs()[3]!.id)[0]!;
	standIn.setFault({kind: 'rate-limit', retryAfterSeconds: 1, route: 'cdn', pathIncludes: target, count: 3});
	const archive = path.join(box.root, 'archive');
	const result = await runBin(['--batch', '--json', '--archive', archive], {cwd: box.project, env: standInEnv(standIn, box.env)});
	t.is(result.code, 0, result.stderr);
	const summary = summaryOf(result);
	t.is(summary.exitCode, 0);
	t.is(summary.failed, 0);
	const rows = rowsOf(archive);
	t.true(rows.length > 20, `${rows.length} files`);
	t.is(summary.downloaded, rows.length);
	t.is(assertDoneFilesCorrect(t, archive, standIn), rows.length);
	t.deepEqual(
		standIn.requests().filter((r) => r.route === 'cdn' && r.path === target).map((r) => r.status),
		[429, 429, 429, 200],
	);
});

test('a Cloudflare challenge on one CDN file fails that file (exit 1, named in the summary); every other file arrives', async (t) => {
	const box = sandbox();
	const standIn = await standInFor(t, {jobs: 4, imageBytes: 32 * 1024});
	const target = standIn.filePaths(standIn.jobs()[2]!.id)[1]!;
	standIn.setFault({kind: 'cloudflare', status: 403, route: 'cdn', pathIncludes: target});
	const archive = path.join(box.root, 'archive');
	const result = await runBin(['--batch', '--json', '--archive', archive], {cwd: box.project, env: standInEnv(standIn, box.env, {retryAfterCapMs: '100'})});
	t.is(result.code, 1, result.stderr);
	const summary = summaryOf(result);
	t.is(summary.exitCode, 1);
	t.deepEqual(summary.errors, [], 'not a stopped run');
	t.deepEqual(summary.failures.map((failure) => failure.url), [`${standIn.cdnBase}${target}`]);
	t.regex(summary.failures[0]!.reason, /Cloudflare challenge/);
	t.regex(result.stderr, new RegExp(`failed: .*${target.replaceAll('/', '\\/')}`));
	const rows = rowsOf(archive);
	t.is(rows.filter((row) => row.status === 'failed').length, 1);
	t.is(assertDoneFilesCorrect(t, archive, standIn), rows.length - 1);
});

/** A plain http server on 127.0.0.1 that serves a PNG and remembers each request's Cookie header. */
async function cookieRecorder(t: ExecutionContext, png: Buffer): Promise<{port: number; cookies: Array<string | undefined>}> {
	const cookies: Array<string | undefined> = [];
	const server = http.createServer((req, res) => {
		cookies.push(req.headers.cookie);
		res.writeHead(200, {'content-type': 'image/png', 'content-length': png.length});
		res.end(png);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
	return {port: (server.address() as AddressInfo).port, cookies};
}

test('the Cookie header goes only to the CDN origin itself: never over http when the CDN is https, never to another port', async (t) => {
	const box = sandbox();
	const standIn = await standInFor(t, {jobs: 1});
	const png = standIn.fileBytes(standIn.filePaths(standIn.jobs()[0]!.id)[0]!);
	const {port, cookies} = await cookieRecorder(t, png);
	const cookie = 'cf_clearance=binary-cookie-test-0001; __Host-Midjourney.AuthUserTokenV3_i=binary-cookie-test-token';
	const run = async (name: string, cdnBase: string) => {
		const list = path.join(box.root, `${name}.txt`);
		fs.writeFileSync(list, `http://127.0.0.1:${port}/${name}.png\n`);
		const env = {...box.env, MJ_TUI_COOKIE: cookie, MJ_TUI_CDN_BASE: cdnBase};
		const result = await runBin(['--batch', '--json', '--urls', list, '--archive', path.join(box.root, name)], {cwd: box.project, env});
		t.is(result.code, 0, `${name}: ${result.stderr}`);
		t.is(summaryOf(result).downloaded, 1);
		t.false(result.stdout.includes('binary-cookie-test') || result.stderr.includes('binary-cookie-test'), 'the cookie is never printed');
		return cookies.at(-1);
	};
	t.is(await run('https-cdn', `https://127.0.0.1:${port}`), undefined, 'same host and port, but the CDN is https: not sent over http');
	t.is(await run('other-port', `http://127.0.0.1:${port + 1}`), undefined, 'another port is another origin');
	t.is(await run('loopback-http-cdn', `http://127.0.0.1:${port}/`), cookie, 'the CDN itself, plain http on loopback (the stand-in): sent');
});

const isRoot = process.getuid?.() === 0;
const diskFullTitle = 'a full disk under the archive stops the run with exit 74, names the disk and its free space, keeps the archive intact, and the next run resumes';

(isRoot ? test : test.skip)(isRoot ? diskFullTitle : `${diskFullTitle} — SKIPPED: mounting a 12 MiB tmpfs needs root`, async (t) => {
	const box = sandbox();
	const mount = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-tui-full-'));
	execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=12m', 'tmpfs', mount]);
	t.teardown(() => {
		execFileSync('umount', ['-l', mount]);
		fs.rmSync(mount, {recursive: true, force: true});
	});
	// About 24 MiB of files for a 12 MiB disk.
	const standIn = await standInFor(t, {jobs: 24, imageBytes: 256 * 1024});
	const archive = path.join(mount, 'archive');
	const env = standInEnv(standIn, box.env);
	const full = await runBin(['--batch', '--json', '--archive', archive], {cwd: box.project, env});
	t.is(full.code, 74, full.stderr);
	t.notRegex(full.stderr, /SqliteError|^\s+at /m, 'no stack trace');
	t.regex(full.stderr, new RegExp(`^mj-tui: The disk is full: the archive ${archive}, on the filesystem mounted at ${mount} has [\\d.]+ \\w?i?B free of 12(\\.0+)? MiB`, 'm'));
	t.regex(full.stderr, /hint: Free some space/);
	const summary = summaryOf(full);
	t.is(summary.exitCode, 74);
	t.regex(summary.errors[0]!.message, /The disk is full/);
	const doneBefore = assertDoneFilesCorrect(t, archive, standIn);
	// The last few finished files may not have reached the table (it could not grow either): they are complete on
	// disk under their planned names, and the next run records them without fetching them again.
	t.true(doneBefore > 0 && summary.downloaded >= doneBefore, `${summary.downloaded} downloaded, ${doneBefore} recorded`);
	const rows = rowsOf(archive);
	t.true(summary.downloaded < rows.length, 'the disk filled before the end');

	// Still full: the next run says the same thing (the sync's rows, planning or the first partial meet the full disk).
	const stillFull = await runBin(['--batch', '--json', '--archive', archive], {cwd: box.project, env});
	t.is(stillFull.code, 74, stillFull.stderr);
	t.regex(stillFull.stderr, /^mj-tui: The disk is full/m);
	t.is(summaryOf(stillFull).exitCode, 74);

	// Room again: the same command finishes the job, fetching only what is missing.
	execFileSync('mount', ['-o', 'remount,size=64m', mount]);
	const requestsBefore = standIn.requests().filter((r) => r.route === 'cdn' && r.status === 200).length;
	const again = await runBin(['--batch', '--json', '--archive', archive], {cwd: box.project, env});
	t.is(again.code, 0, again.stderr);
	t.is(assertDoneFilesCorrect(t, archive, standIn), rows.length);
	const fetchedWhole = standIn.requests().filter((r) => r.route === 'cdn' && r.status === 200).length - requestsBefore;
	t.true(fetchedWhole <= rows.length - summary.downloaded, `${fetchedWhole} files fetched whole: none that had arrived before`);
});
