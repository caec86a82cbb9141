/**
 * `npm run bench:similar`: the perceptual hashes' costs, each next to a peer
 * measured in the same run:
 * - hashing (decode + grey + 9×8 + dHash, as downloads, import and verify do)
 *   per image vs sharp's bare decode of the same files, on photo-like PNGs of
 *   Midjourney's sizes (noise blurred into smooth shapes, so they compress
 *   like pictures, not like the stand-in's palette blocks);
 * - lookup over 4,000,000 synthetic hashes (clustered families + unrelated +
 *   near-flat pictures) through the multi-index, p50/p95 at distances 6 and
 *   10, vs a linear scan of the same arrays; the same queries' answers are
 *   compared, so a fast wrong index cannot pass;
 * - building the index, loading it from a perceptual_hashes table of that
 *   size (what `mj-tui similar` does once per run), and families (stats) at
 *   1,000,000 hashes;
 * - a download run (the engine from the stand-in on 127.0.0.1, 16 in flight)
 *   with the hashes made beside it vs the same run without them, alternated.
 *
 * Env: BENCH_HASHES (default 4000000), BENCH_FILES (default 24),
 * BENCH_QUERIES (default 1000), BENCH_FAMILIES (hashes for the families
 * figure, default 1000000), BENCH_DOWNLOAD_JOBS (default 100: 400 files of 1 MiB),
 * BENCH_RUNS (download runs each way, default 3), BENCH_ONLY=hash,lookup,load,families,download.
 * `--quick`: 200,000 hashes, 6 files, 200 queries, families at 200,000 (a CI smoke run).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import {flipRandomBits, randomNumbers} from '../fixtures/random.js';
import {ArchiveStore} from '../source/core/archive/store.js';
import {familyPositions} from '../source/core/similar/families.js';
import {HashIndex, scanNear} from '../source/core/similar/hash-index.js';
import {hashFromWords, perceptualHashOfFile} from '../source/core/similar/perceptual-hash.js';
import {SimilarityIndex} from '../source/core/similar/similar-images.js';
import {openArchiveDb} from './lib/archive-db.js';

const quick = process.argv.includes('--quick');
const hashCount = Number(process.env.BENCH_HASHES ?? (quick ? 200_000 : 4_000_000));
const fileCount = Number(process.env.BENCH_FILES ?? (quick ? 6 : 24));
const queryCount = Number(process.env.BENCH_QUERIES ?? (quick ? 200 : 1000));
const familyCount = Number(process.env.BENCH_FAMILIES ?? (quick ? 200_000 : 1_000_000));
const only = process.env.BENCH_ONLY?.split(',');
const enabled = (part: string) => !only || only.includes(part);

function percentile(values: readonly number[], p: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 1)} ms`;

/**
 * Hashes shaped like an archive's: 45% in families (a grid image with its upscale and variations: 2-8 members,
 * 0-8 bits from the family's picture), 54% unrelated, 1% near-flat pictures (blank or dark frames hash near zero).
 */
function syntheticHashes(count: number, seed: number): {hi: Uint32Array; lo: Uint32Array} {
	const next = randomNumbers(seed);
	const hi = new Uint32Array(count);
	const lo = new Uint32Array(count);
	let i = 0;
	while (i < count) {
		const kind = next() % 100;
		if (kind < 45) {
			const centre: [number, number] = [next(), next()];
			const members = 2 + (next() % 7);
			for (let m = 0; m < members && i < count; m++, i++) [hi[i], lo[i]] = flipRandomBits(...centre, next() % 9, next);
		} else if (kind < 99) {
			[hi[i], lo[i]] = [next(), next()];
			i++;
		} else {
			[hi[i], lo[i]] = flipRandomBits(0, 0, next() % 6, next);
			i++;
		}
	}
	return {hi, lo};
}

