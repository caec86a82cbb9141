/**
 * The queue pane's list: the WHOLE queue in the chosen order, not the
 * engine's window of it. Transfers the engine holds (running, held, paused,
 * failed, canceled) come from its snapshot; every pending file comes from
 * the archive as one compact array of ids, sorted once (pending-ids.ts).
 * Only the rows on screen are turned into TransferSnapshots.
 *
 * Orders, all of them total (the same list whatever page is shown):
 *   state: running, failed, held, paused, pending (in download order), canceled;
 *   name: pending files by name, then failed and canceled ones by name;
 *   speed, ETA, bytes left: the rows that have one, by it; then the rest in state order.
 * Descending reverses the list; for speed, ETA and bytes left only the rows
 * that have a value (unknowns stay last, as before).
 */
import type {TransferSnapshot, TransferState} from '../../core/downloads/types.js';
import type {PendingIds} from './pending-ids.js';
import {remainingBytes, sortTransfers, type QueueSort} from './transfer-order.js';

/** One entry: a transfer in memory, or the id of a pending file to read from the archive. */
export type QueueEntry = TransferSnapshot | number;

/** Ids of a PendingIds minus some (shown elsewhere, or done since the ids were read). */
class IdRun {
	readonly length: number;
	readonly #pending: PendingIds;
	/** Positions in pending.ids left out, ascending. */
	readonly #skipped: number[];
	readonly #reversed: boolean;

	constructor(pending: PendingIds, skipped: number[], reversed: boolean) {
		this.#pending = pending;
		this.#skipped = skipped;
		this.#reversed = reversed;
		this.length = pending.ids.length - skipped.length;
	}

	/** The pending ids minus `excluded`, in their order. */
	static excluding(pending: PendingIds, excluded: ReadonlySet<number>): IdRun {
		const skipped: number[] = [];
		for (const id of excluded) {
			const position = pending.positionOf(id);
			if (position >= 0) skipped.push(position);
		}
		return new IdRun(pending, skipped.sort((a, b) => a - b), false);
	}

	/** The same ids, last first. */
	reversed(): IdRun {
		return new IdRun(this.#pending, this.#skipped, !this.#reversed);
	}

	at(index: number): number {
		let position = this.#reversed ? this.length - 1 - index : index;
		for (const skipped of this.#skipped) {
			if (skipped <= position) position++;
			else break;
		}
		return this.#pending.ids[position]!;
	}

	indexOf(id: number): number {
		const position = this.#pending.positionOf(id);
		if (position < 0) return -1;
		let before = 0;
		for (const skipped of this.#skipped) {
			if (skipped === position) return -1;
			if (skipped > position) break;
			before++;
		}
		const index = position - before;
		return this.#reversed ? this.length - 1 - index : index;
	}
}

type Run = TransferSnapshot[] | IdRun;

/** The whole list as runs laid end to end; `resolve` reads pending files' rows for the entries on screen. */
export class QueueList {
	readonly length: number;
	readonly #runs: Run[];
	readonly #resolve: (ids: readonly number[]) => Map<number, TransferSnapshot>;

	constructor(runs: Run[], resolve: (ids: readonly number[]) => Map<number, TransferSnapshot>) {
		this.#runs = runs.filter((run) => run.length > 0);
		this.#resolve = resolve;
		this.length = this.#runs.reduce((sum, run) => sum + run.length, 0);
	}

	/** The entry at `index` (0 ≤ index < length). */
	at(index: number): QueueEntry | undefined {
		let offset = index;
		for (const run of this.#runs) {
			if (offset < run.length) return Array.isArray(run) ? run[offset] : run.at(offset);
			offset -= run.length;
		}
		return undefined;
	}

	/** The id at `index`. */
	idAt(index: number): number | undefined {
		const entry = this.at(index);
		return typeof entry === 'number' ? entry : entry?.id;
	}

	/** Where the file with this id is, or -1. */
	indexOf(id: number): number {
		let offset = 0;
		for (const run of this.#runs) {
			const index = Array.isArray(run) ? run.findIndex((transfer) => transfer.id === id) : run.indexOf(id);
			if (index >= 0) return offset + index;
			offset += run.length;
		}
		return -1;
	}

