/**
 * Batch mode's download phase: plan what is missing (or read a URL list),
 * run the engine until nothing is left, and sum it up for the JSON summary.
 */
import type {ArchiveStore} from '../archive/store.js';
import type {Config} from '../config/config.js';
import {beginPendingWork} from '../pending-work.js';
import {diskFullError, isDiskFull} from './disk-full.js';
import {createDownloadEngine, type EngineOptions} from './engine.js';
import {writeMetrics} from './metrics.js';
import type {DownloadSummary, EngineSnapshot} from './types.js';
import {planUrls, readUrlList} from './url-list.js';
import {findStaleParts, removeStaleParts} from './stale-parts.js';
import {BackgroundHasher, type BackgroundHashSummary} from '../similar/background-hasher.js';

export interface DownloadRunOptions {
	store: ArchiveStore;
	config: Config;
	signal?: AbortSignal;
	/** Download these URLs (one per line, `#` comments) instead of the archive's missing files. */
	urlsFile?: string;
	/** Throttled snapshots (~10 Hz) for progress lines. */
	onSnapshot?: (snapshot: EngineSnapshot) => void;
	/** Passed to the engine (the browser route's challenge fallback). */
	engineOptions?: EngineOptions;
	/** false: finished files get no perceptual hash now (verify adds them); default: config.perceptualHashes. */
	perceptualHashes?: boolean;
}

/** What a run did before an error stopped it, by error: batch mode still reports the files that arrived. */
const summariesOfStoppedRuns = new WeakMap<object, DownloadSummary>();

/** The summary of the run `error` stopped (a full disk, a blocked CDN), if it came from runDownloads. */
export function summaryBeforeError(error: unknown): DownloadSummary | undefined {
	return typeof error === 'object' && error !== null ? summariesOfStoppedRuns.get(error) : undefined;
}

/** Download everything missing (or the URL list), then resolve with the summary. Aborting the signal stops cleanly. */
export async function runDownloads(options: DownloadRunOptions): Promise<DownloadSummary> {
	const {store, config, signal} = options;
	const started = Date.now();
	const urls = options.urlsFile ? readUrlList(options.urlsFile) : undefined;
	// Perceptual hashes of the finished files (similar, families, dedupe), at low priority beside the transfers.
	const perceptual = new BackgroundHasher(store);
	const hashing = options.perceptualHashes ?? config.perceptualHashes;
	const onFilesRecorded = hashing ? (ids: number[]) => perceptual.add(ids) : undefined;
	const engine = createDownloadEngine(store, config, {...options.engineOptions, onFilesRecorded});
	const unsubscribe = options.onSnapshot ? engine.subscribe(options.onSnapshot) : undefined;
	// Ctrl-C / SIGTERM also while the last hashes are made: stop after the file in hand (verify fills in the rest).
	let hashes: BackgroundHashSummary | undefined;
	const onAbort = (): void => {
		void engine.stop();
		void perceptual.stop();
	};
	signal?.addEventListener('abort', onAbort, {once: true});
	// Should the event loop ever drain with files still waiting, the guard (pending-work.ts) says what was left.
	const settled = beginPendingWork('the download phase', () => {
		const {totals} = engine.snapshot();
		return `${totals.done} done, ${totals.queued} queued, ${totals.active} active, ${totals.held} held by a host backing off`;
	});
	let skipped = 0;
	const summary = (): DownloadSummary => {
		const stats = engine.stats();
		const perceptualHashes = hashing ? hashes : undefined;
		return {downloaded: stats.downloaded, skipped: skipped + stats.duplicates, failed: stats.failed, bytes: stats.bytes, durationMs: Date.now() - started, failures: stats.failures, perceptualHashes};
	};
	let fatal: unknown;
	try {
		if (signal?.aborted) return emptySummary(started);
		if (urls) {
			skipped = planUrls(store.images, urls).alreadyDone;
			engine.startPending();
		} else {
			skipped = store.images.counts().done;
			engine.enqueueMissing();
		}
		await engine.onIdle();
		fatal = engine.fatalError();
	} catch (error) {
		// Planning writes rows too: a full disk there is the same full disk.
		fatal = isDiskFull(error) ? diskFullError(store.dir, error) : error;
	} finally {
		await engine.stop();
		// Interrupted: stop at the file in hand; else hash a short tail of what the run handed over (not a long
		// backlog: background-hasher.ts), still listening for Ctrl-C / SIGTERM. What is left, verify fills in.
		hashes = await (signal?.aborted || fatal !== undefined ? perceptual.stop() : perceptual.finish());
		signal?.removeEventListener('abort', onAbort);
		unsubscribe?.();
		settled();
	}
	// A run that went to the end leaves no partial behind that nothing waits for: those of files a killed run had
	// started and that later finished, failed or were found elsewhere (verify would call them stale). This process
	// holds the archive's writer claim and its engine has stopped, so nothing else writes under .parts/.
	if (fatal === undefined && !signal?.aborted) removeStaleParts(store, findStaleParts(store));
	await writeMetricsOf(config, engine, fatal);
	if (fatal !== undefined) {
		if (typeof fatal === 'object' && fatal !== null) summariesOfStoppedRuns.set(fatal, summary());
		throw fatal;
	}
	return summary();
}

/** Metrics of the run; a failure to write them must not hide the error that stopped the run. */
async function writeMetricsOf(config: Config, engine: ReturnType<typeof createDownloadEngine>, fatal: unknown): Promise<void> {
	if (!config.metricsFile) return;
	try {
		await writeMetrics(config.metricsFile, engine.stats(), engine.snapshot());
	} catch (error) {
		if (fatal === undefined) throw error;
	}
}

function emptySummary(started: number): DownloadSummary {
	return {downloaded: 0, skipped: 0, failed: 0, bytes: 0, durationMs: Date.now() - started, failures: []};
}