async function benchHashing(): Promise<void> {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-tui-bench-similar-'));
	try {
		const sizes = [[1024, 1024], [1456, 816], [2048, 2048], [896, 1344]] as const;
		const files: string[] = [];
		for (let n = 0; n < fileCount; n++) {
			const [width, height] = sizes[n % sizes.length]!;
			const file = path.join(dir, `${n}.png`);
			await sharp({create: {width, height, channels: 3, background: {r: 0, g: 0, b: 0}, noise: {type: 'gaussian', mean: 128, sigma: 60}}}).blur(4 + (n % 5)).png().toFile(file);
			files.push(file);
		}
		const bytes = files.reduce((sum, file) => sum + fs.statSync(file).size, 0);
		// Warm the page cache and sharp's first-call set-up, for both.
		await sharp(files[0]).raw().toBuffer();
		await perceptualHashOfFile(files[0]!);
		const decodeTimes: number[] = [];
		const hashTimes: number[] = [];
		// Alternate the two per file, so machine load falls on both alike.
		for (const file of files) {
			let started = performance.now();
			await sharp(file).raw().toBuffer();
			decodeTimes.push(performance.now() - started);
			started = performance.now();
			await perceptualHashOfFile(file);
			hashTimes.push(performance.now() - started);
		}
		const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
		console.log(`hashing ${files.length} photo-like PNGs (${(bytes / files.length / 1e6).toFixed(1)} MB each, 0.8-4.2 MP), one at a time:`);
		console.log(`  dHash (read + decode + grey + 9x8 + bits)  mean ${ms(sum(hashTimes) / files.length)}  p50 ${ms(percentile(hashTimes, 50))}  p95 ${ms(percentile(hashTimes, 95))}`);
		console.log(`  sharp bare decode (raw pixels)             mean ${ms(sum(decodeTimes) / files.length)}  p50 ${ms(percentile(decodeTimes, 50))}  p95 ${ms(percentile(decodeTimes, 95))}`);
		console.log(`  ratio hash / decode: ${(sum(hashTimes) / sum(decodeTimes)).toFixed(2)}`);
	} finally {
		fs.rmSync(dir, {recursive: true, force: true});
	}
}

function benchLookup(hi: Uint32Array, lo: Uint32Array): void {
	let started = performance.now();
	const index = HashIndex.build(hi, lo);
	console.log(`index over ${hi.length.toLocaleString('en-US')} hashes built in ${ms(performance.now() - started)}`);
	const next = randomNumbers(77);
	const queries = Array.from({length: queryCount}, (_, q) => {
		const position = next() % hi.length;
		// Half stored hashes (a job's own image), half near-copies (a file from outside: re-encoded, resized).
		return q % 2 === 0 ? [hi[position]!, lo[position]!] as [number, number] : flipRandomBits(hi[position]!, lo[position]!, 1 + (next() % 4), next);
	});
	const scans = Math.min(queries.length, quick ? 20 : 40);
	for (const distance of [6, 10]) {
		const times: number[] = [];
		let found = 0;
		for (const [queryHi, queryLo] of queries) {
			started = performance.now();
			found += index.near(queryHi, queryLo, distance, 20).length;
			times.push(performance.now() - started);
		}
		const scanTimes: number[] = [];
		let mismatches = 0;
		for (const [queryHi, queryLo] of queries.slice(0, scans)) {
			started = performance.now();
			const expected = scanNear(hi, lo, queryHi, queryLo, distance);
			scanTimes.push(performance.now() - started);
			if (JSON.stringify(expected) !== JSON.stringify(index.near(queryHi, queryLo, distance))) mismatches++;
		}
		console.log(`lookup, distance <= ${distance}: multi-index p50 ${ms(percentile(times, 50))} p95 ${ms(percentile(times, 95))} (${queries.length} queries, ${(found / queries.length).toFixed(1)} found each)`
			+ ` | linear scan p50 ${ms(percentile(scanTimes, 50))} p95 ${ms(percentile(scanTimes, 95))} (${scans} queries) | ratio p50 ${(percentile(scanTimes, 50) / percentile(times, 50)).toFixed(0)}x | answers differing from the scan: ${mismatches}`);
	}
}

/** The index as `mj-tui similar` gets it: loaded from a perceptual_hashes table of that many rows. */
function benchLoad(hi: Uint32Array, lo: Uint32Array): void {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-tui-bench-similar-db-'));
	try {
		ArchiveStore.open(dir).close();
		const db = openArchiveDb(dir, {writable: true});
		// The bench's own rows have no images rows behind them (better-sqlite3 turns foreign keys on by default).
		db.pragma('foreign_keys = OFF');
		let started = performance.now();
		const insert = db.prepare('INSERT INTO perceptual_hashes (image_id, hash, unhashable, sha256, hashed_at) VALUES (?, ?, NULL, NULL, 0)');
		db.transaction(() => {
			for (let i = 0; i < hi.length; i++) insert.run(i + 1, hashFromWords(hi[i]!, lo[i]!));
		})();
		db.close();
		console.log(`perceptual_hashes filled with ${hi.length.toLocaleString('en-US')} rows in ${(performance.now() - started) / 1000 < 1 ? ms(performance.now() - started) : `${((performance.now() - started) / 1000).toFixed(1)} s`} (set-up)`);
		const store = ArchiveStore.open(dir, {readonly: true});
		started = performance.now();
		const loaded = SimilarityIndex.load(store);
		const loadMs = performance.now() - started;
		started = performance.now();
		const fromCache = SimilarityIndex.load(store);
		const cacheMs = performance.now() - started;
		started = performance.now();
		const plain = HashIndex.build(hi, lo);
		console.log(`index loaded from SQLite in ${ms(loadMs)} (${loaded.size.toLocaleString('en-US')} hashes) | again, from the archive's index cache, in ${ms(cacheMs)} (${fromCache.size.toLocaleString('en-US')}) | built from arrays already in memory in ${ms(performance.now() - started)} (${plain.size.toLocaleString('en-US')})`);
		store.close();
	} finally {
		fs.rmSync(dir, {recursive: true, force: true});
	}
}