	/** The transfers from `start` (at most `count`), pending files read from the archive in one go. */
	slice(start: number, count: number): TransferSnapshot[] {
		const entries: QueueEntry[] = [];
		for (let index = Math.max(0, start); index < Math.min(this.length, start + count); index++) entries.push(this.at(index)!);
		const ids = entries.filter((entry): entry is number => typeof entry === 'number');
		const rows = ids.length ? this.#resolve(ids) : new Map<number, TransferSnapshot>();
		return entries.flatMap((entry) => (typeof entry === 'number' ? (rows.get(entry) ?? []) : [entry]));
	}
}

const stateOrder: readonly TransferState[] = ['active', 'failed', 'held', 'paused', 'queued', 'canceled'];

/** Whether a transfer has a value in the sorted column (rows without one follow in state order). */
const hasKey: Partial<Record<QueueSort, (transfer: TransferSnapshot) => boolean>> = {
	speed: (transfer) => transfer.speed > 0,
	eta: (transfer) => transfer.eta !== null,
	remaining: (transfer) => transfer.state !== 'queued' && remainingBytes(transfer) !== null,
};

export interface QueueListInput {
	/** The engine snapshot's transfers (in flight, the first queued ones, recent failed and canceled). */
	transfers: readonly TransferSnapshot[];
	/** Every pending file's id in download order (state, speed, ETA, bytes left) or by name; null while not read. */
	pending: PendingIds | null;
	/** Ids that finished since `pending` was read. */
	done: ReadonlySet<number>;
	sort: QueueSort;
	descending: boolean;
	resolve: (ids: readonly number[]) => Map<number, TransferSnapshot>;
}

/** The whole queue in the pane's order. */
export function queueList({transfers, pending, done, sort, descending, resolve}: QueueListInput): QueueList {
	const keyed = hasKey[sort];
	const head = keyed ? sortTransfers(transfers.filter(keyed), sort, descending) : [];
	const inHead = new Set(head.map((transfer) => transfer.id));
	const rest = transfers.filter((transfer) => !inHead.has(transfer.id));
	const groups = new Map<TransferState, TransferSnapshot[]>(stateOrder.map((state) => [state, []]));
	for (const transfer of sortTransfers(rest, 'state', false)) groups.get(transfer.state)?.push(transfer);
	// Files in the archive's pending list shown in another run: in flight (not by name), failed or canceled since, or done.
	const excluded = new Set(done);
	for (const transfer of transfers) if (inHead.has(transfer.id) || (transfer.state !== 'queued' && (sort !== 'name' || !isPending(transfer.state)))) excluded.add(transfer.id);

	// Queued since the archive's list was read (a retried file): at the head of the queue, where the engine took it from.
	const newcomers = pending ? groups.get('queued')!.filter((transfer) => pending.positionOf(transfer.id) < 0) : groups.get('queued')!;
	if (sort === 'name') {
		const given = sortTransfers([...groups.get('failed')!, ...groups.get('canceled')!], 'name', false);
		// Without the archive's list yet, the snapshot's own rows stand in.
		const runs: Run[] = pending ? [newcomers, IdRun.excluding(pending, excluded), given] : [sortTransfers(transfers, 'name', false)];
		return descending ? reversed(runs, resolve) : new QueueList(runs, resolve);
	}
	const runs: Run[] = stateOrder.flatMap((state) => (state !== 'queued' ? [groups.get(state)!] : pending ? [newcomers, IdRun.excluding(pending, excluded)] : [newcomers]));
	if (keyed) return new QueueList([head, ...runs], resolve);
	return descending ? reversed(runs, resolve) : new QueueList(runs, resolve);
}

function isPending(state: TransferState): boolean {
	return state === 'active' || state === 'held' || state === 'paused' || state === 'queued';
}

function reversed(runs: Run[], resolve: QueueListInput['resolve']): QueueList {
	return new QueueList(
		runs.reverse().map((run) => (Array.isArray(run) ? [...run].reverse() : run.reversed())),
		resolve,
	);
}
