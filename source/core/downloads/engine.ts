/**
 * The download engine: schedules Transfers (p-queue for global concurrency and
 * priorities, HostGate per host, one shared undici Agent), keeps their state
 * in the archive's images table, and publishes throttled snapshots. The queue
 * is fed from the table in small batches, so a million pending files cost a
 * window of a few hundred objects, not a million. Beside it: the CDN access
 * check (auth-preflight.ts), the retry decision (../retry-policy.ts), the
 * snapshots (snapshots.ts) and the batched row writes (done-writer.ts).
 */
import './threadpool.js';
import PQueue from 'p-queue';
import type {ImageRow, ImagesTable, StatusCounts} from '../archive/images.js';
import type {ArchiveStore} from '../archive/store.js';
import type {Config} from '../config/config.js';
import {ExitCode, MjError} from '../errors.js';
import {resolveFileUrl} from './cdn-url.js';
import {runFaultError} from './disk-full.js';
import {DoneWriter} from './done-writer.js';
import {FileRunner} from './file-runner.js';
import {FileHasher, hashWhileReceivingByDefault, MainThreadHasher, type FileHashing} from './hasher.js';
import {HostGate} from './hosts.js';
import {hostOf, StopReason, type LiveTransfer} from './live-transfer.js';
import {BackgroundPlanning, MissingPlanner} from './plan.js';
import {RateLimiter} from './rate-limit.js';
import {effectiveConcurrency, FinishedTransfers, perHostSetExplicitly, SnapshotPublisher, summarise} from './snapshots.js';
import {SpeedMeter} from './speed.js';
import type {DownloadEngineInternals, EngineOptions, EngineRunStats, EngineSnapshot} from './types.js';

export type {DownloadEngineInternals, EngineOptions, EngineRunStats} from './types.js';

const finishedInSnapshot = 500;
/** How long stop() waits for transfers to let go of their files. */
const stopWaitMs = 1500;

/** An engine over the archive's images table, configured from `config`. Starts idle. */
export function createDownloadEngine(store: ArchiveStore, config: Config, options: EngineOptions = {}): DownloadEngineInternals {
	return new Engine(store, config, options);
}