function benchFamilies(): void {
	const {hi, lo} = syntheticHashes(familyCount, 5);
	const index = HashIndex.build(hi, lo);
	const started = performance.now();
	const groups = familyPositions(index, 6);
	console.log(`families (distance <= 6) over ${familyCount.toLocaleString('en-US')} hashes: ${ms(performance.now() - started)}, ${groups.length.toLocaleString('en-US')} families`);
}

/**
 * One download run of the stand-in's files into a fresh archive: when the engine had every file (from its
 * snapshots, ~10 Hz), when the run ended (after the last hash), and the hashes it left.
 */
async function downloadRun(standIn: import('../fixtures/types.js').StandIn, withHashes: boolean): Promise<{engineMs: number; ms: number; hashed: number}> {
	const {standInConfigValues} = await import('../source/demo.js');
	const {defaultConfig} = await import('../source/core/config/config.js');
	const {runDownloads} = await import('../source/core/downloads/run.js');
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-tui-bench-similar-dl-'));
	try {
		const store = ArchiveStore.open(dir);
		store.upsertJobs(standIn.jobs());
		const config = {...defaultConfig, ...standInConfigValues(standIn), archive: dir, videos: false, concurrency: 16, perHostConcurrency: 16};
		const started = performance.now();
		let engineMs = 0;
		const summary = await runDownloads({store, config, perceptualHashes: withHashes, onSnapshot(snapshot) {
			if (engineMs === 0 && snapshot.totals.queued === 0 && snapshot.totals.active === 0 && snapshot.totals.done > 0) engineMs = performance.now() - started;
		}});
		const ms = performance.now() - started;
		engineMs ||= ms;
		if (summary.failed > 0) throw new Error(`download failures: ${JSON.stringify(summary.failures.slice(0, 3))}`);
		const hashed = store.perceptualHashes.coverage().hashed;
		store.close();
		return {engineMs, ms, hashed};
	} finally {
		fs.rmSync(dir, {recursive: true, force: true});
	}
}

async function benchDownload(): Promise<void> {
	const {startStandIn} = await import('../fixtures/stand-in.js');
	const jobs = Number(process.env.BENCH_DOWNLOAD_JOBS ?? (quick ? 20 : 100));
	const runs = Number(process.env.BENCH_RUNS ?? (quick ? 1 : 3));
	const standIn = await startStandIn({jobs, imageBytes: 1024 * 1024, cacheBytes: 1024 * 1024 * 1024});
	try {
		await downloadRun(standIn, false); // Warm the stand-in's file cache and the JIT.
		const runsWith: Array<{engineMs: number; ms: number}> = [];
		const runsWithout: number[] = [];
		let hashed = 0;
		for (let run = 0; run < runs; run++) {
			runsWithout.push((await downloadRun(standIn, false)).ms);
			const done = await downloadRun(standIn, true);
			runsWith.push(done);
			hashed = done.hashed;
		}
		const median = (values: number[]) => percentile(values, 50);
		const engineWith = median(runsWith.map(run => run.engineMs));
		const totalWith = median(runsWith.map(run => run.ms));
		const without = median(runsWithout);
		console.log(`download run, ${jobs} jobs (${hashed} images hashed), 16 in flight from 127.0.0.1, median of ${runs}:`);
		console.log(`  every file downloaded: with hashing beside it ${ms(engineWith)} | without ${ms(without)} | ratio ${(engineWith / without).toFixed(3)}`);
		console.log(`  run ended (last hash stored) ${ms(totalWith)}: hashing outlasted the transfers by ${ms(totalWith - engineWith)}`);
		console.log(`  (runs with: ${runsWith.map(run => `${run.engineMs.toFixed(0)}/${run.ms.toFixed(0)}`).join(', ')}; without: ${runsWithout.map(value => value.toFixed(0)).join(', ')})`);
	} finally {
		await standIn.close();
	}
}

console.log(`bench:similar  node ${process.version}, ${os.cpus().length} cores${quick ? ', --quick' : ''}`);
if (enabled('hash')) await benchHashing();
if (enabled('lookup') || enabled('load')) {
	const {hi, lo} = syntheticHashes(hashCount, 1);
	if (enabled('lookup')) benchLookup(hi, lo);
	if (enabled('load')) benchLoad(hi, lo);
}
if (enabled('families')) benchFamilies();
if (enabled('download')) await benchDownload();
