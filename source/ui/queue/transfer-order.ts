/**
 * The queue's sort orders. Ties fall back to the transfer id so rows keep
 * their place between snapshots instead of jittering.
 */
import type {TransferSnapshot, TransferState} from '../../core/downloads/types.js';

export type QueueSort = 'state' | 'speed' | 'eta' | 'remaining' | 'name';

/** The direction a sort starts in: fastest, soonest, largest, A-Z, busiest first. */
export const defaultDescending: Record<QueueSort, boolean> = {state: false, speed: true, eta: false, remaining: true, name: false};

// By state, what needs attention comes first: running, then failed, held, paused, waiting, canceled.
const stateRank: Record<TransferState, number> = {active: 0, failed: 1, held: 2, paused: 3, queued: 4, canceled: 5, done: 6};

/** Bytes still to fetch; unknown sizes count as unknown (sorted last). */
export function remainingBytes(transfer: TransferSnapshot): number | null {
	return transfer.total === null ? null : Math.max(0, transfer.total - transfer.bytes);
}

function compareNullable(a: number | null, b: number | null): number | undefined {
	if (a === null && b === null) return 0;
	// Unknowns go last whichever way the column is sorted; the caller must not flip this.
	if (a === null) return undefined;
	if (b === null) return undefined;
	return a - b;
}

/** Transfers in display order for a sort key and direction. */
export function sortTransfers(transfers: readonly TransferSnapshot[], sort: QueueSort, descending: boolean): TransferSnapshot[] {
	const direction = descending ? -1 : 1;
	return [...transfers].sort((a, b) => {
		let order: number | undefined;
		switch (sort) {
			case 'state':
				order = stateRank[a.state] - stateRank[b.state];
				break;
			case 'speed':
				order = a.speed - b.speed;
				break;
			case 'eta':
				order = compareNullable(a.eta, b.eta);
				if (order === undefined) return a.eta === null ? 1 : -1;
				break;
			case 'remaining':
				order = compareNullable(remainingBytes(a), remainingBytes(b));
				if (order === undefined) return remainingBytes(a) === null ? 1 : -1;
				break;
			case 'name':
				order = a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
				break;
		}
		return order * direction || a.id - b.id;
	});
}
