/**
 * `npx tsx bench/archive-search.ts`: the archive store's queries on a large
 * synthetic archive (default 1,000,000 jobs with images rows), each printed
 * next to its peer measured in the same run:
 * - search for two-word queries vs the same FTS5 MATCH ... ORDER BY rank LIMIT
 *   run directly on the database (issue 5: p95 < 30 ms);
 * - search as you type (prefix on the last word), parameter filters;
 * - keyset pages (first and deep), counts and totals;
 * - upsertJobs in batches of 1,000 vs a bare one-transaction insert loop (100,000 jobs).
 *
 * Env: BENCH_JOBS (default 1000000), BENCH_ARCHIVE (reused when it already
 * holds that many jobs; default <tmp>/mj-tui-bench-archive-<jobs>), BENCH_REPS (default 25),
 * BENCH_ONLY=search,typed,filters,pages,upsert picks parts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import {generateJob} from '../fixtures/jobs.js';
import {jobRowFromApi} from '../source/core/archive/job-rows.js';
import {parseSearchQuery} from '../source/core/archive/search-query.js';
import {defaultRankWindow} from '../source/core/archive/search.js';
import {migrations} from '../source/core/archive/schema.js';
import {ArchiveStore, type JobCursor} from '../source/core/archive/store.js';
import type {Job, JobFilter} from '../source/core/job.js';
import {openArchiveDb} from './lib/archive-db.js';
import {ensureSyntheticArchive} from './lib/synthetic-archive.js';

const jobCount = Number(process.env.BENCH_JOBS ?? 1_000_000);
const reps = Number(process.env.BENCH_REPS ?? 25);
const archive = process.env.BENCH_ARCHIVE ?? path.join(os.tmpdir(), `mj-tui-bench-archive-${jobCount}`);
/** BENCH_ONLY=search,typed,filters,pages,upsert runs only those parts. */
const only = process.env.BENCH_ONLY?.split(',');
const enabled = (part: string) => !only || only.includes(part);

