/**
 * `npm run bench:download`: 1,000 files of 1 MiB from the stand-in CDN on
 * 127.0.0.1, 16 in flight, fetched by the engine with its full guarantees
 * (sha256, fsync, atomic rename, archive rows), by `curl --parallel
 * --parallel-max 16` and by `aria2c -j 16`, in the same run from the same
 * server (files pre-generated and cached, so the server is not the limit).
 * Prints wall time, MB/s and peak RSS of each and the ratios; medians of
 * BENCH_RUNS runs (default 3). BENCH_FILES changes the file count.
 *
 * Each tool runs under /usr/bin/time -v for its peak RSS. The engine runs in
 * a child process (this file with `--engine-child`), via tsx. A fourth
 * measurement, the fsync floor (`--fsync-floor`), writes the same bytes with
 * the engine's durability steps and nothing else: what the guarantee alone
 * costs on this disk, which curl and aria2c do not pay.
 *
 * CPU seconds per GB (user + sys, from /usr/bin/time) of each tool, and of
 * the engine's runDownloads alone (process.cpuUsage around it, which counts
 * its worker and libuv threads), so the engine's CPU is compared with curl's
 * without node's and tsx's start-up.
 *
 * BENCH_NODE_FLAGS passes flags to the engine child's node (--cpu-prof).
 * `--cpus 1`: every tool under `taskset -c 0` with a burner spinning the
 * other core (bench/lib/cpus.ts); the stand-in is not pinned (it is the far end).
 */
