/**
 * `mj-tui --batch` through runCli against the stand-in on 127.0.0.1: the JSON
 * summary, files on disk byte for byte, exit codes, progress output, --urls,
 * --metrics-file and interruption.
 */
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import {startStandIn} from '../../fixtures/stand-in.js';
import {runCli} from '../../source/cli/run-cli.js';
import {Interrupted} from '../../source/cli/signals.js';
import type {BatchSummary} from '../../source/batch/run.js';

import {archiveDb, readArchiveDb} from '../helpers/archive-db.js';
import {captureIo, sandbox, type CapturedIo} from '../helpers/cli-io.js';
import {standInEnv} from '../helpers/mj-setup.js';
import {cdnPath} from '../helpers/download-setup.js';

const jobCount = 24;

function lastJson(io: CapturedIo): BatchSummary {
	const lines = io.out().trim().split('\n');
	return JSON.parse(lines.at(-1)!) as BatchSummary;
}

async function batch(argv: string[], env: NodeJS.ProcessEnv, box = sandbox(), options: {tty?: boolean; signal?: AbortSignal} = {}) {
	const io = captureIo({cwd: box.project, env: {...box.env, ...env}, ...options});
	const code = await runCli(['--batch', ...argv], io);
	return {code, io, box, archive: path.join(box.project, 'mj-archive')};
}

interface ImageRow {
	url: string;
	path: string | null;
	bytes: number | null;
	status: string;
}