function percentile(values: readonly number[], p: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function figures(values: readonly number[]): string {
	return `p50 ${percentile(values, 50).toFixed(2)} ms  p95 ${percentile(values, 95).toFixed(2)} ms`;
}

function timed(run: () => unknown): number {
	const started = performance.now();
	run();
	return performance.now() - started;
}

console.log(`bench:archive  ${jobCount} jobs at ${archive}, ${reps} reps per query, node ${process.version}`);
const built = ensureSyntheticArchive(archive, jobCount, {images: true});
if (built) {
	console.log(`built in ${(built.durationMs / 1000).toFixed(1)} s: ${built.jobs} jobs (${Math.round(built.jobs / (built.durationMs / 1000))} jobs/s through upsertJobs) and ${built.images} images rows`);
}

const store = ArchiveStore.open(archive, {readonly: true});
// Peer queries run on a connection of the bench's own, beside the store's.
const peer = openArchiveDb(archive);
const direct = peer.prepare('SELECT rowid, rank FROM jobs_fts WHERE jobs_fts MATCH ? ORDER BY rank LIMIT 50');
const count = peer.prepare('SELECT count(*) FROM jobs_fts WHERE jobs_fts MATCH ?').pluck();

if (enabled('search')) {
	console.log('\nsearch, two words, limit 50 (store.search vs the same FTS5 query run directly)');
	const twoWord = ['red fox', 'koi pond', 'oil painting', 'golden hour', 'cozy cabin', 'paper boat', 'neon glow', 'wolf aurora'];
	const allSearch: number[] = [];
	const allDirect: number[] = [];
	for (const query of twoWord) {
		const match = parseSearchQuery(query).match!;
		const searchMs: number[] = [];
		const directMs: number[] = [];
		for (let rep = 0; rep < reps; rep++) {
			// Alternate so both sides see the same cache and machine load.
			searchMs.push(timed(() => store.search(query, {limit: 50})));
			directMs.push(timed(() => direct.all(match)));
		}

		allSearch.push(...searchMs);
		allDirect.push(...directMs);
		console.log(`  ${query.padEnd(14)} ${String(count.get(match)).padStart(7)} matches   search ${figures(searchMs)}   direct ${figures(directMs)}`);
	}

	console.log(`  all two-word   search ${figures(allSearch)}   direct ${figures(allDirect)}   ratio p95 ${(percentile(allSearch, 95) / percentile(allDirect, 95)).toFixed(2)}x (goal p95 < 30 ms)`);

}
if (enabled('typed')) {
	console.log(`\nsearch as you type: "lighthouse on a basalt cliff" one keystroke at a time (prefixLast), all matches ranked vs the newest ${defaultRankWindow} (the default with prefixLast)`);
	const typed = 'lighthouse on a basalt cliff';
	// Peer: the same window ranked with every term, as two statements run directly (what search did before it left common terms out).
	const oldest = peer.prepare('SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?').pluck();
	const rankAll = peer.prepare('SELECT rowid, rank FROM jobs_fts WHERE jobs_fts MATCH ? AND rowid >= ? ORDER BY rank, rowid DESC LIMIT 200');
	const directWindow = (text: string) => {
		const match = parseSearchQuery(text, {prefixLast: true}).match;
		if (match === null) return;
		rankAll.all(match, (oldest.get(match, defaultRankWindow - 1) as number | undefined) ?? 0);
	};
	const runs: Array<[string, (text: string) => unknown]> = [
		['all matches', text => store.search(text, {limit: 200, prefixLast: true, rankWindow: 0})],
		[`window ${defaultRankWindow}`, text => store.search(text, {limit: 200, prefixLast: true})],
		['direct, every term ranked', directWindow],
	];
	const perRun = new Map<string, number[]>(runs.map(([label]) => [label, []]));
	for (let rep = 0; rep < Math.max(3, Math.floor(reps / 5)); rep++) {
		for (let length = 1; length <= typed.length; length++) {
			// Alternate per keystroke so every variant sees the same load.
			for (const [label, run] of runs) perRun.get(label)!.push(timed(() => run(typed.slice(0, length))));
		}
	}

	for (const [label, ms] of perRun) {
		console.log(`  ${label.padEnd(26)}  per keystroke ${figures(ms)}  worst ${Math.max(...ms).toFixed(1)} ms`);
	}

	console.log(`  window ${defaultRankWindow} / direct p95 ratio ${(percentile(perRun.get(`window ${defaultRankWindow}`)!, 95) / percentile(perRun.get('direct, every term ranked')!, 95)).toFixed(2)}x (goal p95 < 50 ms)`);

}
if (enabled('filters')) {
	console.log('\nsearch with parameter filters, limit 50');
	for (const query of ['red fox --ar 16:9', 'fox --stylize >250', 'golden hour --niji', 'cabin --v 6 --chaos 10..50', '--ar 21:9 --stylize 1000', '--tile']) {
		const ms: number[] = [];
		for (let rep = 0; rep < reps; rep++) ms.push(timed(() => store.search(query, {limit: 50})));
		console.log(`  ${query.padEnd(28)} ${figures(ms)}  (${store.search(query, {limit: 50}).length} hits)`);
	}

}
if (enabled('pages')) {
	console.log('\njobs pane: keyset pages of 50, newest first');
	const pageMs: number[] = [];
	const deepMs: number[] = [];
	const [top] = store.listJobs({limit: 1});
	let cursor: JobCursor = {enqueuedAt: top.enqueuedAt, id: top.id};
	// Walk 200 pages down from the top, then jump to a cursor in the middle of the archive.
	for (let i = 0; i < 200; i++) {
		let page: Job[] = [];
		pageMs.push(timed(() => {
			page = store.listJobs({limit: 50, after: cursor});
		}));
		cursor = {enqueuedAt: page.at(-1)!.enqueuedAt, id: page.at(-1)!.id};
	}

	const middleTime = peer.prepare('SELECT enqueued_at, id FROM jobs ORDER BY enqueued_at DESC, id DESC LIMIT 1 OFFSET ?').get(Math.floor(jobCount / 2)) as {enqueued_at: number | null; id: string};
	for (let rep = 0; rep < reps; rep++) deepMs.push(timed(() => store.listJobs({limit: 50, after: {enqueuedAt: middleTime.enqueued_at, id: middleTime.id}})));
	console.log(`  next page      ${figures(pageMs)}`);
	console.log(`  mid-archive    ${figures(deepMs)}`);
	const paneFilters: Array<[string, JobFilter]> = [['type upscale', {types: ['upscale']}], ['files missing', {fileStatus: 'missing'}], ['files failed', {fileStatus: 'failed'}]];
	for (const [label, filter] of paneFilters) {
		const ms: number[] = [];
		for (let rep = 0; rep < reps; rep++) ms.push(timed(() => store.listJobs({limit: 50, filter})));
		console.log(`  ${label.padEnd(14)} ${figures(ms)}`);
	}

	for (const [label, run] of [['countJobs()', () => store.countJobs()], ['totals()', () => store.totals()]] as const) {
		const ms: number[] = [];
		for (let rep = 0; rep < 5; rep++) ms.push(timed(run));
		console.log(`  ${label.padEnd(14)} ${figures(ms)}`);
	}

}
store.close();
peer.close();

if (enabled('upsert')) {
	console.log('\nupsertJobs, 100,000 jobs in batches of 1,000 vs a bare loop in one transaction (same rows, FTS included)');
	const upsertJobs = Array.from({length: 100_000}, (_, index) => generateJob(index, 7, 100_000));
	const upsertMs: number[] = [];
	const rawMs: number[] = [];
	for (let run = 0; run < 3; run++) {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-tui-bench-upsert-'));
		const target = ArchiveStore.open(dir);
		upsertMs.push(timed(() => {
			for (let first = 0; first < upsertJobs.length; first += 1000) target.upsertJobs(upsertJobs.slice(first, first + 1000));
		}));
		target.close();
		fs.rmSync(dir, {recursive: true, force: true});

		const rawDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-tui-bench-raw-'));
		const db = new Database(path.join(rawDir, 'archive.db'));
		db.pragma('journal_mode = WAL');
		db.pragma('synchronous = NORMAL');
		db.pragma('cache_size = -32768');
		for (const migration of migrations) db.exec(migration);
		const columns = Object.keys(jobRowFromApi(upsertJobs[0], 'api', 0));
		const insert = db.prepare(`INSERT INTO jobs (${columns.join(', ')}, first_seen_at) VALUES (${columns.map(c => `:${c}`).join(', ')}, :updated_at)`);
		rawMs.push(timed(() => db.transaction(() => {
			const now = Date.now();
			for (const job of upsertJobs) insert.run(jobRowFromApi(job, 'api', now));
		})()));
		db.close();
		fs.rmSync(rawDir, {recursive: true, force: true});
	}

	const upsertRate = 100_000 / (percentile(upsertMs, 50) / 1000);
	const rawRate = 100_000 / (percentile(rawMs, 50) / 1000);
	console.log(`  upsertJobs ${Math.round(upsertRate)} jobs/s   raw loop ${Math.round(rawRate)} jobs/s   ratio ${((upsertRate / rawRate) * 100).toFixed(0)}% (goal >= 40%)`);

}