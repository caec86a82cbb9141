/**
 * `npm run bench:tools`: the archive tools on a large synthetic archive
 * (default 1,000,000 jobs with images rows), each next to a peer measured in
 * the same run:
 * - `search` (the subcommand: argv parsing, opening the archive, ranking,
 *   formatting) for two-word queries vs the same FTS5 MATCH run directly on
 *   an open database (goal: p95 < 30 ms);
 * - `export --format csv` jobs/s and peak RSS at 100,000 jobs vs all jobs
 *   (goal: >= 100,000 jobs/s, flat memory), each in its own process;
 * - `verify` hashing vs `sha256sum` over the same real files (goal >= 80%);
 * - the HTML gallery with 100,000 images vs 1,000 in headless chromium:
 *   export time, page size, time until the grid is drawn, time for a search.
 *
 * Env: BENCH_JOBS (default 1000000), BENCH_ARCHIVE (shared with
 * bench/archive-search.ts; reused when it holds that many jobs), BENCH_REPS
 * (default 25), BENCH_VERIFY_MB (default 256: size of the hashed file set),
 * BENCH_ONLY=search,export,verify,gallery picks parts (gallery needs /usr/bin/chromium).
 */
import {execFileSync, spawnSync} from 'node:child_process';
import {randomBytes, createHash} from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {Writable, PassThrough} from 'node:stream';
import {fileURLToPath} from 'node:url';
import {searchCommand} from '../source/commands/search.js';
import {parseSearchQuery} from '../source/core/archive/search-query.js';
import {ArchiveStore} from '../source/core/archive/store.js';
import {defaultConfig} from '../source/core/config/config.js';
import {runExport} from '../source/core/export/run.js';
import {verifyArchive} from '../source/core/verify.js';
import {pathToFileURL} from 'node:url';
import sharp from 'sharp';
import {chromium} from 'playwright-core';
import {openArchiveDb} from './lib/archive-db.js';
import {buildSyntheticArchive, ensureSyntheticArchive} from './lib/synthetic-archive.js';

const jobCount = Number(process.env.BENCH_JOBS ?? 1_000_000);
const reps = Number(process.env.BENCH_REPS ?? 25);
const archive = process.env.BENCH_ARCHIVE ?? path.join(os.tmpdir(), `mj-tui-bench-archive-${jobCount}`);
const verifyMegabytes = Number(process.env.BENCH_VERIFY_MB ?? 256);