function imageRows(archive: string): ImageRow[] {
	return readArchiveDb(archive, db => db.prepare('SELECT url, path, bytes, status FROM images ORDER BY url').all() as ImageRow[]);
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

test('batch --json: one summary object as the last stdout line; every file on disk byte for byte; a re-run has nothing to do', async t => {
	const standIn = await startStandIn({jobs: jobCount});
	t.teardown(() => standIn.close());
	const first = await batch(['--json'], standInEnv(standIn));
	t.is(first.code, 0, first.io.err());
	const summary = lastJson(first.io);
	const expectedFiles = standIn.jobs().flatMap(job => standIn.filePaths(job.id));
	t.like(summary, {jobsSeen: jobCount, jobsNew: jobCount, jobsUpdated: 0, failed: 0, failures: [], errors: [], interrupted: false, exitCode: 0, phases: {sync: 'done', download: 'done'}});
	t.true(summary.pages >= 1);
	t.is(summary.downloaded, expectedFiles.length);
	t.true(summary.durationMs >= 0);

	const rows = imageRows(first.archive);
	t.is(rows.length, expectedFiles.length);
	let bytesOnDisk = 0;
	for (const row of rows) {
		t.is(row.status, 'done', row.url);
		const onDisk = fs.readFileSync(path.join(first.archive, row.path!));
		bytesOnDisk += onDisk.length;
		t.is(sha256(onDisk), sha256(standIn.fileBytes(cdnPath(row.url))), row.url);
	}
	t.is(summary.bytes, bytesOnDisk);

	const again = await batch(['--json'], standInEnv(standIn), first.box);
	t.is(again.code, 0, again.io.err());
	t.like(lastJson(again.io), {jobsNew: 0, downloaded: 0, skipped: expectedFiles.length, failed: 0, syncStoppedBecause: 'caught-up'});
});

test('a file that keeps failing: exit 1, the others downloaded, the failure listed with its URL and reason', async t => {
	const standIn = await startStandIn({jobs: jobCount});
	t.teardown(() => standIn.close());
	const victim = standIn.filePaths(standIn.jobs()[3]!.id)[0]!;
	standIn.setFault({kind: 'server-error', status: 500, route: 'cdn', pathIncludes: victim});
	const run = await batch(['--json'], standInEnv(standIn));
	t.is(run.code, 1, run.io.err());
	const summary = lastJson(run.io);
	const expectedFiles = standIn.jobs().flatMap(job => standIn.filePaths(job.id));
	t.is(summary.failed, 1);
	t.is(summary.downloaded, expectedFiles.length - 1);
	t.is(summary.failures.length, 1);
	t.true(summary.failures[0]!.url.endsWith(victim), summary.failures[0]!.url);
	t.regex(summary.failures[0]!.reason, /500/);
	t.regex(run.io.err(), new RegExp(`error: failed: \\S*${victim.replace(/[./]/g, '\\$&')}: .*500`));
});

test('--no-download syncs only; plain (non-terminal) progress lines carry timestamps', async t => {
	const standIn = await startStandIn({jobs: jobCount});
	t.teardown(() => standIn.close());
	const run = await batch(['--no-download'], standInEnv(standIn));
	t.is(run.code, 0, run.io.err());
	t.false(fs.existsSync(path.join(run.archive, 'images')));
	const lines = run.io.err().trim().split('\n');
	for (const line of lines) t.regex(line, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ /, line);
	t.true(lines.some(line => line.includes(`sync: done: `) && line.includes(`${jobCount} jobs seen, ${jobCount} new`)), run.io.err());
	t.false(run.io.err().includes('\r'));
	// The stand-in's real shapes: one job without a time, some parent_grid sent as strings; counted, not listed.
	const oddFields = 1 + standIn.jobs().filter(job => typeof job.parent_grid === 'string').length;
	t.regex(run.io.out(), new RegExp(`^${jobCount} jobs seen \\(${jobCount} new, 0 updated\\) in \\d+ pages; ${oddFields} odd fields, stored as far as readable \\(--verbose lists them\\); \\d+\\.\\d s\\n$`));
});

test('on a terminal: one line rewritten in place, no timestamps, the summary on stdout', async t => {
	const standIn = await startStandIn({jobs: jobCount});
	t.teardown(() => standIn.close());
	const run = await batch([], standInEnv(standIn), sandbox(), {tty: true});
	t.is(run.code, 0, run.io.err());
	t.true(run.io.err().includes('\r\u001B[2Kdownloads: ') || run.io.err().includes('\r\u001B[2Ksync: '), JSON.stringify(run.io.err()));
	t.notRegex(run.io.err(), /^\d{4}-\d\d-\d\dT/m);
	t.regex(run.io.out(), /files downloaded \([\d.]+ \w+\), 0 skipped, 0 failed/);
});

test('--urls downloads a plain URL list without syncing; --metrics-file is written', async t => {
	const standIn = await startStandIn({jobs: 6});
	t.teardown(() => standIn.close());
	const box = sandbox();
	const paths = standIn.jobs().slice(0, 3).map(job => standIn.filePaths(job.id)[0]!);
	const list = path.join(box.project, 'list.txt');
	fs.writeFileSync(list, `# three files\n${paths.map(p => `${standIn.cdnBase}${p}`).join('\n')}\n`);
	const metrics = path.join(box.root, 'mj.prom');
	const run = await batch(['--urls', 'list.txt', '--json', '--metrics-file', metrics], {MJ_TUI_RETRIES: '1'}, box);
	t.is(run.code, 0, run.io.err());
	t.like(lastJson(run.io), {downloaded: 3, failed: 0, jobsSeen: 0, pages: 0, phases: {sync: 'skipped', download: 'done'}});
	t.false(standIn.requests().some(entry => entry.route === 'api'), 'no listing request');
	const rows = imageRows(run.archive);
	t.is(rows.length, 3);
	for (const row of rows) t.is(sha256(fs.readFileSync(path.join(run.archive, row.path!))), sha256(standIn.fileBytes(cdnPath(row.url))));
	t.regex(fs.readFileSync(metrics, 'utf8'), /^mj_tui_download_files_total\{outcome="downloaded"\} 3$/m);
});

test('--demo --batch: the in-process stand-in, archived into ./mj-archive-demo; MJ_TUI_DEMO_FAULTS reaches it', async t => {
	const box = sandbox();
	const run = await batch(['--demo', '--json', '--no-download'], {MJ_TUI_DEMO_JOBS: '12', MJ_TUI_PAGE_PAUSE_MS: '0'}, box);
	t.is(run.code, 0, run.io.err());
	t.like(lastJson(run.io), {jobsSeen: 12, jobsNew: 12});
	t.true(fs.existsSync(path.join(box.project, 'mj-archive-demo', 'archive.db')));
	t.false(fs.existsSync(path.join(box.project, 'mj-archive')));
	t.regex(run.io.err(), /demo: a stand-in Midjourney with 12 jobs at http:\/\/127\.0\.0\.1:\d+/);

	const blocked = await batch(['--demo', '--json'], {MJ_TUI_DEMO_JOBS: '12', MJ_TUI_DEMO_FAULTS: '[{"kind":"cloudflare","status":403,"route":"api"}]', MJ_TUI_RETRIES: '0'});
	t.is(blocked.code, 69, blocked.io.err());
	t.like(lastJson(blocked.io), {exitCode: 69, phases: {sync: 'failed', download: 'skipped'}});
	t.regex(blocked.io.err(), /^mj-tui: .*Cloudflare/m);

	const denied = await batch(['--demo', '--json'], {MJ_TUI_DEMO_JOBS: '12', MJ_TUI_DEMO_FAULTS: '[{"kind":"unauthorized","route":"api"}]', MJ_TUI_RETRIES: '0'});
	t.is(denied.code, 77, denied.io.err());
	t.is(lastJson(denied.io).errors[0]!.exitCode, 77);

	const bad = await batch(['--demo'], {MJ_TUI_DEMO_FAULTS: '{"kind":"reset"}'});
	t.is(bad.code, 64);
	t.regex(bad.io.err(), /MJ_TUI_DEMO_FAULTS must be a JSON array/);
});

test('interrupted during downloads: exit 130, the summary says so, and the next run completes every file', async t => {
	const standIn = await startStandIn({jobs: jobCount});
	t.teardown(() => standIn.close());
	standIn.setFault({kind: 'stall', ms: 60_000, route: 'cdn'});
	const controller = new AbortController();
	const box = sandbox();
	const io = captureIo({cwd: box.project, env: {...box.env, ...standInEnv(standIn)}, signal: controller.signal});
	const running = runCli(['--batch', '--json'], io);
	// Abort once a transfer has started (the stand-in has answered a CDN request with headers).
	while (!standIn.requests().some(entry => entry.route === 'cdn')) await new Promise(resolve => setTimeout(resolve, 20));
	controller.abort(new Interrupted('SIGINT'));
	t.is(await running, 130, io.err());
	const summary = lastJson(io);
	t.like(summary, {interrupted: true, exitCode: 130, jobsNew: jobCount, phases: {sync: 'done', download: 'interrupted'}});
	t.regex(io.err(), /interrupted: the archive is consistent/);

	standIn.clearFaults();
	const again = await batch(['--json'], standInEnv(standIn), box);
	t.is(again.code, 0, again.io.err());
	const expectedFiles = standIn.jobs().flatMap(job => standIn.filePaths(job.id));
	const rows = imageRows(again.archive);
	t.is(rows.filter(row => row.status === 'done').length, expectedFiles.length);
	for (const row of rows) t.is(sha256(fs.readFileSync(path.join(again.archive, row.path!))), sha256(standIn.fileBytes(cdnPath(row.url))));
});

test('batch --embed-metadata: each downloaded PNG carries its job\'s full command and id, and the archive records the new hash', async t => {
	// Bare PNGs: what the website would have written in is missing, so only embedding can put it there.
	const standIn = await startStandIn({jobs: 6, websiteMetadata: false});
	t.teardown(() => standIn.close());
	const run = await batch(['--json', '--embed-metadata'], standInEnv(standIn));
	t.is(run.code, 0, run.io.err());
	const summary = lastJson(run.io);
	const pngRows = imageRows(run.archive).filter(row => row.path?.endsWith('.png'));
	t.true(pngRows.length > 0);
	t.true(summary.embedded > 0);
	const db = archiveDb(t, run.archive);
	const {readPngText} = await import('../../source/core/metadata/png-text.js');
	for (const row of pngRows) {
		const file = path.join(run.archive, row.path!);
		const bytes = fs.readFileSync(file);
		const recorded = db.prepare('SELECT i.sha256, j.full_command, j.id FROM images i JOIN jobs j ON j.id = i.job_id WHERE i.path = ?').get(row.path) as {sha256: string; full_command: string; id: string};
		t.is(sha256(bytes), recorded.sha256, `${row.path}: the archive follows the rewritten file`);
		const description = readPngText(bytes).find(chunk => chunk.keyword === 'Description');
		t.truthy(description, row.path!);
		t.true(description!.text.includes(recorded.full_command) && description!.text.includes(recorded.id), row.path!);
	}
});
