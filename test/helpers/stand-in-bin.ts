/**
 * The installed binary started against a stand-in (as a child process the
 * test can watch, signal and kill), and read-only looks into the archive it writes.
 */
import type {ChildProcess} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type {ExecutionContext} from 'ava';
import Database from 'better-sqlite3';
import {startStandIn} from '../../fixtures/stand-in.js';
import type {StandIn, StandInOptions} from '../../fixtures/types.js';
import {startBin as startBinRun} from './bin-run.js';
import {runBin, sandbox, type ChildResult} from './cli-io.js';
import {standInBaseEnv as standInEnv} from './mj-setup.js';
export {standInEnv};


export interface RunningBin {
	child: ChildProcess;
	/** Resolves with the exit code, signal and everything printed. */
	done: Promise<ChildResult>;
	output(): string;
}

/** Start dist/bin/cli.js with these args (bin-run's runner, with no hang deadline of its own: the test's timeout rules); the caller waits on `done` (or kills `child`). */
export function startBin(args: string[], options: {cwd: string; env: NodeJS.ProcessEnv}): RunningBin {
	const run = startBinRun(args, {...options, deadlineMs: 30 * 60_000});
	const done = run.ended.then(({code, signal, stdout, stderr}) => ({code, signal, stdout, stderr}));
	return {child: run.child, done, output: () => `${run.stdout()}\n${run.stderr()}`};
}

/** The --json summary: the last line of stdout. */
export function summaryOf(result: ChildResult): Record<string, unknown> {
	const last = result.stdout.trim().split('\n').at(-1) ?? '';
	return JSON.parse(last) as Record<string, unknown>;
}

/** Run a query against the archive read-only (undefined while the database does not exist yet). */
export function readArchive<T>(dir: string, read: (db: Database.Database) => T): T | undefined {
	const file = path.join(dir, 'archive.db');
	if (!fs.existsSync(file)) return undefined;
	const db = new Database(file, {readonly: true, fileMustExist: true});
	try {
		db.pragma('busy_timeout = 5000');
		return read(db);
	} catch (error) {
		// The schema may not be there yet in the first instants of a run.
		if ((error as {code?: string}).code === 'SQLITE_ERROR') return undefined;
		throw error;
	} finally {
		db.close();
	}
}

/** Poll until `condition` holds (checking state, not time); fails after `limitMs` with `what`. */
export async function waitUntil(condition: () => boolean, what: string, limitMs = 60_000): Promise<void> {
	const deadline = Date.now() + limitMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise(resolve => setTimeout(resolve, 50));
	}
}

/** Every file under `dir`, relative, `/`-separated. */
export function filesUnder(dir: string): string[] {
	if (!fs.existsSync(dir)) return [];
	return (fs.readdirSync(dir, {recursive: true, withFileTypes: true}) as fs.Dirent[])
		.filter(entry => entry.isFile())
		.map(entry => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
}

/** A stand-in and an archive that a real `--batch` downloaded from it (no videos), with a runner for more commands on it. */
export async function downloadedArchive(t: ExecutionContext, options: StandInOptions) {
	const standIn = await startStandIn(options);
	t.teardown(() => standIn.close());
	const box = sandbox();
	const archive = path.join(box.root, 'archive');
	const env = {...box.env, ...standInEnv(standIn, {MJ_TUI_VIDEOS: 'false'})};
	const batch = await runBin(['--batch', '--archive', archive], {cwd: box.project, env});
	t.is(batch.code, 0, batch.stderr);
	/** Run the binary on this archive. */
	const run = (args: string[]) => runBin([...args, '--archive', archive], {cwd: box.project, env});
	return {standIn, box, archive, env, run, images: filesUnder(path.join(archive, 'images'))};
}

/**
 * Keep a download run from finishing on its own, however slow or fast the
 * machine: one file stalls mid-body (once), and the run's stall timeout (`env`)
 * outlasts the test. `requested` says when the run has asked for that file, so
 * a later run gets it whole.
 */
export function stallOneFile(standIn: StandIn): {env: Record<string, string>; requested: () => boolean} {
	const stalled = standIn.filePaths(standIn.jobs()[0]!.id)[0]!;
	standIn.setFault({kind: 'stall', ms: 120_000, route: 'cdn', pathIncludes: stalled, count: 1});
	return {
		env: {MJ_TUI_STALL_TIMEOUT_MS: '600000'},
		requested: () => standIn.requests().some(request => request.route === 'cdn' && request.path === stalled),
	};
}