function percentile(values: readonly number[], p: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function median(values: readonly number[]): number {
	return percentile(values, 50);
}

/** Child mode: one csv export in a fresh process, so its peak RSS is its own. */
async function exportChild(limit: number, out: string): Promise<void> {
	const store = ArchiveStore.open(archive, {readonly: true});
	const started = performance.now();
	const report = await runExport(store, {format: 'csv', out, limit: limit > 0 ? limit : undefined});
	const seconds = (performance.now() - started) / 1000;
	store.close();
	process.stdout.write(JSON.stringify({jobs: report.jobs, seconds, maxRssMb: process.resourceUsage().maxRSS / 1024, bytes: fs.statSync(out).size}));
}

if (process.argv[2] === '--export-child') {
	await exportChild(Number(process.argv[3]), process.argv[4]!);
	process.exit(0);
}

console.log(`bench:tools  ${jobCount} jobs at ${archive}, node ${process.version}, ${os.cpus().length} cpus`);
// Reused when this builder made it with the same count (bench:archive shares it); rebuilt when stale or from an older schema.
const built = ensureSyntheticArchive(archive, jobCount, {images: true});
if (built) console.log(`built in ${(built.durationMs / 1000).toFixed(1)} s: ${built.jobs} jobs, ${built.images} images rows`);

/** BENCH_ONLY=search,export,verify,gallery runs only those parts. */
const only = process.env.BENCH_ONLY?.split(',');
const enabled = (part: string) => !only || only.includes(part);

// 1. search: the subcommand end to end vs the bare FTS5 query.
if (enabled('search')) {
	const sink = new Writable({write: (_chunk, _encoding, done) => done()});
	const io = {stdout: sink, stderr: sink, stdin: new PassThrough(), env: {}, cwd: process.cwd()};
	const config = {...defaultConfig, archive};
	const peer = openArchiveDb(archive);
	const direct = peer.prepare('SELECT rowid, rank FROM jobs_fts WHERE jobs_fts MATCH ? ORDER BY rank LIMIT 50');
	const queries = ['red fox', 'koi pond', 'oil painting', 'golden hour', 'cozy cabin', 'brass owl', 'snow storm', 'film grain'];
	const commandMs: number[] = [];
	const rankAllMs: number[] = [];
	const directMs: number[] = [];
	const run = async (argv: string[]) => searchCommand.run({io, config, argv, signal: new AbortController().signal});
	for (const query of queries) {
		const match = parseSearchQuery(query).match!;
		for (let rep = 0; rep < reps; rep++) {
			let started = performance.now();
			await run(query.split(' '));
			commandMs.push(performance.now() - started);
			started = performance.now();
			await run([...query.split(' '), '--rank-all']);
			rankAllMs.push(performance.now() - started);
			started = performance.now();
			direct.all(match);
			directMs.push(performance.now() - started);
		}
	}
	peer.close();
	const line = (name: string, times: number[], note = '') => console.log(`  ${name.padEnd(24)} p50 ${median(times).toFixed(2).padStart(6)} ms  p95 ${percentile(times, 95).toFixed(2).padStart(6)} ms${note}`);
	console.log('\nsearch <two words> (limit 50): the subcommand (opens the archive, ranks, prints) vs the same FTS5 MATCH on an open database');
	line('mj-tui search', commandMs, '   (goal p95 < 30 ms; ranks the newest 5,000 matches)');
	line('mj-tui search --rank-all', rankAllMs, '   (bm25 over every match)');
	line('direct FTS5 (all ranked)', directMs);
	console.log(`  ratio to direct (p95)    ${(percentile(commandMs, 95) / percentile(directMs, 95)).toFixed(2)}x, --rank-all ${(percentile(rankAllMs, 95) / percentile(directMs, 95)).toFixed(2)}x`);
}

// 2. csv export: throughput and peak RSS at 100k jobs vs everything, each in a fresh process.
if (enabled('export')) {
	const out = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-tui-bench-export-'));
	const self = fileURLToPath(import.meta.url);
	const run = (limit: number) => {
		const child = spawnSync(process.execPath, ['--import', 'tsx', self, '--export-child', String(limit), path.join(out, `jobs-${limit}.csv`)], {encoding: 'utf8', env: {...process.env, BENCH_ARCHIVE: archive}});
		if (child.status !== 0) throw new Error(child.stderr);
		return JSON.parse(child.stdout) as {jobs: number; seconds: number; maxRssMb: number; bytes: number};
	};
	const small = run(Math.min(100_000, jobCount));
	const all = run(0);
	console.log('\nexport --format csv (jobs with their image paths), one process per run');
	for (const [label, result] of [['100k', small], ['all', all]] as const) {
		console.log(`  ${label.padEnd(4)} ${String(result.jobs).padStart(8)} jobs  ${(result.jobs / result.seconds).toFixed(0).padStart(7)} jobs/s  peak RSS ${result.maxRssMb.toFixed(0)} MB  ${(result.bytes / 1024 / 1024).toFixed(0)} MB written   (goal >= 100000 jobs/s)`);
	}
	console.log(`  peak RSS ratio all/100k: ${(all.maxRssMb / small.maxRssMb).toFixed(2)} (flat memory = about 1)`);
	// Peer: the sqlite3 shell writing the same jobs and done paths as CSV (no formula guard, no redaction), same order.
	const peerLimit = Math.min(100_000, jobCount);
	const peerSql = `SELECT id, enqueue_time, job_type, event_type, prompt, full_command, parameters, width, height, batch_size, parent_id, parent_grid, rating,
		(SELECT group_concat(i.path, ';') FROM images i WHERE i.job_id = j.id AND i.status = 'done' AND i.path IS NOT NULL) FROM jobs j ORDER BY j.rowid DESC LIMIT ${peerLimit}`;
	const peerStarted = performance.now();
	const peer = spawnSync('sqlite3', ['-readonly', '-csv', path.join(archive, 'archive.db'), peerSql], {stdio: ['ignore', fs.openSync(path.join(out, 'peer.csv'), 'w'), 'pipe']});
	const peerSeconds = (performance.now() - peerStarted) / 1000;
	if (peer.status === 0) {
		console.log(`  peer: sqlite3 -csv, same ${peerLimit} jobs and paths  ${(peerLimit / peerSeconds).toFixed(0)} jobs/s   export/peer ${((small.jobs / small.seconds) / (peerLimit / peerSeconds)).toFixed(2)}x`);
	}
	fs.rmSync(out, {recursive: true, force: true});
}

// 3. verify hashing vs sha256sum over the same real files.
if (enabled('verify')) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-tui-bench-verify-'));
	const store = ArchiveStore.open(dir);
	const fileBytes = 4 * 1024 * 1024;
	const files = Math.max(1, Math.round((verifyMegabytes * 1024 * 1024) / fileBytes));
	fs.mkdirSync(path.join(dir, 'images'), {recursive: true});
	const db = openArchiveDb(dir, {writable: true});
	const insert = db.prepare(`INSERT INTO images (job_id, idx, variant, url, path, bytes, sha256, status, updated_at) VALUES (NULL, 0, 'url', ?, ?, ?, ?, 'done', 0)`);
	for (let i = 0; i < files; i++) {
		const bytes = randomBytes(fileBytes);
		const relative = `images/file-${i}.png`;
		fs.writeFileSync(path.join(dir, relative), bytes);
		insert.run(`https://example.test/${i}`, relative, bytes.length, createHash('sha256').update(bytes).digest('hex'));
	}
	db.close();
	const paths = Array.from({length: files}, (_, i) => path.join(dir, `images/file-${i}.png`));
	const verifyMs: number[] = [];
	const sumMs: number[] = [];
	for (let rep = 0; rep < 3; rep++) {
		let started = performance.now();
		const report = await verifyArchive(store);
		verifyMs.push(performance.now() - started);
		if (report.problems.length > 0) throw new Error('verify found problems in the bench files');
		started = performance.now();
		execFileSync('sha256sum', paths, {maxBuffer: 64 * 1024 * 1024});
		sumMs.push(performance.now() - started);
	}
	store.close();
	const mb = (files * fileBytes) / 1024 / 1024;
	console.log(`\nverify: re-hash ${files} files, ${mb.toFixed(0)} MB (page cache warm, median of 3)`);
	console.log(`  mj-tui verify  ${(mb / (median(verifyMs) / 1000)).toFixed(0)} MB/s`);
	console.log(`  sha256sum      ${(mb / (median(sumMs) / 1000)).toFixed(0)} MB/s`);
	console.log(`  verify / sha256sum speed: ${((median(sumMs) / median(verifyMs)) * 100).toFixed(0)}%   (goal >= 80%)`);
	fs.rmSync(dir, {recursive: true, force: true});
}

