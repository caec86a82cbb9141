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

/**
 * The live transfers and totals of a snapshot: active, paused and held ones
 * listed, the first queued ones by priority (bounded), everything counted.
 */
export function summarise(
	lives: Iterable<LiveTransfer>,
	run: {counts: StatusCounts; stats: EngineRunStats; meter: SpeedMeter; feeding: boolean},
): {transfers: TransferSnapshot[]; totals: EngineTotals; hostsWithWork: Set<string>} {
	const now = performance.now();
	const transfers: TransferSnapshot[] = [];
	const counted = {active: 0, paused: 0, held: 0};
	let bytesRemaining = 0;
	const speed = run.meter.sample(run.stats.bytes, now);
	const queuedOnes: LiveTransfer[] = [];
	const hostsWithWork = new Set<string>();
	let unknownSize = 0;
	for (const live of lives) {
		// Downloaded, waiting for the disk (done a moment later): not in flight, so not listed; totals count it as queued.
		if (live.finishing) continue;
		if (live.state !== 'paused') hostsWithWork.add(live.host);
		if (live.total !== null) bytesRemaining += Math.max(0, live.total - live.bytes);
		else if (live.state !== 'queued') unknownSize++;
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
	const totals: EngineTotals = {
		queued: run.feeding ? queued : 0,
		...counted,
		done: run.counts.done,
		failed: run.counts.failed,
		canceled: run.counts.canceled,
		bytesDone: run.stats.bytes,
		bytesRemaining,
		speed,
		eta: etaOf(run.stats, speed, bytesRemaining, queued + unknownSize),
	};
	return {transfers, totals, hostsWithWork};
}

/** Seconds left: known remaining bytes, plus files of unknown size at this run's average file size. */
function etaOf(stats: EngineRunStats, speed: number, knownRemaining: number, filesOfUnknownSize: number): number | null {
	if (speed <= 0) return null;
	const finished = stats.downloaded + stats.duplicates;
	const estimate = knownRemaining + (finished > 0 ? (filesOfUnknownSize * stats.finishedBytes) / finished : 0);
	return estimate > 0 ? estimate / speed : null;
}

/**
 * Throttled snapshots for subscribers (~10 a second at most): emitted on a
 * tick after a change, or every tick while bytes flow. The ticker is unref'd:
 * progress display alone must not keep a process alive.
 */
export class SnapshotPublisher {
	readonly #listeners = new Set<(snapshot: EngineSnapshot) => void>();
	readonly #snapshot: () => EngineSnapshot;
	readonly #flowing: () => boolean;
	#ticker?: NodeJS.Timeout;
	#dirty = true;

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
		for (const listener of this.#listeners) listener(snapshot);
	}

	close(): void {
		clearInterval(this.#ticker);
		this.#ticker = undefined;
	}

	#tick(): void {
		if (!this.#dirty && !this.#flowing()) return;
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
