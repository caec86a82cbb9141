/**
 * The download engine: schedules Transfers (p-queue for global concurrency and
 * priorities, HostGate per host, one shared undici Agent), keeps their state
 * in the archive's images table, and publishes throttled snapshots. The queue
 * is fed from the table in small batches, so a million pending files cost a
 * window of a few hundred objects, not a million.
 */
import './threadpool.js';
import fs from 'node:fs';
import path from 'node:path';
import PQueue from 'p-queue';
import type {Agent} from 'undici';
import type {ArchiveStore} from '../archive/store.js';
import type {Config} from '../config/config.js';
import {ExitCode, MjError} from '../errors.js';
import {cloudflareHint} from '../midjourney/cloudflare.js';
import {backoffDelay} from '../retry-policy.js';
import {redact} from '../secrets.js';
import {Directories} from './directories.js';
import {finalise} from './finalise.js';
import {FileHasher, MainThreadHasher, type FileHashing} from './hasher.js';
import {HostGate} from './hosts.js';
import {ImageStore, type ImageRow, type StatusCounts} from './image-store.js';
import {MissingPlanner} from './plan.js';
import {RateLimiter} from './rate-limit.js';
import {SpeedMeter} from './speed.js';
import {runTransfer, TransferError} from './transfer.js';
import {recoverFinished} from './recover.js';
import {loadUndici} from './undici-loader.js';
import type {DownloadEngine, DownloadFailure, EngineSnapshot, TransferSnapshot, TransferState} from './types.js';

/** Why an active transfer was aborted on purpose. */
class StopReason extends Error {
	constructor(readonly why: 'pause' | 'pause-all' | 'cancel' | 'stop', readonly discardPartial = false) {
		super(why);
	}
}

/** A transfer the engine holds in memory: queued in the window, active, paused or waiting to retry. */
interface LiveTransfer {
	row: ImageRow;
	host: string;
	state: Exclude<TransferState, 'done' | 'failed' | 'canceled'>;
	/** Bumped whenever the transfer is (re)queued, so a stale queue entry does nothing. */
	generation: number;
	bytes: number;
	total: number | null;
	attempts: number;
	lastError: string | null;
	heldUntil: number | null;
	controller?: AbortController;
	timer?: NodeJS.Timeout;
	meter: SpeedMeter;
	/** Body received and verified, now being made durable: its queue and host slots already serve other files. */
	finishing?: boolean;
}

/** What one engine did since it was created (batch summary and metrics). */
export interface EngineRunStats {
	downloaded: number;
	duplicates: number;
	failed: number;
	bytes: number;
	failures: DownloadFailure[];
	retriesByHost: Record<string, number>;
	startedAt: number;
}

/** The engine plus what batch mode and metrics need beyond the TUI's controls. */
export interface DownloadEngineInternals extends DownloadEngine {
	/** Start on rows already pending in the table (URL lists, an interrupted run) without planning anything. */
	startPending(): number;
	stats(): EngineRunStats;
	/** The error that stopped the run early (auth, Cloudflare), if any. */
	fatalError(): MjError | undefined;
}

const queuedInSnapshot = 200;
const finishedInSnapshot = 500;
const maxFailuresKept = 10_000;

/** An engine over the archive's images table, configured from `config`. Starts idle. */
export interface EngineOptions {
	/** Hash finished files on the calling thread instead of a worker (the interactive app: see MainThreadHasher). */
	hashOnMainThread?: boolean;
	/** The browser route: fetch a file the CDN answered with Cloudflare's challenge into `partPath` another way (midjourney/browser/). */
	challengeFallback?: (file: {url: string; variant: string; partPath: string}, signal: AbortSignal) => Promise<{bytes: number}>;
}

export function createDownloadEngine(store: ArchiveStore, config: Config, options: EngineOptions = {}): DownloadEngineInternals {
	return new Engine(store, config, options);
}