import {execFileSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {cpuModeFromArgs, startBurner} from './lib/cpus.js';
import {median, timed} from './lib/timed.js';

const mib = 1024 * 1024;

if (process.argv[2] === '--engine-child') {
	await engineChild(process.argv[3]!, process.argv[4]!, process.argv[5]!);
} else if (process.argv[2] === '--fsync-floor') {
	await fsyncFloor(process.argv[3]!, Number(process.argv[4]), Number(process.argv[5]));
} else {
	await main();
}

/** The engine's side: a fresh archive, the URL list, 16 in flight. Prints JSON with its own timing. */
async function engineChild(urlsFile: string, archive: string, cdnBase: string): Promise<void> {
	const {ArchiveStore} = await import('../source/core/archive/store.js');
	const {defaultConfig} = await import('../source/core/config/config.js');
	const {runDownloads} = await import('../source/core/downloads/run.js');
	const store = ArchiveStore.open(archive);
	const started = performance.now();
	const cpuBefore = process.cpuUsage();
	// BENCH_PERCEPTUAL_HASHES=0 leaves out the dHash of each image (similar, families), to see its share of the engine's CPU.
	const perceptualHashes = process.env.BENCH_PERCEPTUAL_HASHES !== '0';
	// BENCH_HASH_WHILE_RECEIVING=0/1 overrides the engine's choice (sha256 as bytes arrive, or read back on a worker).
	const choice = process.env.BENCH_HASH_WHILE_RECEIVING;
	const engineOptions = choice === undefined ? {} : {hashWhileReceiving: choice === '1'};
	const summary = await runDownloads({store, urlsFile, perceptualHashes, engineOptions, config: {...defaultConfig, archive, cdnBase, concurrency: 16, perHostConcurrency: 16}});
	const ms = performance.now() - started;
	const cpu = process.cpuUsage(cpuBefore);
	store.close();
	const {openArchiveDb} = await import('./lib/archive-db.js');
	const db = openArchiveDb(archive);
	const done = (db.prepare("SELECT COUNT(*) AS n FROM images WHERE status = 'done' AND sha256 IS NOT NULL").get() as {n: number}).n;
	db.close();
	process.stdout.write(`${JSON.stringify({ms, cpuSeconds: (cpu.user + cpu.system) / 1e6, systemSeconds: cpu.system / 1e6, done, downloaded: summary.downloaded, failed: summary.failed, bytes: summary.bytes, perceptualHashes: summary.perceptualHashes})}\n`);
}

/**
 * What the durability guarantee alone costs on this disk: the same bytes as
 * `files` files written 16 at a time, each fsynced, renamed, folder fsynced,
 * with no network and no hashing. The engine cannot beat this floor; curl and
 * aria2c do not pay it (they leave the data in the page cache).
 */
async function fsyncFloor(directory: string, files: number, bytes: number): Promise<void> {
	const data = Buffer.alloc(bytes, 7);
	let next = 0;
	const started = performance.now();
	const cpuBefore = process.cpuUsage();
	const worker = async (): Promise<void> => {
		for (let i = next++; i < files; i = next++) {
			const part = path.join(directory, `${i}.part`);
			const handle = await fs.promises.open(part, 'w');
			await handle.write(data);
			await handle.sync();
			await handle.close();
			await fs.promises.rename(part, path.join(directory, `${i}.png`));
			const folder = await fs.promises.open(directory, 'r');
			await folder.sync();
			await folder.close();
		}
	};
	await Promise.all(Array.from({length: 16}, worker));
	const cpu = process.cpuUsage(cpuBefore);
	process.stdout.write(`${JSON.stringify({ms: performance.now() - started, cpuSeconds: (cpu.user + cpu.system) / 1e6, systemSeconds: cpu.system / 1e6})}\n`);
}

interface Measured {
	wallMs: number;
	rssKiB: number;
	cpuSeconds: number;
	/** The engine's own runDownloads time (without node + tsx start-up). */
	innerMs?: number;
	/** The engine's CPU seconds inside runDownloads, and the kernel's part of them. */
	innerCpuSeconds?: number;
	innerSystemSeconds?: number;
	/** The run's perceptual hashes: made, and left for verify (its nice-19 process's CPU is in cpuSeconds, not innerCpuSeconds). */
	dHashes?: {hashed: number; left: number};
}

function ensureTool(binary: string, debianPackage: string): void {
	try {
		execFileSync('which', [binary], {stdio: 'ignore'});
		return;
	} catch {}
	process.stderr.write(`installing ${debianPackage} (apt-get) for the comparison...\n`);
	const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
	const run = (args: string[]) => execFileSync(sudo[0] ?? args[0]!, sudo.length > 0 ? args : args.slice(1), {stdio: 'inherit', env: {...process.env, DEBIAN_FRONTEND: 'noninteractive'}});
	run(['apt-get', 'update', '-qq']);
	run(['apt-get', 'install', '-y', '-qq', debianPackage]);
}

function sha256(data: Buffer): string {
	return createHash('sha256').update(data).digest('hex');
}

async function main(): Promise<void> {
	const fileCount = Number(process.env.BENCH_FILES ?? 1000);
	const runs = Number(process.env.BENCH_RUNS ?? 3);
	const mode = cpuModeFromArgs();
	// BENCH_NODE_FLAGS: flags for the engine child's node, e.g. --cpu-prof --cpu-prof-dir=/tmp/prof.
	const engineNodeFlags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
	ensureTool('curl', 'curl');
	ensureTool('aria2c', 'aria2');
	const {startStandIn} = await import('../fixtures/stand-in.js');
	// About 3.4 files per job; keep every file in the stand-in's cache so no tool waits for PNG generation.
	const standIn = await startStandIn({jobs: Math.ceil(fileCount / 2), imageBytes: mib, cacheBytes: (fileCount + 64) * mib * 1.1});
	const paths = standIn
		.jobs()
		.flatMap((job) => standIn.filePaths(job.id))
		.filter((p) => p.endsWith('.png'))
		.slice(0, fileCount);
	if (paths.length < fileCount) throw new Error(`the stand-in has only ${paths.length} PNGs`);
	const expected = new Map(paths.map((p) => [p, sha256(standIn.fileBytes(p))]));
	const totalBytes = paths.reduce((n, p) => n + standIn.fileBytes(p).length, 0);
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-tui-bench-dl-'));
	const urls = paths.map((p) => `${standIn.cdnBase}${p}`);
	const flatName = (p: string) => p.slice(1).replaceAll('/', '_');
	fs.writeFileSync(path.join(work, 'urls.txt'), urls.join('\n') + '\n');
	fs.writeFileSync(path.join(work, 'curl.cfg'), paths.map((p, i) => `url = "${urls[i]}"\noutput = "${flatName(p)}"\n`).join(''));
	fs.writeFileSync(path.join(work, 'aria2.txt'), paths.map((p, i) => `${urls[i]}\n  out=${flatName(p)}\n`).join(''));

	const results: Record<'engine' | 'curl' | 'aria2c' | 'floor', Measured[]> = {engine: [], curl: [], aria2c: [], floor: []};
	// BENCH_TOOLS=engine,curl: only these (quick A/B comparisons while developing); the others print NaN.
	const tools = (process.env.BENCH_TOOLS ?? 'engine,curl,aria2c,floor').split(',').filter((tool): tool is keyof typeof results => tool in results);
	const stopBurner = startBurner(mode);
	const self = new URL(import.meta.url).pathname;
	for (let run = 1; run <= runs; run++) {
		// Rotate the order so no tool always enjoys (or suffers) the page cache state left by another.
		const order = tools.map((_, i, all) => all[(i + run - 1) % all.length]!);
		for (const tool of order) {
			const out = path.join(work, `${tool}-${run}`);
			fs.mkdirSync(out);
			if (tool === 'engine') {
				const measured = await timed(mode, process.execPath, [...engineNodeFlags, '--import', 'tsx', self, '--engine-child', path.join(work, 'urls.txt'), out, standIn.cdnBase]);
				const report = JSON.parse(measured.stdout.trim().split('\n').at(-1)!) as {ms: number; cpuSeconds: number; systemSeconds: number; done: number; failed: number; perceptualHashes?: {hashed: number; left: number}};
				if (report.done !== fileCount || report.failed !== 0) throw new Error(`engine: ${JSON.stringify(report)}`);
				// Spot-check the engine's files against the served bytes.
				for (const p of paths.filter((_, i) => i % 50 === 0)) {
					const file = path.join(out, 'urls', new URL(standIn.cdnBase).host.replace(':', '_'), ...p.slice(1).split('/'));
					if (sha256(fs.readFileSync(file)) !== expected.get(p)) throw new Error(`engine: wrong bytes in ${file}`);
				}
				results.engine.push({wallMs: measured.wallMs, rssKiB: measured.rssKiB, cpuSeconds: measured.cpuSeconds, innerMs: report.ms, innerCpuSeconds: report.cpuSeconds, innerSystemSeconds: report.systemSeconds, dHashes: report.perceptualHashes});
			} else if (tool === 'floor') {
				const measured = await timed(mode, process.execPath, ['--import', 'tsx', self, '--fsync-floor', out, String(fileCount), String(mib)]);
				const report = JSON.parse(measured.stdout.trim()) as {ms: number; cpuSeconds: number; systemSeconds: number};
				results.floor.push({...measured, innerMs: report.ms, innerCpuSeconds: report.cpuSeconds, innerSystemSeconds: report.systemSeconds});
			} else if (tool === 'curl') {
				const measured = await timed(mode, 'curl', ['-sS', '--fail', '--parallel', '--parallel-max', '16', '-K', path.join(work, 'curl.cfg')], {cwd: out});
				if (fs.readdirSync(out).length !== fileCount) throw new Error('curl: missing files');
				results.curl.push(measured);
			} else {
				const measured = await timed(mode, 'aria2c', ['-j', '16', '-i', path.join(work, 'aria2.txt'), '-d', out, '-q', '--file-allocation=none', '--auto-file-renaming=false', '--allow-overwrite=true', '--summary-interval=0', '--console-log-level=error']);
				if (fs.readdirSync(out).filter((name) => name.endsWith('.png')).length !== fileCount) throw new Error('aria2c: missing files');
				results.aria2c.push(measured);
			}
			fs.rmSync(out, {recursive: true, force: true});
			process.stderr.write(`run ${run} ${tool}: ${(results[tool].at(-1)!.wallMs / 1000).toFixed(2)} s\n`);
		}
	}
	stopBurner();
	await standIn.close();
	fs.rmSync(work, {recursive: true, force: true});

	const mb = totalBytes / 1e6;
	const gb = totalBytes / 1e9;
	const row = (name: string, wallMs: number, rssKiB: number, cpuSeconds: number) =>
		`${name.padEnd(34)} ${(wallMs / 1000).toFixed(2).padStart(7)} s ${(mb / (wallMs / 1000)).toFixed(0).padStart(6)} MB/s ${(rssKiB / 1024).toFixed(0).padStart(6)} MiB ${(cpuSeconds / gb).toFixed(2).padStart(7)} CPU s/GB`;
	const med = (tool: keyof typeof results, pick: (r: Measured) => number) => median(results[tool].map(pick));
	const engineWall = med('engine', (r) => r.wallMs);
	const engineInner = med('engine', (r) => r.innerMs!);
	const curlWall = med('curl', (r) => r.wallMs);
	const ariaWall = med('aria2c', (r) => r.wallMs);
	const engineRss = med('engine', (r) => r.rssKiB);
	const floorInner = med('floor', (r) => r.innerMs!);
	const engineCpu = med('engine', (r) => r.innerCpuSeconds!);
	const curlCpu = med('curl', (r) => r.cpuSeconds);
	const ariaCpu = med('aria2c', (r) => r.cpuSeconds);
	const perRun = (ratio: (i: number) => number) => median(results.engine.map((_, i) => ratio(i))).toFixed(2);
	const peer = (tool: keyof typeof results, i: number): Measured => results[tool][i] ?? {wallMs: NaN, rssKiB: NaN, cpuSeconds: NaN, innerMs: NaN};
	const verdict = (value: number, goal: number) => (value <= goal ? 'met' : 'MISSED');
	const lines = [
		`download bench: ${fileCount} files x ${(totalBytes / fileCount / mib).toFixed(2)} MiB = ${mb.toFixed(0)} MB from the stand-in CDN on 127.0.0.1, 16 in flight, median of ${runs} runs; ${mode.describe}; load average ${os.loadavg().map((n) => n.toFixed(1)).join(' ')}`,
		`${'tool'.padEnd(34)} ${'wall'.padStart(9)} ${'rate'.padStart(11)} ${'peak RSS'.padStart(10)} ${'CPU/GB'.padStart(15)}`,
		row('mj-tui engine (process, incl. tsx)', engineWall, engineRss, med('engine', (r) => r.cpuSeconds)),
		`${row('mj-tui engine (runDownloads only)', engineInner, engineRss, engineCpu)} (kernel ${(med('engine', (r) => r.innerSystemSeconds!) / gb).toFixed(2)})`,
		row('curl --parallel --parallel-max 16', curlWall, med('curl', (r) => r.rssKiB), curlCpu),
		row('aria2c -j 16', ariaWall, med('aria2c', (r) => r.rssKiB), ariaCpu),
		row('fsync floor (no network, no hash)', floorInner, med('floor', (r) => r.rssKiB), med('floor', (r) => r.cpuSeconds)),
		`${row('fsync floor (the writing loop only)', floorInner, med('floor', (r) => r.rssKiB), med('floor', (r) => r.innerCpuSeconds!))} (kernel ${(med('floor', (r) => r.innerSystemSeconds!) / gb).toFixed(2)})`,
		'',
		`engine / curl time:   ${(engineInner / curlWall).toFixed(2)}x (process: ${(engineWall / curlWall).toFixed(2)}x; median of per-run ratios ${perRun((i) => results.engine[i]!.innerMs! / peer('curl', i).wallMs)}x)   goal <= 2x, ${verdict(engineInner / curlWall, 2)}`,
		`engine / fsync floor: ${(engineInner / floorInner).toFixed(2)}x (median of per-run ratios ${perRun((i) => results.engine[i]!.innerMs! / peer('floor', i).innerMs!)}x)   goal <= 1.25x, ${verdict(engineInner / floorInner, 1.25)}`,
		`engine / curl CPU:    ${(engineCpu / curlCpu).toFixed(2)}x (median of per-run ratios ${perRun((i) => results.engine[i]!.innerCpuSeconds! / peer('curl', i).cpuSeconds)}x; sha256 + fsync + rows included)   goal <= 1.5x, ${verdict(engineCpu / curlCpu, 1.5)}`,
		`fsync floor / curl CPU: ${(med('floor', (r) => r.innerCpuSeconds!) / curlCpu).toFixed(2)}x (writing + fsync + rename alone, no network, no hash: what durability costs before the engine does anything)`,
		`engine / aria2c time: ${(engineInner / ariaWall).toFixed(2)}x (process: ${(engineWall / ariaWall).toFixed(2)}x); CPU ${(engineCpu / ariaCpu).toFixed(2)}x   goal < 1x`,
		`engine peak RSS: ${(engineRss / 1024).toFixed(0)} MiB   goal < 200 MiB`,
		results.engine[0]?.dHashes
			? `perceptual hashes (nice-19 process, CPU in the process line only): ${med('engine', (r) => r.dHashes!.hashed)} made during the run, ${med('engine', (r) => r.dHashes!.left)} left for verify (medians)`
			: 'perceptual hashes: off (BENCH_PERCEPTUAL_HASHES=0)',
		'',
		`fsync floor: the same bytes, 16 writers, fsync + rename + folder fsync each, no network; engine above the floor: ${((engineInner - floorInner) / 1000).toFixed(2)} s; curl and aria2c do not fsync`,
	];
	process.stdout.write(lines.join('\n') + '\n');
}
