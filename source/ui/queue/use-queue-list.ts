/**
 * Keeps the queue pane's whole-queue list (queue-list.ts) up to date at a
 * small cost: the archive's pending ids are read and sorted once, then
 * updated from the engine's snapshots (a file that left the engine's hands
 * is done: skipped, no re-read). They are read again only when files were
 * added to the queue (at most every few seconds while planning adds them),
 * when the order changes between download order and name, or when many
 * files finished.
 */
import {useMemo, useRef} from 'react';
import type {QueueRow, QueueRowOrder, QueueRows} from '../../core/archive/queue-rows.js';
import type {EngineSnapshot, TransferSnapshot} from '../../core/downloads/types.js';
import {redact} from '../../core/secrets.js';
import {PendingIds} from './pending-ids.js';
import {queueList, type QueueList} from './queue-list.js';
import type {QueueSort} from './transfer-order.js';

/** Reads at most this often while the queue grows (planning a big archive adds files for a while). */
const rereadEveryMs = 2000;
/** Done files remembered before the ids are read afresh (the set would otherwise grow with the run). */
const doneBeforeReread = 20_000;

/** A pending file that has not started, as the pane shows it. */
export function pendingSnapshot(row: QueueRow): TransferSnapshot {
	return {
		id: row.id,
		jobId: row.job_id,
		url: redact(row.url),
		name: row.path ?? '',
		host: '',
		state: row.status === 'pending' ? 'queued' : row.status,
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

interface Tracking {
	pending: PendingIds | null;
	order: QueueRowOrder;
	/** Files pending (engine totals) when the ids were read. */
	pendingCount: number;
	readAt: number;
	done: Set<number>;
	/** Ids the engine held in the last snapshot seen, not finished. */
	held: Set<number>;
	snapshot?: EngineSnapshot;
}

/** Files still to fetch, by the engine's count. */
function pendingCountOf(snapshot: EngineSnapshot): number {
	const {queued, active, paused, held} = snapshot.totals;
	return queued + active + paused + held;
}

/** The whole queue for `snapshot` in the pane's order. */
export function useQueueList(rows: Pick<QueueRows, 'pendingIds' | 'rows'>, snapshot: EngineSnapshot, sort: QueueSort, descending: boolean, now: () => number = Date.now): QueueList {
	const tracking = useRef<Tracking>({pending: null, order: 'download', pendingCount: 0, readAt: Number.NEGATIVE_INFINITY, done: new Set(), held: new Set()});
	return useMemo(() => {
		const state = tracking.current;
		const order: QueueRowOrder = sort === 'name' ? 'name' : 'download';
		if (state.snapshot !== snapshot) {
			state.snapshot = snapshot;
			const current = new Set<number>();
			for (const transfer of snapshot.transfers) if (transfer.state !== 'failed' && transfer.state !== 'canceled') current.add(transfer.id);
			const shown = new Set(snapshot.transfers.map((transfer) => transfer.id));
			// Gone from the engine's hands without failing or being canceled: finished.
			for (const id of state.held) if (!shown.has(id)) state.done.add(id);
			state.held = current;
		}
		const count = pendingCountOf(snapshot);
		// Files waiting for the disk have left the engine's list but still count as pending: that many is no growth.
		const finishing = snapshot.concurrency * 2;
		const grew = count > state.pendingCount - state.done.size + finishing && now() - state.readAt >= rereadEveryMs;
		if (count === 0) {
			state.pending = null;
			state.pendingCount = 0;
			state.done.clear();
		} else if (!state.pending || state.order !== order || grew || state.done.size > doneBeforeReread) {
			state.pending = new PendingIds(rows.pendingIds(order));
			state.order = order;
			state.pendingCount = state.pending.ids.length;
			state.readAt = now();
			state.done.clear();
		}
		const live = new Map(snapshot.transfers.map((transfer) => [transfer.id, transfer]));
		const resolve = (ids: readonly number[]) => {
			const found = new Map<number, TransferSnapshot>();
			const missing = ids.filter((id) => {
				const transfer = live.get(id);
				if (transfer) found.set(id, transfer);
				return !transfer;
			});
			for (const row of missing.length ? rows.rows(missing) : []) found.set(row.id, pendingSnapshot(row));
			return found;
		};
		return queueList({transfers: snapshot.transfers, pending: state.pending, done: state.done, sort, descending, resolve});
	}, [rows, snapshot, sort, descending, now]);
}
