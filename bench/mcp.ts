/**
 * `npm run bench:mcp`: what `mj-tui mcp` costs, each figure next to a peer
 * measured in the same run:
 * - `mj-tui --version` of this build vs a baseline build without the MCP SDK
 *   (BENCH_BASELINE_BIN, default /work/main/dist/bin/cli.js), alternating runs:
 *   the SDK must stay out of the start-up path;
 * - `mj-tui mcp`: spawn to an answered `initialize` (the SDK's Client over
 *   stdio), next to the same binary's `--version`;
 * - tool calls over stdio on a synced stand-in archive (BENCH_JOBS, default
 *   20,000 jobs, no downloads): `search_prompts` for two-word queries next to
 *   `store.search` in-process (the protocol's overhead), and `job_family`
 *   (recursive parent_id walks; there is no parent_id index yet).
 * Env: BENCH_REPS (default 20).
 */
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import {fileURLToPath} from 'node:url';
import {Client} from '@modelcontextprotocol/sdk/client/index.js';
import {StdioClientTransport} from '@modelcontextprotocol/sdk/client/stdio.js';
import {startStandIn} from '../fixtures/stand-in.js';
import {ArchiveStore} from '../source/core/archive/store.js';
import {MidjourneyClient} from '../source/core/midjourney/client.js';
import {syncJobs} from '../source/core/sync.js';
import {standInConfig} from '../test/helpers/mj-setup.js';

const reps = Number(process.env.BENCH_REPS ?? 20);
const jobCount = Number(process.env.BENCH_JOBS ?? 20_000);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(repo, 'dist', 'bin', 'cli.js');
const baselineBin = process.env.BENCH_BASELINE_BIN ?? '/work/main/dist/bin/cli.js';

function percentile(values: number[], p: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function line(label: string, values: number[]): string {
	return `${label.padEnd(46)} p50 ${percentile(values, 50).toFixed(1).padStart(7)} ms   p95 ${percentile(values, 95).toFixed(1).padStart(7)} ms`;
}

function timeVersion(file: string): number {
	const started = performance.now();
	const result = spawnSync(process.execPath, [file, '--version'], {encoding: 'utf8'});
	if (result.status !== 0) throw new Error(`${file} --version failed: ${result.stderr}`);
	return performance.now() - started;
}

async function connect(archive: string): Promise<{client: Client; ms: number}> {
	const started = performance.now();
	const transport = new StdioClientTransport({command: process.execPath, args: [bin, 'mcp', '--archive', archive], env: {PATH: process.env.PATH ?? '', HOME: os.tmpdir()}, stderr: 'ignore'});
	const client = new Client({name: 'bench', version: '0'});
	await client.connect(transport);
	return {client, ms: performance.now() - started};
}

async function timed<T>(work: () => Promise<T> | T): Promise<number> {
	const started = performance.now();
	await work();
	return performance.now() - started;
}

if (!fs.existsSync(bin)) throw new Error('run npm run build first');
console.log(`mj-tui mcp bench: ${reps} reps, ${jobCount} jobs, ${os.cpus().length} cpus, load ${os.loadavg()[0]!.toFixed(1)}`);

// 1. --version, this build vs the baseline, alternating so load changes hit both.
const ours: number[] = [];
const baseline: number[] = [];
const haveBaseline = fs.existsSync(baselineBin);
for (let i = 0; i < reps; i++) {
	ours.push(timeVersion(bin));
	if (haveBaseline) baseline.push(timeVersion(baselineBin));
}
console.log(line('--version, this build (SDK in a lazy chunk)', ours));
if (haveBaseline) console.log(line(`--version, baseline ${baselineBin}`, baseline));

// 2. An archive to serve: the stand-in's listing synced, no files.
const standIn = await startStandIn({jobs: jobCount, seed: 11});
const archive = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-tui-bench-mcp-'));
const store = ArchiveStore.open(archive);
const midjourney = new MidjourneyClient(standInConfig(standIn, {archive}));
await syncJobs(store, midjourney, {pagePauseMs: 0});
await midjourney.close();
await standIn.close();

const connects: number[] = [];
for (let i = 0; i < Math.min(reps, 10); i++) {
	const {client, ms} = await connect(archive);
	connects.push(ms);
	await client.close();
}
console.log(line('mcp: spawn to answered initialize', connects));

// 3. Tool calls on one session, next to the in-process search.
const {client} = await connect(archive);
const words = store.stats.topWords(60).map(row => row.word).filter(word => word.length > 3);
const queries = Array.from({length: reps}, (_, i) => `${words[i % words.length]} ${words[(i * 7 + 3) % words.length]}`);
const overStdio: number[] = [];
const inProcess: number[] = [];
for (const query of queries) {
	overStdio.push(await timed(() => client.callTool({name: 'search_prompts', arguments: {query, limit: 20}})));
	inProcess.push(await timed(() => store.search(query, {limit: 20})));
}
console.log(line('search_prompts over stdio (two words, 20 hits)', overStdio));
console.log(line('store.search in-process (same queries)', inProcess));
const parents = store.listJobs({limit: 2000}).filter(job => job.parentId).map(job => job.parentId!).slice(0, reps);
const families: number[] = [];
for (const id of parents) families.push(await timed(() => client.callTool({name: 'job_family', arguments: {id}})));
console.log(line(`job_family over stdio (${store.countJobs()} jobs)`, families));
await client.close();
store.close();
fs.rmSync(archive, {recursive: true, force: true});