class Engine implements DownloadEngineInternals {
	readonly #store: ArchiveStore;
	readonly #config: Config;
	readonly #images: ImageStore;
	readonly #queue: PQueue;
	readonly #hosts: HostGate;
	readonly #limiter: RateLimiter;
	/** Made on the first transfer (see undici-loader.ts). */
	#agent?: Promise<Agent>;
	readonly #live = new Map<number, LiveTransfer>();
	/** Failed and canceled transfers shown in snapshots (most recent, bounded). */
	readonly #finished = new Map<number, TransferSnapshot>();
	readonly #running = new Set<Promise<void>>();
	readonly #directories = new Directories();
	readonly #hasher: FileHashing;
	/** Plans still adding rows in the background (enqueueMissing on a big archive). */
	readonly #planners = new Set<MissingPlanner>();
	/** Finished files not yet written to the table (one transaction per batch, not per file). */
	#doneBuffer: Array<{id: number; path: string; bytes: number; sha256: string; duplicateOf: number | null}> = [];
	#flushTimer?: NodeJS.Timeout;
	/** Files being moved into place, by sha256, so identical content finishing at once is still linked. */
	readonly #finalising = new Map<string, Promise<void>>();
	/** Files finishing (hash, fsync, rename) after giving their slot back; bounded (twice the concurrency) so a slow disk pushes back on the network. */
	#finishing = 0;
	readonly #listeners = new Set<(snapshot: EngineSnapshot) => void>();
	readonly #idleWaiters: Array<() => void> = [];
	readonly #meter = new SpeedMeter();
	readonly #cdnHost: string;
	readonly #challengeFallback: EngineOptions['challengeFallback'];
	#counts: StatusCounts;
	/** Sizes of the files finished this run, for the ETA of files whose size is not known yet. */
	#finishedBytes = 0;
	#feeding = false;
	#exhausted = false;
	#paused = false;
	#stopping = false;
	#stopped = false;
	#fatal: MjError | undefined;
	#auth: 'unchecked' | 'checking' | 'ok' = 'unchecked';
	#authWaiters: Array<() => void> = [];
	#ticker?: NodeJS.Timeout;
	#dirty = true;
	readonly #stats: EngineRunStats = {downloaded: 0, duplicates: 0, failed: 0, bytes: 0, failures: [], retriesByHost: {}, startedAt: Date.now()};

