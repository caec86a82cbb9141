/**
 * CONTRACT of the download engine, shared by batch mode and the TUI's queue
 * pane. The engine never imports React or Ink.
 */
import type {MjError} from '../errors.js';

export type TransferState = 'queued' | 'active' | 'paused' | 'held' | 'done' | 'failed' | 'canceled';

/** One file's transfer as the UI sees it at one instant. */
export interface TransferSnapshot {
	/** images.id in the archive. */
	id: number;
	jobId: string | null;
	url: string;
	/** Final path relative to the archive (what the user recognises the file by). */
	name: string;
	host: string;
	state: TransferState;
	bytes: number;
	/** Total size when known (Content-Length / Content-Range). */
	total: number | null;
	/** Bytes/s averaged over recent samples. */
	speed: number;
	/** Seconds left at the current speed; null when unknown. */
	eta: number | null;
	attempts: number;
	lastError: string | null;
	priority: number;
	/** For held transfers: when the host may be asked again (epoch ms). */
	heldUntil: number | null;
}

export interface EngineTotals {
	queued: number;
	active: number;
	paused: number;
	held: number;
	done: number;
	failed: number;
	canceled: number;
	/** Bytes written this run. */
	bytesDone: number;
	/**
	 * Bytes still to fetch for every file in the queue: known sizes as they are, files of unknown size
	 * at the mean of the known ones (then bytesRemainingEstimated). When no size is known yet, only the known part.
	 */
	bytesRemaining: number;
	/** True when bytesRemaining includes files whose size is estimated ("≈"). */
	bytesRemainingEstimated?: boolean;
	/** True when some files have unknown sizes and no size is known to estimate them from (bytesRemaining is a lower bound). */
	bytesRemainingUnknown?: boolean;
	/** Overall bytes/s over the last seconds; falls to zero once nothing moves. */
	speed: number;
	/** Seconds until bytesRemaining is fetched at `speed`; null when unknown or nothing moves. */
	eta: number | null;
}

export interface EngineSnapshot {
	/**
	 * Every active, paused, held, failed and canceled transfer, plus the
	 * first queued ones (bounded, so 1M pending files don't cost 1M objects
	 * per frame); `totals` counts everything.
	 */
	transfers: TransferSnapshot[];
	totals: EngineTotals;
	concurrency: number;
	perHostConcurrency: number;
	/** Transfers the user gets at once now: `concurrency` unless a limit below caps it (always set by the engine). */
	effectiveConcurrency?: number;
	/** What caps `effectiveConcurrency` below `concurrency`: the per-host limit, or a host backing off after 429/503; null when nothing does. */
	limitedBy?: 'perHostConcurrency' | 'hostBackoff' | null;
	/** Bytes/s; 0 = unlimited. */
	limitRate: number;
	/** True while pauseAll() is in force. */
	paused: boolean;
	/** True while stop() is draining. */
	stopping: boolean;
	/** Set when the run stopped early (CDN refused auth, Cloudflare challenge): what happened and what to do. */
	fatal?: {message: string; hint?: string; exitCode: number};
}

/** What the TUI and batch mode can do to the engine. */
export interface DownloadControls {
	/**
	 * Queue the missing files of these jobs, or of every archived job (failed and
	 * canceled ones included). Returns how many are queued so far: on a big
	 * archive planning goes on between event-loop turns and `totals.queued` grows.
	 */
	enqueueMissing(options?: {jobIds?: readonly string[]; priority?: number}): number;
	pause(id: number): void;
	resume(id: number): void;
	pauseAll(): void;
	resumeAll(): void;
	/** Cancel one transfer; its partial is kept for a later resume unless discardPartial. */
	cancel(id: number, options?: {discardPartial?: boolean}): void;
	retry(id: number): void;
	retryFailed(): number;
	setPriority(id: number, priority: number): void;
	setConcurrency(n: number): void;
	setPerHostConcurrency(n: number): void;
	setLimitRate(bytesPerSecond: number): void;
	snapshot(): EngineSnapshot;
	/** Called at most ~10 times a second with the latest snapshot. Returns an unsubscribe function. */
	subscribe(listener: (snapshot: EngineSnapshot) => void): () => void;
	/** Resolves when nothing is queued or active. */
	onIdle(): Promise<void>;
	/** Stop starting transfers; active ones stop keeping their partials; state is saved. `immediate` skips the wait. */
	stop(options?: {immediate?: boolean}): Promise<void>;
}

/** The engine: controls plus lifecycle. Created by createDownloadEngine() in engine.ts. */
export type DownloadEngine = DownloadControls;

/** The engine plus what batch mode and metrics need beyond the TUI's controls. */
export interface DownloadEngineInternals extends DownloadEngine {
	/** Start on rows already pending in the table (URL lists, an interrupted run) without planning anything. */
	startPending(): number;
	stats(): EngineRunStats;
	/** The error that stopped the run early (auth, Cloudflare, a full disk), if any. */
	fatalError(): MjError | undefined;
}

export interface EngineOptions {
	/** Hash finished files on the calling thread instead of a worker (the interactive app: see MainThreadHasher). */
	hashOnMainThread?: boolean;
	/**
	 * Hash each fresh file's bytes as they arrive (no read-back) instead of reading it back on the hashing thread.
	 * Default: yes when hashing is on the main thread anyway or the process has one core (hasher.ts says why).
	 */
	hashWhileReceiving?: boolean;
	/** Told the image ids of finished files once they are recorded (batched); must return at once (perceptual hashing). */
	onFilesRecorded?: (imageIds: number[]) => void;
	/** The browser route: fetch a file the CDN answered with Cloudflare's challenge into `partPath` another way (midjourney/browser/). */
	challengeFallback?: (file: {url: string; variant: string; partPath: string}, signal: AbortSignal) => Promise<{bytes: number}>;
}


/** What one engine did since it was created (batch summary and metrics). */
export interface EngineRunStats {
	downloaded: number;
	duplicates: number;
	failed: number;
	/** Bytes fetched over the network. */
	bytes: number;
	/** Sizes of the files finished (for the ETA of files whose size is not known yet). */
	finishedBytes: number;
	failures: DownloadFailure[];
	retriesByHost: Record<string, number>;
	startedAt: number;
}

/** One failed file, as batch mode's JSON summary reports it. */
export interface DownloadFailure {
	url: string;
	reason: string;
}

/** What a download phase (batch mode) did. */
export interface DownloadSummary {
	downloaded: number;
	/** Already complete on disk, or duplicates of archived content. */
	skipped: number;
	failed: number;
	bytes: number;
	durationMs: number;
	failures: DownloadFailure[];
	/** The run's perceptual hashing (config.perceptualHashes): hashed, not hashable, unreadable, and files left for verify. */
	perceptualHashes?: {hashed: number; unhashable: number; unreadable: number; left: number};
}
