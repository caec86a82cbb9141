/**
 * How the engine's state looks from outside: one transfer's snapshot, the
 * bounded list of failed and canceled ones, and the concurrency the user
 * actually gets (and which limit caps it).
 */
import type {ImageRow, StatusCounts} from '../archive/images.js';
import {defaultConfig, type Config} from '../config/config.js';
import {configProvenance} from '../config/load.js';
import {MjError} from '../errors.js';
import {redact} from '../secrets.js';
import {hostOf, type LiveTransfer} from './live-transfer.js';
import type {SpeedMeter} from './speed.js';
import type {EngineRunStats, EngineSnapshot, EngineTotals, TransferSnapshot} from './types.js';

/** Queued transfers listed in a snapshot (1M pending files must not cost 1M objects per frame). */
const queuedInSnapshot = 200;

/** A live transfer at `now` (performance.now()); `speed` sampled from its meter. */
export function liveSnapshot(live: LiveTransfer, now: number): TransferSnapshot {
	const speed = live.state === 'active' ? live.meter.sample(live.bytes, now) : 0;
	return {
		id: live.row.id,
		jobId: live.row.job_id,
		url: redact(live.url),
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

/** Failed and canceled transfers shown in snapshots: the most recent, bounded. */
export class FinishedTransfers {
	readonly #byId = new Map<number, TransferSnapshot>();
	readonly #bound: number;
	readonly #resolve: (stored: string) => string;

	/** `resolve` turns a row's stored identifier into the URL shown. */
	constructor(bound: number, resolve: (stored: string) => string) {
		this.#bound = bound;
		this.#resolve = resolve;
	}

	/** Remember a row that failed or was canceled (last error and attempts from `live` when it ran). */
	add(row: ImageRow, state: 'failed' | 'canceled', live?: LiveTransfer, lastError: string | null = row.last_error): void {
		const url = this.#resolve(row.url);
		const snapshot: TransferSnapshot = {
			id: row.id,
			jobId: row.job_id,
			url: redact(url),
			name: row.path ?? '',
			host: hostOf(url),
			state,
			bytes: live?.bytes ?? 0,
			total: live ? live.total : row.total_bytes,
			speed: 0,
			eta: null,
			attempts: live?.attempts ?? row.attempts,
			lastError,
			priority: row.priority,
			heldUntil: null,
		};
		this.#byId.delete(row.id);
		this.#byId.set(row.id, snapshot);
		if (this.#byId.size > this.#bound * 2) this.#byId.delete(this.#byId.keys().next().value!);
	}

	delete(id: number): void {
		this.#byId.delete(id);
	}

	/** Forget those matching `predicate` (they are queued again). */
	deleteWhere(predicate: (snapshot: TransferSnapshot) => boolean): void {
		for (const [id, snapshot] of this.#byId) if (predicate(snapshot)) this.#byId.delete(id);
	}

	values(): IterableIterator<TransferSnapshot> {
		return this.#byId.values();
	}
}

/**
 * The transfers the user gets at once: the global concurrency, unless the
 * hosts with work can take fewer (their per-host limit, or a host backing off
 * after 429/503); `limitedBy` names the limit in force.
 */
export function effectiveConcurrency(
	concurrency: number,
	perHost: number,
	hostsWithWork: ReadonlySet<string>,
	capacityOf: (host: string) => number,
): Required<Pick<EngineSnapshot, 'effectiveConcurrency' | 'limitedBy'>> {
	if (hostsWithWork.size === 0) return {effectiveConcurrency: concurrency, limitedBy: null};
	let capacity = 0;
	let backingOff = false;
	for (const host of hostsWithWork) {
		const hostCapacity = capacityOf(host);
		if (hostCapacity < perHost) backingOff = true;
		capacity += hostCapacity;
	}
	if (capacity >= concurrency) return {effectiveConcurrency: concurrency, limitedBy: null};
	return {effectiveConcurrency: capacity, limitedBy: backingOff ? 'hostBackoff' : 'perHostConcurrency'};
}

/**
 * True when the user set perHostConcurrency themselves; otherwise it follows
 * `concurrency` (the CDN is one host: a default of 4 silently capped --concurrency 16).
 */
export function perHostSetExplicitly(config: Config): boolean {
	const provenance = configProvenance(config);
	if (provenance && !(provenance instanceof MjError)) return provenance.origins.perHostConcurrency?.source !== 'default';
	return config.perHostConcurrency !== defaultConfig.perHostConcurrency;
}

/** What is left to fetch, for the header's bytes left and ETA (see estimateRemaining). */
export interface RemainingWork {
	/** Bytes still to fetch of files whose size is known. */
	knownBytes: number;
	/** Files whose size is not known yet (queued ones that never started, mostly). */
	unsizedFiles: number;
	/** Files whose size is known (finished this run, or in flight with a Content-Length) and their total bytes. */
	sized: {files: number; bytes: number};
}

/**
 * Bytes left, counting every file still to fetch: known sizes as they are,
 * unknown ones at the mean of the known ones (then `estimated`); null when
 * some sizes are unknown and none is known yet to estimate them from.
 */
export function estimateRemaining(work: RemainingWork): {bytes: number | null; estimated: boolean; meanFileSize: number | null} {
	const meanFileSize = work.sized.files > 0 ? work.sized.bytes / work.sized.files : null;
	if (work.unsizedFiles === 0) return {bytes: work.knownBytes, estimated: false, meanFileSize};
	if (meanFileSize === null) return {bytes: null, estimated: true, meanFileSize};
	return {bytes: Math.round(work.knownBytes + work.unsizedFiles * meanFileSize), estimated: true, meanFileSize};
}

/** Seconds left at `speed` (the decayed overall speed): null when nothing moves or the bytes left are unknown. */
export function etaFor(bytesLeft: number | null, speed: number): number | null {
	if (speed <= 0 || bytesLeft === null || bytesLeft <= 0) return null;
	return bytesLeft / speed;
}

/**
 * The live transfers and totals of a snapshot: active, paused and held ones
 * listed, the first queued ones by priority (bounded), everything counted.
 */
export function summarise(
	lives: Iterable<LiveTransfer>,
	run: {counts: StatusCounts; stats: EngineRunStats; meter: SpeedMeter; feeding: boolean},
	now = performance.now(),
): {transfers: TransferSnapshot[]; totals: EngineTotals; hostsWithWork: Set<string>} {
	const transfers: TransferSnapshot[] = [];
	const counted = {active: 0, paused: 0, held: 0};
	const speed = run.meter.sample(run.stats.bytes, now);
	const queuedOnes: LiveTransfer[] = [];
	const hostsWithWork = new Set<string>();
	const finished = run.stats.downloaded + run.stats.duplicates;
	const work: RemainingWork = {knownBytes: 0, unsizedFiles: 0, sized: {files: finished, bytes: run.stats.finishedBytes}};
	let livesSeen = 0;
	for (const live of lives) {
		livesSeen++;
		// Downloaded, waiting for the disk (done a moment later): not in flight, so not listed; totals count it as queued.
		if (live.finishing) continue;
		if (live.state !== 'paused') hostsWithWork.add(live.host);
		if (live.total === null) work.unsizedFiles++;
		else {
			work.knownBytes += Math.max(0, live.total - live.bytes);
			work.sized.files++;
			work.sized.bytes += live.total;
		}
		if (live.state === 'queued') {
			queuedOnes.push(live);
			continue;
		}
		counted[live.state]++;
		transfers.push(liveSnapshot(live, now));
	}
	queuedOnes.sort((a, b) => b.row.priority - a.row.priority || a.row.id - b.row.id);
	for (const live of queuedOnes.slice(0, queuedInSnapshot)) transfers.push(liveSnapshot(live, now));
	const queued = Math.max(0, run.counts.pending - counted.active - counted.paused - counted.held);
	// Pending rows not in memory yet: the queue's tail, sizes unknown until they start.
	if (run.feeding) work.unsizedFiles += Math.max(0, run.counts.pending - livesSeen);
	const remaining = estimateRemaining(work);
	const totals: EngineTotals = {
		queued: run.feeding ? queued : 0,
		...counted,
		done: run.counts.done,
		failed: run.counts.failed,
		canceled: run.counts.canceled,
		bytesDone: run.stats.bytes,
		bytesRemaining: remaining.bytes ?? work.knownBytes,
		bytesRemainingEstimated: remaining.estimated,
		bytesRemainingUnknown: remaining.bytes === null,
		speed,
		eta: etaFor(remaining.bytes, speed),
	};
	return {transfers, totals, hostsWithWork};
}

/**
 * Throttled snapshots for subscribers (~10 a second at most): emitted on a
 * tick after a change, or every tick while bytes flow and until the speed
 * shown has decayed to zero. The ticker is unref'd:
 * progress display alone must not keep a process alive.
 */
export class SnapshotPublisher {
	readonly #listeners = new Set<(snapshot: EngineSnapshot) => void>();
	readonly #snapshot: () => EngineSnapshot;
	readonly #flowing: () => boolean;
	#ticker?: NodeJS.Timeout;
	#dirty = true;
	/** The speed last published: ticks go on until it has decayed to zero, or the display would freeze at the last rate. */
	#lastSpeed = 0;

	/** `snapshot` makes one; `flowing` says whether transfers are moving bytes (then every tick emits). */
	constructor(snapshot: () => EngineSnapshot, flowing: () => boolean) {
		this.#snapshot = snapshot;
		this.#flowing = flowing;
	}

	subscribe(listener: (snapshot: EngineSnapshot) => void): () => void {
		this.#listeners.add(listener);
		if (!this.#ticker) {
			this.#ticker = setInterval(() => this.#tick(), 100);
			this.#ticker.unref();
		}
		return () => {
			this.#listeners.delete(listener);
			if (this.#listeners.size === 0) this.close();
		};
	}

	/** Something changed: the next tick emits. */
	changed(): void {
		this.#dirty = true;
	}

	/** Emit now (the final state at stop). */
	emit(): void {
		if (this.#listeners.size === 0) return;
		const snapshot = this.#snapshot();
		this.#lastSpeed = snapshot.totals.speed;
		for (const listener of this.#listeners) listener(snapshot);
	}

	close(): void {
		clearInterval(this.#ticker);
		this.#ticker = undefined;
	}

	#tick(): void {
		if (!this.#dirty && !this.#flowing() && this.#lastSpeed === 0) return;
		this.#dirty = false;
		this.emit();
	}
}

/**
 * What keeps the user's --concurrency from being met right now ("per-host limit 4", "host backing off"),
 * or undefined when nothing does: the batch progress line and the queue pane both say it.
 */
export function concurrencyCap(snapshot: Pick<EngineSnapshot, 'limitedBy' | 'effectiveConcurrency' | 'perHostConcurrency'>): string | undefined {
	if (!snapshot.limitedBy || snapshot.effectiveConcurrency === undefined) return undefined;
	return snapshot.limitedBy === 'hostBackoff' ? 'host backing off' : `per-host limit ${snapshot.perHostConcurrency}`;
}
