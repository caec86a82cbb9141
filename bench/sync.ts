/**
 * `npm run bench:sync`: archive 100,000 jobs from the stand-in (page_size
 * 1000, no pause) and compare jobs/s with the raw limit measured in the same
 * run: the same rows inserted by a bare better-sqlite3 loop in one
 * transaction (same schema, FTS triggers included). Then re-sync the
 * up-to-date archive and count its listing requests.
 *
 * Env: BENCH_JOBS (default 100000), BENCH_RUNS (default 3).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import {startStandIn} from '../fixtures/stand-in.js';
import {jobRowFromApi} from '../source/core/archive/job-rows.js';
import {migrations} from '../source/core/archive/schema.js';
import {ArchiveStore} from '../source/core/archive/store.js';
import {defaultConfig} from '../source/core/config.js';
import type {ApiJob} from '../source/core/job.js';
import {MidjourneyClient} from '../source/core/midjourney/client.js';
import {syncJobs} from '../source/core/sync.js';
import {standInConfigValues} from '../source/demo.js';

const jobCount = Number(process.env.BENCH_JOBS ?? 100_000);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const pageSize = 1000;

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function temporaryDir(): string {
	return fs.mkdtempSync(path.join(os.tmpdir(), 'mj-tui-bench-sync-'));
}

/** The peer: the same rows, same schema and pragmas, one bare prepared INSERT in one transaction. */
function rawInsert(jobs: readonly ApiJob[]): number {
	const dir = temporaryDir();
	const db = new Database(path.join(dir, 'archive.db'));
	try {
		db.pragma('journal_mode = WAL');
		db.pragma('synchronous = NORMAL');
		db.pragma('cache_size = -32768');
		for (const migration of migrations) db.exec(migration);
		// The archive's own row mapping, so both sides write identical rows; first_seen_at is the write time.
		const columns = Object.keys(jobRowFromApi(jobs[0]!, 'api', Date.now())).filter(column => column !== 'first_seen_at');
		const insert = db.prepare(`INSERT INTO jobs (${columns.join(', ')}, first_seen_at) VALUES (${columns.map(c => `:${c}`).join(', ')}, :now)`);
		const started = performance.now();
		db.transaction(() => {
			const now = Date.now();
			for (const job of jobs) insert.run({...jobRowFromApi(job, 'api', now), now});
		})();
		return performance.now() - started;
	} finally {
		db.close();
		fs.rmSync(dir, {recursive: true, force: true});
	}
}

function listingRequests(standIn: {requests(): readonly {route: string; path: string}[]}): number {
	return standIn.requests().filter(entry => entry.route === 'api' && entry.path.startsWith('/api/imagine')).length;
}

const standIn = await startStandIn({jobs: jobCount, seed: 1});
const config = {
	...defaultConfig,
	...standInConfigValues(standIn),
	pageSize,
	pagePauseMs: 0,
};
const client = new MidjourneyClient(config);
const jobs = standIn.jobs();
console.log(`bench:sync  ${jobCount} jobs, page_size ${pageSize}, ${runs} runs each, node ${process.version}`);

const syncMs: number[] = [];
const rawMs: number[] = [];
let lastArchive = '';
for (let run = 1; run <= runs; run++) {
	const dir = temporaryDir();
	const store = ArchiveStore.open(dir);
	const started = performance.now();
	const summary = await syncJobs(store, client, {pagePauseMs: 0, pageSize});
	const elapsed = performance.now() - started;
	store.close();
	if (summary.jobsNew !== jobCount) throw new Error(`sync archived ${summary.jobsNew} jobs, expected ${jobCount}`);
	syncMs.push(elapsed);
	if (lastArchive) fs.rmSync(lastArchive, {recursive: true, force: true});
	lastArchive = dir;

	const raw = rawInsert(jobs);
	rawMs.push(raw);
	console.log(`  run ${run}: sync ${Math.round((jobCount / elapsed) * 1000)} jobs/s (${summary.pages} pages, ${Math.round(elapsed)} ms)   raw loop ${Math.round((jobCount / raw) * 1000)} jobs/s (${Math.round(raw)} ms)`);
}

const syncRate = (jobCount / median(syncMs)) * 1000;
const rawRate = (jobCount / median(rawMs)) * 1000;
console.log(`median sync      ${Math.round(syncRate)} jobs/s`);
console.log(`median raw loop  ${Math.round(rawRate)} jobs/s (bare better-sqlite3, one transaction, FTS included)`);
console.log(`ratio            ${((syncRate / rawRate) * 100).toFixed(1)}% of the raw limit (goal >= 40%)`);

const store = ArchiveStore.open(lastArchive);
const before = listingRequests(standIn);
const again = await syncJobs(store, client, {pagePauseMs: 0, pageSize});
store.close();
console.log(`re-sync of the up-to-date archive: ${listingRequests(standIn) - before} listing request(s), stopped because ${again.stoppedBecause} (goal 1-2)`);

await client.close();
await standIn.close();
fs.rmSync(lastArchive, {recursive: true, force: true});