class Engine implements DownloadEngineInternals {
	readonly #archiveDir: string;
	readonly #config: Config;
	readonly #images: ImagesTable;
	readonly #queue: PQueue;
	readonly #hosts: HostGate;
	readonly #limiter: RateLimiter;
	readonly #live = new Map<number, LiveTransfer>();
	readonly #finished: FinishedTransfers;
	readonly #running = new Set<Promise<void>>();
	readonly #hasher: FileHashing;
	readonly #runner: FileRunner;
	/** Plans still adding rows in the background (enqueueMissing on a big archive). */
	readonly #planning = new BackgroundPlanning({
		ending: () => this.#ending(),
		added: (n) => {
			this.#counts.pending += n;
			this.#exhausted = false;
			this.#refill();
			this.#changed();
		},
		failed: (error) => this.#fault(error),
		settled: () => this.#checkIdle(),
	});
	readonly #doneWriter: DoneWriter;
	readonly #publisher = new SnapshotPublisher(
		() => this.snapshot(),
		() => [...this.#live.values()].some((live) => live.state === 'active'),
	);
	readonly #idleWaiters: Array<() => void> = [];
	readonly #meter = new SpeedMeter();
	/** The per-host limit follows the global one unless the user set it. */
	#perHostFollows: boolean;
	/** Updated in place (the runner shares it). */
	readonly #counts: StatusCounts;
	#feeding = false;
	#exhausted = false;
	#paused = false;
	#stopping = false;
	#stopped = false;
	#fatal: MjError | undefined;
	readonly #stats: EngineRunStats = {downloaded: 0, duplicates: 0, failed: 0, bytes: 0, finishedBytes: 0, failures: [], retriesByHost: {}, startedAt: Date.now()};

	constructor(store: ArchiveStore, config: Config, options: EngineOptions) {
		this.#archiveDir = store.dir;
		this.#config = config;
		this.#hasher = options.hashOnMainThread ? new MainThreadHasher() : new FileHasher();
		this.#images = store.images;
		this.#counts = this.#images.counts();
		this.#doneWriter = new DoneWriter(this.#images, (error) => this.#fault(error), options.onFilesRecorded);
		const concurrency = Math.max(1, config.concurrency);
		this.#queue = new PQueue({concurrency});
		this.#perHostFollows = !perHostSetExplicitly(config);
		this.#hosts = new HostGate(this.#perHostFollows ? concurrency : config.perHostConcurrency);
		this.#limiter = new RateLimiter(config.limitRate);
		this.#finished = new FinishedTransfers(finishedInSnapshot, (stored) => resolveFileUrl(stored, config.cdnBase));
		for (const row of this.#images.listStatus('failed', finishedInSnapshot)) this.#finished.add(row, 'failed');
		for (const row of this.#images.listStatus('canceled', finishedInSnapshot)) this.#finished.add(row, 'canceled');
		this.#runner = new FileRunner({
			archiveDir: store.dir,
			config,
			images: this.#images,
			hosts: this.#hosts,
			limiter: this.#limiter,
			hasher: this.#hasher,
			hashWhileReceiving: options.hashWhileReceiving ?? hashWhileReceivingByDefault(options),
			doneWriter: this.#doneWriter,
			live: this.#live,
			counts: this.#counts,
			stats: this.#stats,
			finished: this.#finished,
			concurrency: () => this.#queue.concurrency,
			ending: () => this.#ending(),
			schedule: (live) => this.#schedule(live),
			canceled: (row, live, discardPartial) => this.#markCanceled(row, live, discardPartial),
			stopRun: (error, live) => this.#stopRun(error, live),
			challengeFallback: options.challengeFallback,
		});
	}

	// ---- Controls -------------------------------------------------------

	enqueueMissing(options: {jobIds?: readonly string[]; priority?: number} = {}): number {
		this.#assertRunning();
		const planner = new MissingPlanner(this.#images, this.#config, options);
		this.#images.requeueMissing(options.jobIds);
		if (options.jobIds && options.priority !== undefined) this.#images.setJobPriority(options.jobIds, options.priority);
		this.#finished.deleteWhere((snapshot) => !options.jobIds || options.jobIds.includes(snapshot.jobId ?? ''));
		// A first batch now so downloads start at once; the rest between event-loop turns (a million jobs take a while).
		planner.step();
		this.#planning.continue(planner);
		return this.startPending();
	}

	/** Queue files already in the table (URL lists): feeding starts, nothing is planned. */
	startPending(): number {
		Object.assign(this.#counts, this.#images.counts());
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
		this.#forgetFatal();
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
		this.#finished.deleteWhere((snapshot) => snapshot.state === 'failed');
		this.#counts.failed -= n;
		this.#counts.pending += n;
		this.#exhausted = false;
		this.#forgetFatal();
		this.#feeding = true;
		this.#refill();
		this.#changed();
		return n;
	}

	/** The user fixed the cause (new cookie, space freed, ...) and asks again: check access afresh. */
	#forgetFatal(): void {
		if (!this.#fatal) return;
		this.#fatal = undefined;
		this.#runner.restartAccessCheck();
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
		if (this.#perHostFollows) this.#hosts.setPerHost(this.#queue.concurrency);
		this.#refill();
		this.#changed();
	}

	setPerHostConcurrency(n: number): void {
		this.#perHostFollows = false;
		this.#hosts.setPerHost(n);
		this.#changed();
	}

	setLimitRate(bytesPerSecond: number): void {
		this.#limiter.rate = bytesPerSecond;
		this.#changed();
	}

	snapshot(): EngineSnapshot {
		const perHost = this.#hosts.perHost;
		const {transfers, totals, hostsWithWork} = summarise(this.#live.values(), {counts: this.#counts, stats: this.#stats, meter: this.#meter, feeding: this.#feeding});
		return {
			transfers: [...transfers, ...this.#finished.values()],
			totals,
			concurrency: this.#queue.concurrency,
			perHostConcurrency: perHost,
			...effectiveConcurrency(this.#queue.concurrency, perHost, hostsWithWork, (host) => this.#hosts.capacityOf(host)),
			limitRate: this.#limiter.rate,
			paused: this.#paused,
			stopping: this.#stopping,
			...(this.#fatal ? {fatal: {message: this.#fatal.message, hint: this.#fatal.hint, exitCode: this.#fatal.exitCode}} : {}),
		};
	}

	subscribe(listener: (snapshot: EngineSnapshot) => void): () => void {
		return this.#publisher.subscribe(listener);
	}

	onIdle(): Promise<void> {
		if (this.#isIdle()) {
			this.#doneWriter.flush();
			return Promise.resolve();
		}
		return new Promise((resolve) => this.#idleWaiters.push(resolve));
	}

	async stop(options: {immediate?: boolean} = {}): Promise<void> {
		if (this.#stopped) return;
		this.#stopping = true;
		this.#feeding = false;
		this.#queue.pause();
		this.#abortAll();
		if (!options.immediate) {
			// Transfers stop within a chunk; the cap keeps stop() under 2 s whatever the network does.
			let cap: NodeJS.Timeout | undefined;
			await Promise.race([Promise.allSettled([...this.#running]), new Promise((resolve) => (cap = setTimeout(resolve, stopWaitMs)))]);
			clearTimeout(cap);
		}
		this.#stopped = true;
		this.#doneWriter.flush();
		this.#hosts.close();
		void this.#hasher.close();
		this.#publisher.close();
		this.#runner.close();
		this.#publisher.emit();
		this.#wakeIdle();
	}

	stats(): EngineRunStats {
		return {...this.#stats, failures: [...this.#stats.failures], retriesByHost: {...this.#stats.retriesByHost}};
	}

	fatalError(): MjError | undefined {
		return this.#fatal;
	}

	// ---- Scheduling ------------------------------------------------------

	/** Top the in-memory window up from the table, highest priority first. */
	#refill(): void {
		if (!this.#feeding || this.#stopping || this.#fatal || this.#exhausted) return;
		// A window of files in memory: a few per slot, at least 64.
		const window = Math.max(64, this.#queue.concurrency * 8);
		if (this.#queue.size >= window / 2) return;
		const want = window - this.#queue.size;
		// Finished files must not look pending to the query below.
		this.#doneWriter.flush();
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
		const url = resolveFileUrl(row.url, this.#config.cdnBase);
		const live: LiveTransfer = {row, url, host: hostOf(url), state: 'queued', generation: 0, bytes: 0, total: row.total_bytes, attempts: 0, lastError: row.last_error, heldUntil: null, meter: new SpeedMeter()};
		this.#live.set(row.id, live);
		return live;
	}

	/** (Re)queue a live transfer in p-queue at its priority. */
	#schedule(live: LiveTransfer): void {
		live.state = 'queued';
		live.timer = undefined;
		const generation = ++live.generation;
		// The queue slot is freed when the body is in (slotFree), not when the file is durable: see FileRunner.
		const task = (): Promise<void> =>
			new Promise<void>((slotFree) => {
				const running = this.#runner
					.run(live, generation, slotFree)
					// A bug or a table that cannot be written must not become an unhandled rejection.
					.catch((error: unknown) => this.#fault(error, live))
					.finally(() => {
						this.#running.delete(running);
						slotFree();
						this.#refill();
						this.#changed();
						this.#checkIdle();
					});
				this.#running.add(running);
			});
		this.#queue.add(task, {priority: live.row.priority}).catch(() => {});
	}

	/** An error outside any transfer's own handling (writing the table failed): the run stops and says why. */
	#fault(error: unknown, live?: LiveTransfer): void {
		if (!this.#stopped) this.#stopRun(runFaultError(error, this.#archiveDir), live);
	}

	#markCanceled(row: ImageRow, live: LiveTransfer | undefined, discardPartial: boolean): void {
		this.#runner.cancel(row, live, discardPartial);
		this.#changed();
		this.#checkIdle();
	}

	/** Stop the whole run with `error` (the first one wins); partials stay for the next run. */
	#stopRun(error: MjError, live?: LiveTransfer): void {
		if (live) this.#live.delete(live.row.id);
		if (this.#fatal) return;
		this.#fatal = error;
		this.#abortAll();
		this.#live.clear();
		this.#runner.wakeWaiters();
		this.#changed();
		this.#checkIdle();
	}

	/** Nothing more starts; what runs stops within a chunk, keeping its partial. */
	#abortAll(): void {
		this.#queue.clear();
		for (const live of this.#live.values()) {
			clearTimeout(live.timer);
			live.controller?.abort(new StopReason('stop'));
		}
	}

	// ---- Idleness ---------------------------------------------------------

	#changed(): void {
		this.#publisher.changed();
	}

	#isIdle(): boolean {
		if (this.#stopped || this.#fatal) return true;
		if (this.#planning.busy) return false;
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
		this.#doneWriter.flush();
		for (const wake of this.#idleWaiters.splice(0)) wake();
	}

	/** True once stop() began or a fatal error ended the run. */
	#ending(): boolean {
		return this.#stopping || this.#fatal !== undefined;
	}

	#assertRunning(): void {
		if (this.#stopped) throw new MjError('the download engine was stopped', {exitCode: ExitCode.software});
	}
}
