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
 */
import {execFileSync, spawn} from 'node:child_process';
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

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
	const summary = await runDownloads({store, urlsFile, config: {...defaultConfig, archive, cdnBase, concurrency: 16, perHostConcurrency: 16}});
	const ms = performance.now() - started;
	store.close();
	const {openArchiveDb} = await import('./lib/archive-db.js');
	const db = openArchiveDb(archive);
	const done = (db.prepare("SELECT COUNT(*) AS n FROM images WHERE status = 'done' AND sha256 IS NOT NULL").get() as {n: number}).n;
	db.close();
	process.stdout.write(`${JSON.stringify({ms, done, downloaded: summary.downloaded, failed: summary.failed, bytes: summary.bytes})}\n`);
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
	process.stdout.write(`${JSON.stringify({ms: performance.now() - started})}\n`);
}

interface Measured {
	wallMs: number;
	rssKiB: number;
	/** The engine's own runDownloads time (without node + tsx start-up). */
	innerMs?: number;
}

/** Run a command under /usr/bin/time -v; returns wall time and peak RSS, throws on failure. */
async function timed(command: string, args: string[], options: {cwd?: string} = {}): Promise<Measured & {stdout: string}> {
	return new Promise((resolve, reject) => {
		const started = performance.now();
		const child = spawn('/usr/bin/time', ['-v', command, ...args], {cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe']});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
		child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		child.on('exit', (code) => {
			const wallMs = performance.now() - started;
			const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
			if (code !== 0 || !rss) reject(new Error(`${command} exited ${code}: ${stderr.slice(-2000)}`));
			else resolve({wallMs, rssKiB: Number(rss[1]), stdout});
		});
	});
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

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function sha256(data: Buffer): string {
	return createHash('sha256').update(data).digest('hex');
}

async function main(): Promise<void> {
	const fileCount = Number(process.env.BENCH_FILES ?? 1000);
	const runs = Number(process.env.BENCH_RUNS ?? 3);
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
	const self = new URL(import.meta.url).pathname;
	for (let run = 1; run <= runs; run++) {
		// Rotate the order so no tool always enjoys (or suffers) the page cache state left by another.
		const order = (['engine', 'curl', 'aria2c', 'floor'] as const).map((_, i, all) => all[(i + run - 1) % all.length]!);
		for (const tool of order) {
			const out = path.join(work, `${tool}-${run}`);
			fs.mkdirSync(out);
			if (tool === 'engine') {
				const measured = await timed(process.execPath, ['--import', 'tsx', self, '--engine-child', path.join(work, 'urls.txt'), out, standIn.cdnBase]);
				const report = JSON.parse(measured.stdout.trim().split('\n').at(-1)!) as {ms: number; done: number; failed: number};
				if (report.done !== fileCount || report.failed !== 0) throw new Error(`engine: ${JSON.stringify(report)}`);
				// Spot-check the engine's files against the served bytes.
				for (const p of paths.filter((_, i) => i % 50 === 0)) {
					const file = path.join(out, 'urls', new URL(standIn.cdnBase).host.replace(':', '_'), ...p.slice(1).split('/'));
					if (sha256(fs.readFileSync(file)) !== expected.get(p)) throw new Error(`engine: wrong bytes in ${file}`);
				}
				results.engine.push({wallMs: measured.wallMs, rssKiB: measured.rssKiB, innerMs: report.ms});
			} else if (tool === 'floor') {
				const measured = await timed(process.execPath, ['--import', 'tsx', self, '--fsync-floor', out, String(fileCount), String(mib)]);
				results.floor.push({...measured, innerMs: (JSON.parse(measured.stdout.trim()) as {ms: number}).ms});
			} else if (tool === 'curl') {
				const measured = await timed('curl', ['-sS', '--fail', '--parallel', '--parallel-max', '16', '-K', path.join(work, 'curl.cfg')], {cwd: out});
				if (fs.readdirSync(out).length !== fileCount) throw new Error('curl: missing files');
				results.curl.push(measured);
			} else {
				const measured = await timed('aria2c', ['-j', '16', '-i', path.join(work, 'aria2.txt'), '-d', out, '-q', '--file-allocation=none', '--auto-file-renaming=false', '--allow-overwrite=true', '--summary-interval=0', '--console-log-level=error']);
				if (fs.readdirSync(out).filter((name) => name.endsWith('.png')).length !== fileCount) throw new Error('aria2c: missing files');
				results.aria2c.push(measured);
			}
			fs.rmSync(out, {recursive: true, force: true});
			process.stderr.write(`run ${run} ${tool}: ${(results[tool].at(-1)!.wallMs / 1000).toFixed(2)} s\n`);
		}
	}
	await standIn.close();
	fs.rmSync(work, {recursive: true, force: true});

	const mb = totalBytes / 1e6;
	const row = (name: string, wallMs: number, rssKiB: number) =>
		`${name.padEnd(34)} ${(wallMs / 1000).toFixed(2).padStart(7)} s ${(mb / (wallMs / 1000)).toFixed(0).padStart(6)} MB/s ${(rssKiB / 1024).toFixed(0).padStart(6)} MiB`;
	const engineWall = median(results.engine.map((r) => r.wallMs));
	const engineInner = median(results.engine.map((r) => r.innerMs!));
	const curlWall = median(results.curl.map((r) => r.wallMs));
	const ariaWall = median(results.aria2c.map((r) => r.wallMs));
	const engineRss = median(results.engine.map((r) => r.rssKiB));
	const floorInner = median(results.floor.map((r) => r.innerMs!));
	const lines = [
		`download bench: ${fileCount} files x ${(totalBytes / fileCount / mib).toFixed(2)} MiB = ${mb.toFixed(0)} MB from the stand-in CDN on 127.0.0.1, 16 in flight, median of ${runs} runs`,
		`${'tool'.padEnd(34)} ${'wall'.padStart(9)} ${'rate'.padStart(11)} ${'peak RSS'.padStart(10)}`,
		row('mj-tui engine (process, incl. tsx)', engineWall, engineRss),
		row('mj-tui engine (runDownloads only)', engineInner, engineRss),
		row('curl --parallel --parallel-max 16', curlWall, median(results.curl.map((r) => r.rssKiB))),
		row('aria2c -j 16', ariaWall, median(results.aria2c.map((r) => r.rssKiB))),
		'',
		`engine / curl time:   ${(engineInner / curlWall).toFixed(2)}x (process: ${(engineWall / curlWall).toFixed(2)}x; median of per-run ratios ${median(results.engine.map((r, i) => r.innerMs! / results.curl[i]!.wallMs)).toFixed(2)}x)   goal <= 2x`,
		`engine / aria2c time: ${(engineInner / ariaWall).toFixed(2)}x (process: ${(engineWall / ariaWall).toFixed(2)}x)   goal < 1x`,
		`engine peak RSS: ${(engineRss / 1024).toFixed(0)} MiB   goal < 200 MiB`,
		'',
		`fsync floor (same bytes, 16 writers, fsync + rename + folder fsync each, no network): ${(floorInner / 1000).toFixed(2)} s; engine above the floor: ${((engineInner - floorInner) / 1000).toFixed(2)} s; curl and aria2c do not fsync`,
	];
	process.stdout.write(lines.join('\n') + '\n');
}
