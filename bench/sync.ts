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
import {defaultConfig} from '../source/core/config/config.js';
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

/** Wall-clock and CPU (user + system) milliseconds of `work`; CPU time stays meaningful on a shared, busy machine. */
async function measure<T>(work: () => T | Promise<T>): Promise<{result: T; wallMs: number; cpuMs: number}> {
	const cpu = process.cpuUsage();
	const started = performance.now();
	const result = await work();
	const wallMs = performance.now() - started;
	const used = process.cpuUsage(cpu);
	return {result, wallMs, cpuMs: (used.user + used.system) / 1000};
}

function temporaryDir(): string {
	return fs.mkdtempSync(path.join(os.tmpdir(), 'mj-tui-bench-sync-'));
}

/** The peer: the same rows, same schema and pragmas, one bare prepared INSERT in one transaction. */
async function rawInsert(jobs: readonly ApiJob[]): Promise<{wallMs: number; cpuMs: number}> {
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
		return await measure(() =>
			db.transaction(() => {
				const now = Date.now();
				for (const job of jobs) insert.run({...jobRowFromApi(job, 'api', now), now});
			})(),
		);
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

const sync = {wall: [] as number[], cpu: [] as number[]};
const raw = {wall: [] as number[], cpu: [] as number[]};
const rate = (ms: number) => Math.round((jobCount / ms) * 1000);
let lastArchive = '';
for (let run = 1; run <= runs; run++) {
	const dir = temporaryDir();
	const store = ArchiveStore.open(dir);
	const synced = await measure(() => syncJobs(store, client, {pagePauseMs: 0, pageSize}));
	store.close();
	if (synced.result.jobsNew !== jobCount) throw new Error(`sync archived ${synced.result.jobsNew} jobs, expected ${jobCount}`);
	sync.wall.push(synced.wallMs);
	sync.cpu.push(synced.cpuMs);
	if (lastArchive) fs.rmSync(lastArchive, {recursive: true, force: true});
	lastArchive = dir;

	const inserted = await rawInsert(jobs);
	raw.wall.push(inserted.wallMs);
	raw.cpu.push(inserted.cpuMs);
	console.log(
		`  run ${run}: sync ${rate(synced.wallMs)} jobs/s (${synced.result.pages} pages, ${Math.round(synced.wallMs)} ms, ${Math.round(synced.cpuMs)} ms CPU)` +
			`   raw loop ${rate(inserted.wallMs)} jobs/s (${Math.round(inserted.wallMs)} ms, ${Math.round(inserted.cpuMs)} ms CPU)`,
	);
}

const syncRate = rate(median(sync.wall));
const rawRate = rate(median(raw.wall));
console.log(`median sync      ${syncRate} jobs/s (stand-in serving pages in the same process included)`);
console.log(`median raw loop  ${rawRate} jobs/s (bare better-sqlite3, one transaction, FTS included)`);
console.log(`ratio            ${((syncRate / rawRate) * 100).toFixed(1)}% of the raw limit (goal >= 40%)`);
console.log(`ratio by CPU     ${((median(raw.cpu) / median(sync.cpu)) * 100).toFixed(1)}% (CPU ms per job; steadier when the machine is busy)`);

const store = ArchiveStore.open(lastArchive);
const before = listingRequests(standIn);
const again = await syncJobs(store, client, {pagePauseMs: 0, pageSize});
store.close();
console.log(`re-sync of the up-to-date archive: ${listingRequests(standIn) - before} listing request(s), stopped because ${again.stoppedBecause} (goal 1-2)`);

await client.close();
await standIn.close();
fs.rmSync(lastArchive, {recursive: true, force: true});
