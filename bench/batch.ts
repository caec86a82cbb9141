/**
 * `npm run bench:batch`: `mj-tui --batch` exactly as a user runs it (the
 * installed dist/bin/cli.js, a fresh archive and $HOME, default settings
 * except `--concurrency 16`; the flags that point it at the stand-in instead
 * of midjourney.com are the only others), against `curl --parallel
 * --parallel-max 16` fetching the same 640 files of 1 MiB from the same
 * stand-in on 127.0.0.1. Wall time from spawn to exit, start-up and sync
 * included; peak RSS and CPU from /usr/bin/time; medians of BENCH_RUNS (3),
 * the two tools alternating.
 *
 * Then memory at scale: `--batch` over a synthetic archive whose jobs have
 * 4,000,000 files and no images rows yet, so the planner adds every one of
 * them. The CDN it is given accepts connections and never answers (the run
 * stays in planning, no file arrives); once every row is planned the bench
 * reads VmHWM from /proc/<pid>/status and presses Ctrl-C (SIGINT), which must
 * end the run with 130 and keep the rows.
 *
 * `--cpus 1`: mj-tui and curl under `taskset -c 0`, a burner on the other core.
 * BENCH_ONLY=files or BENCH_ONLY=memory runs one half; BENCH_PLAN_JOBS sets
 * the synthetic archive's job count (default 1,250,000: ~4.1 M files).
 */
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {Account} from '../fixtures/account.js';
import {jobFilePaths} from '../fixtures/cdn-files.js';
import {startStandIn, type StandIn} from '../fixtures/stand-in.js';
import {defaultConfig} from '../source/core/config/config.js';
import {filesOfJob} from '../source/core/downloads/plan.js';
import {openArchiveDb} from './lib/archive-db.js';
import {cpuModeFromArgs, pinnedCommand, startBurner, type CpuMode} from './lib/cpus.js';
import {ensureSyntheticArchive} from './lib/synthetic-archive.js';
import {median, timed, type TimedRun} from './lib/timed.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const binary = path.join(root, 'dist/bin/cli.js');
const mib = 1024 * 1024;
const fileCount = 640;
const mode = cpuModeFromArgs();
const only = process.env['BENCH_ONLY'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

if (!fs.existsSync(binary)) {
	console.error(`${binary} is missing: run npm run build first`);
	process.exit(1);
}

const report: string[] = [];
const stopBurner = startBurner(mode);
try {
	if (only !== 'memory') report.push(...(await wholeBatch()));
	if (only !== 'files') report.push(...(await planningMemory()));
} finally {
	stopBurner();
}
console.log(`\nbatch bench (Node ${process.version}); ${mode.describe}; load average ${os.loadavg().map((n) => n.toFixed(1)).join(' ')}`);
console.log(report.join('\n'));

/** The account size whose files (PNGs, and the clips of video jobs) number exactly `files`. */
function jobsForFiles(files: number): number {
	for (let jobs = Math.floor(files / 8); jobs <= files; jobs++) {
		const total = new Account(1, jobs).jobs().reduce((sum, job) => sum + jobFilePaths(job).length, 0);
		if (total === files) return jobs;
	}
	throw new Error(`no stand-in account has exactly ${files} files`);
}

/** What a user's shell would hand mj-tui: a fresh $HOME (no config file), PATH, and the session in MJ_TUI_* variables. */
function userEnv(home: string, standIn: StandIn): NodeJS.ProcessEnv {
	return {HOME: home, PATH: process.env['PATH'], MJ_TUI_TOKEN: standIn.token, MJ_TUI_REFRESH_TOKEN: standIn.refreshToken, MJ_TUI_TOKEN_API_KEY: standIn.tokenApiKey};
}

/** The flags that point mj-tui at the stand-in instead of midjourney.com. */
function standInFlags(standIn: StandIn, cdnBase = standIn.cdnBase): string[] {
	return ['--api-base', standIn.apiBase, '--cdn-base', cdnBase, '--token-base', standIn.tokenBase, '--user-id', standIn.userId];
}

async function wholeBatch(): Promise<string[]> {
	const runs = Number(process.env['BENCH_RUNS'] ?? 3);
	const jobs = jobsForFiles(fileCount);
	const standIn = await startStandIn({jobs, imageBytes: mib, cacheBytes: (fileCount + 64) * mib * 1.1});
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-tui-bench-batch-'));
	const results: Record<'mj-tui' | 'curl', TimedRun[]> = {'mj-tui': [], curl: []};
	try {
		const paths = standIn.jobs().flatMap((job) => standIn.filePaths(job.id));
		// Generate every file before timing, so neither tool waits for the stand-in to make one.
		const bytes = paths.reduce((sum, p) => sum + standIn.fileBytes(p).length, 0);
		fs.writeFileSync(path.join(work, 'curl.cfg'), paths.map((p, i) => `url = "${standIn.cdnBase}${p}"\noutput = "${i}_${path.basename(p)}"\n`).join(''));
		for (let run = 1; run <= runs; run++) {
			for (const tool of run % 2 === 1 ? (['mj-tui', 'curl'] as const) : (['curl', 'mj-tui'] as const)) {
				const out = path.join(work, `${tool}-${run}`);
				fs.mkdirSync(path.join(out, 'home'), {recursive: true});
				if (tool === 'curl') {
					const measured = await timed(mode, 'curl', ['-sS', '--fail', '--parallel', '--parallel-max', '16', '-K', path.join(work, 'curl.cfg')], {cwd: out});
					if (fs.readdirSync(out).length !== paths.length + 1) throw new Error('curl: missing files');
					results.curl.push(measured);
				} else {
					const args = [binary, '--batch', '--json', '--archive', path.join(out, 'archive'), ...standInFlags(standIn), '--concurrency', '16'];
					const measured = await timed(mode, process.execPath, args, {cwd: out, env: userEnv(path.join(out, 'home'), standIn)});
					const summary = JSON.parse(measured.stdout.trim().split('\n').at(-1)!) as {downloaded: number; failed: number; jobsNew: number};
					if (summary.downloaded !== paths.length || summary.failed !== 0 || summary.jobsNew !== jobs) throw new Error(`mj-tui: ${JSON.stringify(summary)}`);
					results['mj-tui'].push(measured);
				}
				fs.rmSync(out, {recursive: true, force: true});
				process.stderr.write(`run ${run} ${tool}: ${(results[tool].at(-1)!.wallMs / 1000).toFixed(2)} s\n`);
			}
		}
		const mb = bytes / 1e6;
		const row = (name: string, runs: TimedRun[]) => {
			const wall = median(runs.map((r) => r.wallMs));
			return `  ${name.padEnd(44)} ${(wall / 1000).toFixed(2).padStart(6)} s ${(mb / (wall / 1000)).toFixed(0).padStart(5)} MB/s ${(median(runs.map((r) => r.rssKiB)) / 1024).toFixed(0).padStart(5)} MiB peak ${median(runs.map((r) => r.cpuSeconds)).toFixed(2).padStart(6)} CPU s`;
		};
		const ratio = median(results['mj-tui'].map((r) => r.wallMs)) / median(results.curl.map((r) => r.wallMs));
		const perRun = median(results['mj-tui'].map((r, i) => r.wallMs / results.curl[i]!.wallMs));
		return [
			`whole batch: ${paths.length} files (${jobs} jobs) x ${(bytes / paths.length / mib).toFixed(2)} MiB = ${mb.toFixed(0)} MB from the stand-in on 127.0.0.1, median of ${runs} runs`,
			row('mj-tui --batch --concurrency 16 (sync + files)', results['mj-tui']),
			row('curl --parallel --parallel-max 16', results.curl),
			`  mj-tui / curl wall: ${ratio.toFixed(2)}x (median of per-run ratios ${perRun.toFixed(2)}x)   goal <= 2x, ${ratio <= 2 ? 'met' : 'MISSED'}`,
		];
	} finally {
		await standIn.close();
		fs.rmSync(work, {recursive: true, force: true});
	}
}

/** A CDN that accepts connections and never answers: transfers wait (and time out), no file arrives. */
async function silentServer(): Promise<{base: string; close: () => void}> {
	const sockets = new Set<net.Socket>();
	const server = net.createServer((socket) => {
		sockets.add(socket);
		socket.on('error', () => {});
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as net.AddressInfo;
	return {
		base: `http://127.0.0.1:${port}`,
		close() {
			for (const socket of sockets) socket.destroy();
			server.close();
		},
	};
}

function vmHwmKiB(pid: number): number {
	const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
	return match ? Number(match[1]) : Number.NaN;
}

/** Files the planner will add for the archive's jobs (filesOfJob at the default settings), counted through the bench's own connection. */
function expectedFiles(archive: string): number {
	const db = openArchiveDb(archive);
	try {
		let files = 0;
		for (const job of db.prepare('SELECT id, enqueued_at, first_seen_at, job_type, prompt, batch_size, is_video FROM jobs').iterate() as Iterable<Parameters<typeof filesOfJob>[0]>) {
			files += filesOfJob(job, defaultConfig).length;
		}
		return files;
	} finally {
		db.close();
	}
}

function imagesRows(archive: string): number {
	const db = openArchiveDb(archive);
	try {
		return (db.prepare('SELECT max(rowid) AS n FROM images').get() as {n: number | null}).n ?? 0;
	} finally {
		db.close();
	}
}

async function planningMemory(): Promise<string[]> {
	const jobs = Number(process.env['BENCH_PLAN_JOBS'] ?? 1_250_000);
	const template = path.join(os.tmpdir(), `mj-tui-bench-plan-${jobs}`);
	console.log(`planning archive: ${jobs.toLocaleString('en-US')} jobs at ${template}`);
	const built = ensureSyntheticArchive(template, jobs, {onProgress: (n) => n % 100_000 === 0 && process.stdout.write(`  ${n.toLocaleString('en-US')} jobs written\r`)});
	console.log(built ? `  built in ${(built.durationMs / 1000).toFixed(1)} s` : '  reused');
	// Each run plans into a copy: the template keeps its jobs and no images rows.
	const archive = `${template}-run`;
	fs.rmSync(archive, {recursive: true, force: true});
	fs.mkdirSync(archive);
	for (const name of fs.readdirSync(template).filter((n) => n.startsWith('archive.db'))) fs.copyFileSync(path.join(template, name), path.join(archive, name));
	const expected = expectedFiles(archive);
	console.log(`  ${expected.toLocaleString('en-US')} files to plan`);

	const standIn = await startStandIn({jobs: 20});
	const cdn = await silentServer();
	const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-tui-bench-plan-home-'));
	try {
		const [command, args] = pinnedCommand(mode, process.execPath, [binary, '--batch', '--json', '--archive', archive, ...standInFlags(standIn, cdn.base), '--concurrency', '16']);
		const started = performance.now();
		const child = spawn(command, args, {env: userEnv(home, standIn), stdio: ['ignore', 'pipe', 'pipe']});
		let stdout = '';
		child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
		child.stderr.resume();
		const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
		// Under taskset the pid is node's: taskset execs it.
		const pid = child.pid!;
		let planned = 0;
		for (let previous = -1; ; previous = planned) {
			await sleep(2000);
			if (child.exitCode !== null) throw new Error(`mj-tui exited ${child.exitCode} before planning ended: ${stdout}`);
			planned = imagesRows(archive);
			process.stderr.write(`  planned ${planned.toLocaleString('en-US')} of ${expected.toLocaleString('en-US')}, VmHWM ${(vmHwmKiB(pid) / 1024).toFixed(0)} MiB\r`);
			// The stand-in's own 20 jobs (synced first) add a few rows too: wait until the archive's are in and growth stopped.
			if (planned >= expected && planned === previous) break;
		}
		const planMs = performance.now() - started;
		await sleep(2000);
		const peak = vmHwmKiB(pid);
		child.kill('SIGINT');
		const code = await exited;
		const kept = imagesRows(archive);
		return [
			`planning memory: --batch over ${jobs.toLocaleString('en-US')} jobs with ${expected.toLocaleString('en-US')} files and no images rows; the CDN never answers; Ctrl-C once all are planned`,
			`  planned ${planned.toLocaleString('en-US')} rows in ${(planMs / 1000).toFixed(0)} s (start-up and sync included)`,
			`  peak RSS (VmHWM) ${(peak / 1024).toFixed(1)} MiB   goal < 250 MiB, ${peak / 1024 < 250 ? 'met' : 'MISSED'}`,
			`  after Ctrl-C: exit ${code} (expected 130), ${kept.toLocaleString('en-US')} rows kept`,
		];
	} finally {
		cdn.close();
		await standIn.close();
		fs.rmSync(home, {recursive: true, force: true});
		fs.rmSync(archive, {recursive: true, force: true});
	}
}
