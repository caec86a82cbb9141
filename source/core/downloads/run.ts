/**
 * Batch mode's download phase: plan what is missing (or read a URL list),
 * run the engine until nothing is left, and sum it up for the JSON summary.
 */
import type {ArchiveStore} from '../archive/store.js';
import type {Config} from '../config/config.js';
import {writeMetrics} from '../metrics.js';
import {createDownloadEngine, type EngineOptions} from './engine.js';
import {ImageStore} from './image-store.js';
import type {DownloadSummary, EngineSnapshot} from './types.js';
import {planUrls, readUrlList} from './url-list.js';

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
}

/** Download everything missing (or the URL list), then resolve with the summary. Aborting the signal stops cleanly. */
export async function runDownloads(options: DownloadRunOptions): Promise<DownloadSummary> {
	const {store, config, signal} = options;
	const started = Date.now();
	const urls = options.urlsFile ? readUrlList(options.urlsFile) : undefined;
	const engine = createDownloadEngine(store, config, options.engineOptions);
	const unsubscribe = options.onSnapshot ? engine.subscribe(options.onSnapshot) : undefined;
	const onAbort = (): void => void engine.stop();
	signal?.addEventListener('abort', onAbort, {once: true});
	let skipped: number;
	try {
		if (signal?.aborted) return emptySummary(started);
		if (urls) {
			skipped = planUrls(store.db, store.dir, urls).alreadyDone;
			engine.startPending();
		} else {
			skipped = new ImageStore(store.db).counts().done;
			engine.enqueueMissing();
		}
		await engine.onIdle();
		const fatal = engine.fatalError();
		if (fatal) throw fatal;
	} finally {
		signal?.removeEventListener('abort', onAbort);
		await engine.stop();
		unsubscribe?.();
		if (config.metricsFile) await writeMetrics(config.metricsFile, engine.stats(), engine.snapshot());
	}
	const stats = engine.stats();
	return {
		downloaded: stats.downloaded,
		skipped: skipped + stats.duplicates,
		failed: stats.failed,
		bytes: stats.bytes,
		durationMs: Date.now() - started,
		failures: stats.failures,
	};
}

function emptySummary(started: number): DownloadSummary {
	return {downloaded: 0, skipped: 0, failed: 0, bytes: 0, durationMs: Date.now() - started, failures: []};
}