	constructor(store: ArchiveStore, config: Config, options: EngineOptions) {
		this.#store = store;
		this.#config = config;
		this.#hasher = options.hashOnMainThread ? new MainThreadHasher() : new FileHasher();
		this.#challengeFallback = options.challengeFallback;
		this.#images = new ImageStore(store.db);
		this.#counts = this.#images.counts();
		this.#queue = new PQueue({concurrency: Math.max(1, config.concurrency)});
		this.#hosts = new HostGate(config.perHostConcurrency);
		this.#limiter = new RateLimiter(config.limitRate);
		this.#cdnHost = hostOf(config.cdnBase);
		for (const row of this.#images.listStatus('failed', finishedInSnapshot)) this.#finished.set(row.id, this.#finishedSnapshot(row, 'failed'));
		for (const row of this.#images.listStatus('canceled', finishedInSnapshot)) this.#finished.set(row.id, this.#finishedSnapshot(row, 'canceled'));
	}

	// ---- Controls -------------------------------------------------------

	enqueueMissing(options: {jobIds?: readonly string[]; priority?: number} = {}): number {
		this.#assertRunning();
		const planner = new MissingPlanner(this.#store.db, this.#config, options);
		this.#images.requeueMissing(options.jobIds);
		if (options.jobIds && options.priority !== undefined) this.#images.setJobPriority(options.jobIds, options.priority);
		for (const [id, snapshot] of this.#finished) if (!options.jobIds || options.jobIds.includes(snapshot.jobId ?? '')) this.#finished.delete(id);
		// A first batch now so downloads start at once; the rest between event-loop turns (a million jobs take a while).
		planner.step();
		if (!planner.done) {
			this.#planners.add(planner);
			this.#continuePlanning(planner);
		}
		return this.startPending();
	}

	#continuePlanning(planner: MissingPlanner): void {
		setImmediate(() => {
			if (this.#stopping) {
				this.#planners.delete(planner);
				return;
			}
			const until = performance.now() + 20;
			while (!planner.done && performance.now() < until) this.#counts.pending += planner.step();
			this.#exhausted = false;
			this.#refill();
			this.#changed();
			if (!planner.done) return this.#continuePlanning(planner);
			this.#planners.delete(planner);
			this.#checkIdle();
		});
	}

	/** Queue files already in the table (URL lists): feeding starts, nothing is planned. */
	startPending(): number {
		this.#counts = this.#images.counts();
		this.#feeding = true;
		this.#exhausted = false;
		this.#refill();
		this.#changed();
		return this.#counts.pending;
	}

	pause(id: number): void {
		let live = this.#live.get(id);
		if (!live) {
			const row = this.#images.get(id);
			if (row?.status !== 'pending') return;
			live = this.#remember(row);
		}
		if (live.state === 'active') live.controller?.abort(new StopReason('pause'));
		else {
			clearTimeout(live.timer);
			live.state = 'paused';
		}
		this.#changed();
	}

	resume(id: number): void {
		const live = this.#live.get(id);
		if (!live || live.state !== 'paused') return;
		this.#schedule(live);
		this.#changed();
	}

	pauseAll(): void {
		this.#paused = true;
		this.#queue.pause();
		for (const live of this.#live.values()) if (live.state === 'active') live.controller?.abort(new StopReason('pause-all'));
		this.#changed();
	}

	resumeAll(): void {
		this.#paused = false;
		if (this.#fatal) {
			// The user fixed the cause (new cookie, ...) and asks again: check auth afresh.
			this.#fatal = undefined;
			this.#auth = 'unchecked';
		}
		this.#exhausted = false;
		for (const live of this.#live.values()) if (live.state === 'paused') this.#schedule(live);
		this.#queue.start();
		this.#refill();
		this.#changed();
	}

	cancel(id: number, options: {discardPartial?: boolean} = {}): void {
		const live = this.#live.get(id);
		if (live?.state === 'active') {
			live.controller?.abort(new StopReason('cancel', options.discardPartial));
			return;
		}
		const row = live?.row ?? this.#images.get(id);
		if (!row || row.status !== 'pending') return;
		if (live) clearTimeout(live.timer);
		this.#markCanceled(row, live, options.discardPartial ?? false);
	}

	retry(id: number): void {
		const live = this.#live.get(id);
		if (live && (live.state === 'held' || live.state === 'queued') && live.timer) {
			clearTimeout(live.timer);
			live.timer = undefined;
			live.heldUntil = null;
			this.#schedule(live);
			return;
		}
		if (live) return;
		const before = this.#images.get(id);
		if (!before || !this.#images.requeue(id)) return;
		this.#finished.delete(id);
		this.#counts[before.status]--;
		this.#counts.pending++;
		const row = this.#images.get(id);
		if (row && this.#feeding) this.#schedule(this.#remember(row));
		this.#changed();
	}

	retryFailed(): number {
		const n = this.#images.requeueAllFailed();
		for (const [id, snapshot] of this.#finished) if (snapshot.state === 'failed') this.#finished.delete(id);
		this.#counts.failed -= n;
		this.#counts.pending += n;
		this.#exhausted = false;
		if (this.#fatal) {
			this.#fatal = undefined;
			this.#auth = 'unchecked';
		}
		this.#feeding = true;
		this.#refill();
		this.#changed();
		return n;
	}

	setPriority(id: number, priority: number): void {
		this.#images.setPriority(id, priority);
		const live = this.#live.get(id);
		if (live) {
			live.row.priority = priority;
			if (live.state === 'queued' && !live.timer) this.#schedule(live);
		} else if (this.#feeding) {
			const row = this.#images.get(id);
			// Pull it into the window now rather than when the window reaches its place.
			if (row?.status === 'pending') this.#schedule(this.#remember(row));
		}
		this.#changed();
	}

	setConcurrency(n: number): void {
		this.#queue.concurrency = Math.max(1, Math.floor(n));
		this.#refill();
		this.#changed();
	}

	setPerHostConcurrency(n: number): void {
		this.#hosts.setPerHost(n);
		this.#changed();
	}

	setLimitRate(bytesPerSecond: number): void {
		this.#limiter.rate = bytesPerSecond;
		this.#changed();
	}

	snapshot(): EngineSnapshot {
		const now = performance.now();
		const transfers: TransferSnapshot[] = [];
		let queued = 0;
		const counted = {active: 0, paused: 0, held: 0};
		let bytesRemaining = 0;
		const speed = this.#meter.sample(this.#stats.bytes, now);
		const queuedOnes: LiveTransfer[] = [];
		let unknownSize = 0;
		for (const live of this.#live.values()) {
			// Downloaded, waiting for the disk (done a moment later): not in flight, so not listed; totals count it as queued.
			if (live.finishing) continue;
			if (live.total !== null) bytesRemaining += Math.max(0, live.total - live.bytes);
			else if (live.state !== 'queued') unknownSize++;
			if (live.state === 'queued') {
				queuedOnes.push(live);
				continue;
			}
			counted[live.state]++;
			transfers.push(this.#liveSnapshot(live, now));
		}
		queuedOnes.sort((a, b) => b.row.priority - a.row.priority || a.row.id - b.row.id);
		for (const live of queuedOnes.slice(0, queuedInSnapshot)) transfers.push(this.#liveSnapshot(live, now));
		transfers.push(...this.#finished.values());
		queued = Math.max(0, this.#counts.pending - counted.active - counted.paused - counted.held);
		return {
			transfers,
			totals: {
				queued: this.#feeding ? queued : 0,
				...counted,
				done: this.#counts.done,
				failed: this.#counts.failed,
				canceled: this.#counts.canceled,
				bytesDone: this.#stats.bytes,
				bytesRemaining,
				speed,
				eta: this.#eta(speed, bytesRemaining, queued + unknownSize),
			},
			concurrency: this.#queue.concurrency,
			perHostConcurrency: this.#hosts.perHost,
			limitRate: this.#limiter.rate,
			paused: this.#paused,
			stopping: this.#stopping,
			...(this.#fatal ? {fatal: {message: this.#fatal.message, hint: this.#fatal.hint, exitCode: this.#fatal.exitCode}} : {}),
		};
	}

	/** Seconds left: known remaining bytes, plus files of unknown size at this run's average file size. */
	#eta(speed: number, knownRemaining: number, filesOfUnknownSize: number): number | null {
		if (speed <= 0) return null;
		const finished = this.#stats.downloaded + this.#stats.duplicates;
		const estimate = knownRemaining + (finished > 0 ? (filesOfUnknownSize * this.#finishedBytes) / finished : 0);
		return estimate > 0 ? estimate / speed : null;
	}

	subscribe(listener: (snapshot: EngineSnapshot) => void): () => void {
		this.#listeners.add(listener);
		if (!this.#ticker) {
			this.#ticker = setInterval(() => this.#tick(), 100);
			this.#ticker.unref();
		}
		return () => {
			this.#listeners.delete(listener);
			if (this.#listeners.size === 0) {
				clearInterval(this.#ticker);
				this.#ticker = undefined;
			}
		};
	}

	onIdle(): Promise<void> {
		if (this.#isIdle()) {
			this.#flushDone();
			return Promise.resolve();
		}
		return new Promise((resolve) => this.#idleWaiters.push(resolve));
	}

	async stop(options: {immediate?: boolean} = {}): Promise<void> {
		if (this.#stopped) return;
		this.#stopping = true;
		this.#feeding = false;
		this.#queue.pause();
		this.#queue.clear();
		for (const live of this.#live.values()) {
			clearTimeout(live.timer);
			live.controller?.abort(new StopReason('stop'));
		}
		if (!options.immediate) {
			// Transfers stop within a chunk; the cap keeps stop() under 2 s whatever the network does.
			await Promise.race([Promise.allSettled([...this.#running]), delay(1500)]);
		}
		this.#stopped = true;
		this.#flushDone();
		this.#hosts.close();
		void this.#hasher.close();
		clearInterval(this.#ticker);
		this.#ticker = undefined;
		this.#agent?.then((agent) => agent.destroy()).catch(() => {});
		this.#emit();
		this.#wakeIdle();
	}

	// ---- Internals for batch mode and metrics ----------------------------

	stats(): EngineRunStats {
		return {...this.#stats, failures: [...this.#stats.failures], retriesByHost: {...this.#stats.retriesByHost}};
	}

	fatalError(): MjError | undefined {
		return this.#fatal;
	}

	// ---- Scheduling ------------------------------------------------------

	#window(): number {
		return Math.max(64, this.#queue.concurrency * 8);
	}

	/** Top the in-memory window up from the table, highest priority first. */
	#refill(): void {
		if (!this.#feeding || this.#stopping || this.#fatal || this.#exhausted) return;
		const window = this.#window();
		if (this.#queue.size >= window / 2) return;
		const want = window - this.#queue.size;
		// Finished files must not look pending to the query below.
		this.#flushDone();
		const limit = want + this.#live.size;
		const rows = this.#images.pending(limit);
		let added = 0;
		for (const row of rows) {
			if (added >= want) break;
			if (this.#live.has(row.id)) continue;
			this.#schedule(this.#remember(row));
			added++;
		}
		if (rows.length < limit) this.#exhausted = true;
	}

	#remember(row: ImageRow): LiveTransfer {
		const live: LiveTransfer = {
			row,
			host: hostOf(row.url),
			state: 'queued',
			generation: 0,
			bytes: 0,
			total: row.total_bytes,
			attempts: 0,
			lastError: row.last_error,
			heldUntil: null,
			meter: new SpeedMeter(),
		};
		this.#live.set(row.id, live);
		return live;
	}

	/** (Re)queue a live transfer in p-queue at its priority. */
	#schedule(live: LiveTransfer): void {
		live.state = 'queued';
		live.timer = undefined;
		const generation = ++live.generation;
		// The queue slot is freed when the body is in (slotFree), not when the file is durable: see #transfer.
		const task = (): Promise<void> =>
			new Promise<void>((slotFree) => {
				const running = this.#run(live, generation, slotFree)
					.catch((error: unknown) => {
						// A bug or a closed database must not become an unhandled rejection.
						live.lastError = redact(String((error as Error)?.message ?? error));
					})
					.finally(() => {
						this.#running.delete(running);
						slotFree();
					});
				this.#running.add(running);
			});
		this.#queue.add(task, {priority: live.row.priority}).catch(() => {});
	}

	async #run(live: LiveTransfer, generation: number, slotFree: () => void): Promise<void> {
		if (live.generation !== generation || live.state !== 'queued' || this.#stopping) return;
		const controller = new AbortController();
		live.controller = controller;
		let release: (() => void) | undefined;
		try {
			if (!(await this.#authCleared(live))) return;
			live.heldUntil = this.#hosts.heldUntil(live.host);
			if (live.heldUntil) live.state = 'held';
			release = await this.#hosts.acquire(live.host, controller.signal);
			// Paused, canceled or requeued while it waited for the host.
			if (live.generation !== generation || (live.state as TransferState) === 'paused' || this.#live.get(live.row.id) !== live) return;
			live.state = 'active';
			live.heldUntil = null;
			this.#changed();
			await this.#transfer(live, controller.signal, () => {
				release?.();
				slotFree();
			});
		} catch (error) {
			this.#failed(live, error, controller.signal);
		} finally {
			release?.();
			live.controller = undefined;
			if (this.#auth === 'checking' && this.#checker === live) this.#endAuthCheck('unchecked');
			this.#refill();
			this.#changed();
			this.#checkIdle();
		}
	}

	/** The Agent all transfers share, created with the first one. */
	#dispatcher(): Promise<Agent> {
		return (this.#agent ??= loadUndici().then(
			({Agent}) =>
				new Agent({
					connections: Math.max(this.#config.perHostConcurrency, this.#config.concurrency) * 2,
					headersTimeout: this.#config.stallTimeoutMs,
					// The transfer's own stall timer covers the body, and knows about rate-limit pauses.
					bodyTimeout: 0,
					keepAliveTimeout: 10_000,
				}),
		));
	}

	/** Fetch one file into its partial, then finalise and record it; `received` hands the slots on once the body is in. */
	async #transfer(live: LiveTransfer, signal: AbortSignal, received: () => void): Promise<void> {
		const row = live.row;
		const dir = this.#store.dir;
		const partRelative = row.part_path ?? `.parts/${row.id}-${path.posix.basename(row.path ?? 'file')}.part`;
		const partPath = path.join(dir, partRelative);
		await this.#directories.ensure(path.dirname(partPath));
		// A crash between rename and the table update leaves a complete file and no partial.
		const recovered = await recoverFinished(dir, row, partPath, this.#hasher);
		if (recovered) {
			this.#done(live, {path: row.path!, bytes: recovered.bytes, sha256: recovered.sha256, duplicateOf: null, duplicate: null});
			return;
		}
		const result = await runTransfer(
			{url: row.url, variant: row.variant, partPath, resume: row.part_path ? {etag: row.etag, lastModified: row.last_modified, totalBytes: row.total_bytes} : null, headers: this.#headersFor(live.host)},
			{
				agent: await this.#dispatcher(),
				limiter: this.#limiter,
				stallTimeoutMs: this.#config.stallTimeoutMs,
				retryAfterCapMs: this.#config.retryAfterCapMs,
				signal,
				onStatus: (status) => {
					if (this.#checker === live && status !== 401 && status !== 403) this.#endAuthCheck('ok');
				},
				onPartial: (state) => {
					row.part_path = partRelative;
					row.etag = state.etag;
					row.last_modified = state.lastModified;
					row.total_bytes = state.totalBytes;
					this.#images.savePartial(row.id, {partPath: partRelative, ...state});
				},
				onBytes: (n, reset) => {
					if (reset) {
						live.bytes = 0;
						live.meter.reset();
					}
					live.bytes += n;
					if (!reset) this.#stats.bytes += n;
				},
				onTotal: (total) => {
					live.total = total;
				},
			},
		).catch(async (error: unknown) => {
			// Browser route: a file the CDN answers with the challenge, even with the browser's clearance, is fetched by the browser.
			if (!(error instanceof TransferError && error.kind === 'cloudflare' && this.#challengeFallback)) throw error;
			return {...(await this.#challengeFallback({url: row.url, variant: row.variant, partPath}, signal)), fd: undefined, fetched: 0};
		});
		// Hashing, fsync, rename and folder fsync take about as long as the transfer itself: doing them in the slot
		// would leave the network idle meanwhile. Unless too many files already wait for the disk, the next file starts now.
		if (this.#finishing < this.#queue.concurrency * 2) {
			this.#finishing++;
			live.finishing = true;
			received();
		}
		try {
			await this.#finalise(live, partPath, result);
		} finally {
			if (live.finishing) this.#finishing--;
			live.finishing = false;
			if (result.fd !== undefined) fs.close(result.fd, () => {});
		}
	}

	async #finalise(live: LiveTransfer, partPath: string, transferred: {bytes: number; fd?: number}): Promise<void> {
		const row = live.row;
		const dir = this.#store.dir;
		const result = await this.#hasher.hash(partPath);
		// Only this process writes the partial; a different size means something else did: fetch it again.
		if (result.bytes !== transferred.bytes) throw new TransferError('retry', `the partial changed on disk: ${result.bytes} bytes, expected ${transferred.bytes}`);
		// Identical files finishing together: the second waits for the first to be recorded, then links to it.
		for (let prior = this.#finalising.get(result.sha256); prior; prior = this.#finalising.get(result.sha256)) await prior;
		const finishing = finalise({archiveDir: dir, id: row.id, partPath, path: row.path!, bytes: result.bytes, sha256: result.sha256, fd: transferred.fd}, {findOriginal: (sha, id) => this.#findOriginal(sha, id), pathTaken: (candidate) => this.#pathTaken(candidate)}, this.#directories).then((record) =>
			this.#done(live, record),
		);
		const settled = finishing.catch(() => {});
		this.#finalising.set(result.sha256, settled);
		try {
			await finishing;
		} finally {
			if (this.#finalising.get(result.sha256) === settled) this.#finalising.delete(result.sha256);
		}
	}

	#done(live: LiveTransfer, record: {path: string; bytes: number; sha256: string; duplicateOf: number | null; duplicate: string | null}): void {
		// Written behind in batches: a crash before the flush leaves a complete file that recover.ts records on the next run.
		this.#doneBuffer.push({id: live.row.id, path: record.path, bytes: record.bytes, sha256: record.sha256, duplicateOf: record.duplicateOf});
		if (this.#doneBuffer.length >= 256) this.#flushDone();
		else this.#flushTimer ??= setTimeout(() => this.#flushDone(), 50);
		this.#live.delete(live.row.id);
		this.#counts.pending--;
		this.#counts.done++;
		this.#finishedBytes += record.bytes;
		if (record.duplicateOf === null) this.#stats.downloaded++;
		else this.#stats.duplicates++;
		this.#hosts.succeeded(live.host);
	}

	#flushDone(): void {
		clearTimeout(this.#flushTimer);
		this.#flushTimer = undefined;
		// A transfer that outlived stop() can finish after the caller closed the archive: its file is complete
		// on disk and recover.ts records it on the next run, so dropping the write here loses nothing.
		if (this.#doneBuffer.length === 0 || !this.#images.isOpen) return;
		const records = this.#doneBuffer;
		this.#doneBuffer = [];
		this.#images.markDone(records);
	}

	#pathTaken(relative: string): boolean {
		return this.#doneBuffer.some((r) => r.path === relative) || this.#images.pathTaken(relative);
	}

	/** Identical content already archived, including files finished but not yet flushed to the table. */
	#findOriginal(sha256: string, exceptId: number): {id: number; path: string} | undefined {
		const buffered = this.#doneBuffer.find((r) => r.sha256 === sha256 && r.duplicateOf === null && r.id !== exceptId);
		return buffered ? {id: buffered.id, path: buffered.path} : this.#images.duplicateSource(sha256, exceptId);
	}

	#failed(live: LiveTransfer, error: unknown, signal: AbortSignal): void {
		const row = live.row;
		if (signal.aborted && signal.reason instanceof StopReason) {
			const reason = signal.reason;
			if (reason.why === 'pause') live.state = 'paused';
			else if (reason.why === 'pause-all') this.#schedule(live);
			else if (reason.why === 'cancel') this.#markCanceled(row, live, reason.discardPartial);
			else this.#live.delete(row.id);
			return;
		}
		const failure = error instanceof TransferError ? error : new TransferError('retry', redact(String((error as Error)?.message ?? error)), {cause: error});
		const message = redact(failure.message);
		live.lastError = message;
		if (failure.kind === 'cloudflare' && live.host === this.#cdnHost) {
			this.#stopRun(
				new MjError(`The CDN answered ${redact(row.url)} with Cloudflare's challenge page instead of the file.`, {
					exitCode: ExitCode.unavailable,
					hint: `${cloudflareHint} Nothing downloaded so far is lost.`,
				}),
				live,
			);
			return;
		}
		if (failure.kind === 'auth' && this.#checker === live) {
			this.#stopRun(
				new MjError(`The CDN refused access (HTTP ${failure.status}) to ${redact(row.url)}, the first file of this run; stopped before trying the others.`, {
					exitCode: ExitCode.auth,
					hint: 'Sign in again (mj-tui auth) or paste a fresh cookie into MJ_TUI_COOKIE, then run again; the files resume where they stopped.',
				}),
				live,
			);
			return;
		}
		live.attempts++;
		if (failure.kind === 'retry' && live.attempts <= this.#config.retries) {
			this.#stats.retriesByHost[live.host] = (this.#stats.retriesByHost[live.host] ?? 0) + 1;
			this.#images.recordAttempt(row.id, message);
			const wait = failure.retryAfterMs ?? backoffDelay(live.attempts - 1, {capMs: this.#config.retryAfterCapMs});
			if (failure.retryAfterMs !== undefined || failure.status === 429 || failure.status === 503) this.#hosts.hold(live.host, wait);
			live.state = failure.retryAfterMs !== undefined || failure.status === 429 ? 'held' : 'queued';
			live.heldUntil = Date.now() + wait;
			live.generation++;
			live.timer = setTimeout(() => {
				live.heldUntil = null;
				if (this.#live.get(row.id) === live && !this.#stopping) this.#schedule(live);
			}, wait);
			return;
		}
		// Final: the partial of a file that cannot be fetched is of no use.
		this.#images.markFailed(row.id, live.attempts, message);
		if (row.part_path) {
			fs.rmSync(path.join(this.#store.dir, row.part_path), {force: true});
			this.#images.clearPartial(row.id);
		}
		this.#live.delete(row.id);
		this.#counts.pending--;
		this.#counts.failed++;
		this.#stats.failed++;
		if (this.#stats.failures.length < maxFailuresKept) this.#stats.failures.push({url: redact(row.url), reason: message});
		this.#rememberFinished(row, 'failed', live, message);
	}

	#markCanceled(row: ImageRow, live: LiveTransfer | undefined, discardPartial: boolean): void {
		this.#images.markCanceled(row.id);
		if (discardPartial) {
			const part = row.part_path ?? `.parts/${row.id}-${path.posix.basename(row.path ?? 'file')}.part`;
			fs.rmSync(path.join(this.#store.dir, part), {force: true});
			this.#images.clearPartial(row.id);
		}
		this.#live.delete(row.id);
		this.#counts.pending--;
		this.#counts.canceled++;
		this.#rememberFinished(row, 'canceled', live, live?.lastError ?? null);
		this.#changed();
		this.#checkIdle();
	}

	#rememberFinished(row: ImageRow, state: 'failed' | 'canceled', live: LiveTransfer | undefined, lastError: string | null): void {
		const snapshot = this.#finishedSnapshot({...row, last_error: lastError, attempts: live?.attempts ?? row.attempts}, state);
		if (live) {
			snapshot.bytes = live.bytes;
			snapshot.total = live.total;
		}
		this.#finished.delete(row.id);
		this.#finished.set(row.id, snapshot);
		if (this.#finished.size > finishedInSnapshot * 2) this.#finished.delete(this.#finished.keys().next().value!);
	}

	// ---- Auth preflight --------------------------------------------------

	#checker: LiveTransfer | undefined;

	/**
	 * The first CDN file goes alone: a 401/403 there stops the run with one
	 * clear error instead of thousands of failed files. Resolves false when
	 * the run was stopped meanwhile.
	 */
	async #authCleared(live: LiveTransfer): Promise<boolean> {
		if (live.host !== this.#cdnHost) return true;
		while (this.#auth !== 'ok') {
			if (this.#fatal || this.#stopping) {
				this.#live.delete(live.row.id);
				return false;
			}
			if (this.#auth === 'unchecked') {
				this.#auth = 'checking';
				this.#checker = live;
				return true;
			}
			await new Promise<void>((resolve) => this.#authWaiters.push(resolve));
		}
		return true;
	}

	#endAuthCheck(result: 'ok' | 'unchecked'): void {
		this.#auth = result;
		this.#checker = undefined;
		const waiters = this.#authWaiters;
		this.#authWaiters = [];
		for (const wake of waiters) wake();
	}

	#stopRun(error: MjError, live: LiveTransfer): void {
		this.#fatal = error;
		this.#live.delete(live.row.id);
		this.#queue.clear();
		for (const other of this.#live.values()) {
			clearTimeout(other.timer);
			other.controller?.abort(new StopReason('stop'));
		}
		this.#live.clear();
		this.#endAuthCheck('unchecked');
		this.#changed();
	}

	// ---- Snapshots and idleness -------------------------------------------

	#liveSnapshot(live: LiveTransfer, now: number): TransferSnapshot {
		const speed = live.state === 'active' ? live.meter.sample(live.bytes, now) : 0;
		return {
			id: live.row.id,
			jobId: live.row.job_id,
			url: redact(live.row.url),
			name: live.row.path ?? '',
			host: live.host,
			state: live.state,
			bytes: live.bytes,
			total: live.total,
			speed,
			eta: speed > 0 && live.total !== null ? Math.max(0, live.total - live.bytes) / speed : null,
			attempts: live.attempts,
			lastError: live.lastError,
			priority: live.row.priority,
			heldUntil: live.heldUntil,
		};
	}

	#finishedSnapshot(row: ImageRow, state: 'failed' | 'canceled'): TransferSnapshot {
		return {
			id: row.id,
			jobId: row.job_id,
			url: redact(row.url),
			name: row.path ?? '',
			host: hostOf(row.url),
			state,
			bytes: 0,
			total: row.total_bytes,
			speed: 0,
			eta: null,
			attempts: row.attempts,
			lastError: row.last_error,
			priority: row.priority,
			heldUntil: null,
		};
	}

	#changed(): void {
		this.#dirty = true;
	}

	#tick(): void {
		// Active transfers change every tick (bytes, speed); otherwise only emit after a change.
		if (!this.#dirty && ![...this.#live.values()].some((l) => l.state === 'active')) return;
		this.#dirty = false;
		this.#emit();
	}

	#emit(): void {
		if (this.#listeners.size === 0) return;
		const snapshot = this.snapshot();
		for (const listener of this.#listeners) listener(snapshot);
	}

	#isIdle(): boolean {
		if (this.#stopped || this.#fatal) return true;
		if (this.#planners.size > 0) return false;
		for (const live of this.#live.values()) if (live.state !== 'paused') return false;
		if (!this.#feeding) return true;
		this.#refill();
		for (const live of this.#live.values()) if (live.state !== 'paused') return false;
		return true;
	}

	#checkIdle(): void {
		if (this.#idleWaiters.length > 0 && this.#isIdle()) this.#wakeIdle();
	}

	#wakeIdle(): void {
		// Whoever waits for idleness reads the table next: it must be up to date.
		this.#flushDone();
		const waiters = this.#idleWaiters.splice(0);
		for (const wake of waiters) wake();
	}

	#headersFor(host: string): Record<string, string> {
		const headers: Record<string, string> = {'user-agent': this.#config.userAgent};
		// Cookies (cf_clearance) belong to the CDN only, never to hosts from a URL list.
		if (host === this.#cdnHost && this.#config.cookie) headers.cookie = this.#config.cookie;
		return headers;
	}

	#assertRunning(): void {
		if (this.#stopped) throw new MjError('the download engine was stopped', {exitCode: ExitCode.software});
	}
}

function hostOf(url: string): string {
	try {
		return new URL(url).host;
	} catch {
		return '';
	}
}

function delay(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