// 4. The HTML gallery at 100,000 images vs 1,000: the same few real files behind every row (thumbnails are cached by content).
if (enabled('gallery') && fs.existsSync('/usr/bin/chromium')) {
	const browser = await chromium.launch({
		executablePath: '/usr/bin/chromium',
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
	});
	const measure = async (images: number) => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-tui-bench-gallery-'));
		// Jobs hold 1 to 4 images (upscales, grids): about 3.3 on average.
		buildSyntheticArchive(dir, Math.ceil(images / 3.3), {images: true, doneShare: 1, failedShare: 0});
		const store = ArchiveStore.open(dir);
		const db = openArchiveDb(dir, {writable: true});
		fs.mkdirSync(path.join(dir, 'images'), {recursive: true});
		for (let k = 0; k < 8; k++) {
			const bytes = await sharp({create: {width: 512, height: 512, channels: 3, background: {r: 30 * k, g: 90, b: 200 - 20 * k}}}).png().toBuffer();
			const relative = `images/sample-${k}.png`;
			fs.writeFileSync(path.join(dir, relative), bytes);
			db.prepare(`UPDATE images SET path = ?, sha256 = ?, bytes = ? WHERE id % 8 = ?`).run(relative, createHash('sha256').update(bytes).digest('hex'), bytes.length, k);
		}
		db.close();
		let started = performance.now();
		const report = await runExport(store, {format: 'html', out: path.join(dir, 'gallery')});
		const exportMs = performance.now() - started;
		store.close();
		const page = await browser.newPage({viewport: {width: 1280, height: 900}});
		const errors: string[] = [];
		page.on('pageerror', error => errors.push(error.message));
		started = performance.now();
		await page.goto(pathToFileURL(path.join(dir, 'gallery', 'index.html')).href);
		await page.waitForSelector('body[data-ready="true"]');
		const readyMs = performance.now() - started;
		const countText = () => (globalThis as unknown as {document: {getElementById(id: string): {textContent: string}}}).document.getElementById('count').textContent;
		const before = await page.evaluate(countText);
		started = performance.now();
		await page.fill('#search', 'fox');
		await page.waitForFunction(previous => (globalThis as unknown as {document: {getElementById(id: string): {textContent: string}}}).document.getElementById('count').textContent !== previous, before);
		const searchMs = performance.now() - started;
		await page.close();
		const htmlMb = fs.statSync(path.join(dir, 'gallery', 'index.html')).size / 1024 / 1024;
		fs.rmSync(dir, {recursive: true, force: true});
		if (errors.length > 0) throw new Error(`gallery page errors: ${errors.join('; ')}`);
		return {images: report.gallery!.images, exportMs, htmlMb, readyMs, searchMs};
	};
	const small = await measure(1000);
	const large = await measure(100_000);
	await browser.close();
	console.log('\nexport --format html, then the page in headless chromium (file://)');
	for (const result of [small, large]) {
		console.log(`  ${String(result.images).padStart(6)} images  export ${(result.exportMs / 1000).toFixed(1)} s  index.html ${result.htmlMb.toFixed(1)} MB  grid drawn ${result.readyMs.toFixed(0)} ms  search "fox" ${result.searchMs.toFixed(0)} ms`);
	}
	console.log(`  100k / 1k: grid drawn ${(large.readyMs / small.readyMs).toFixed(1)}x, search ${(large.searchMs / small.searchMs).toFixed(1)}x (tiles are drawn 120 at a time)`);
}
