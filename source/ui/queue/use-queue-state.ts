/**
 * The queue pane's state: sort key and direction, and the selection, held by
 * transfer id so it stays on its transfer while snapshots re-sort the rows.
 */
import {defaultDescending, type QueueSort} from './transfer-order.js';

export interface QueueState {
	sort: QueueSort;
	descending: boolean;
	selectedId: number | null;
	/** Last known row of the selection, used when the selected transfer leaves the list. */
	cursor: number;
	top: number;
}

/** The list in its display order, as far as the selection needs it (a QueueList, or an array of ids in tests). */
export interface OrderedIds {
	readonly length: number;
	idAt(index: number): number | undefined;
	indexOf(id: number): number;
}

/** An array of ids as OrderedIds. */
export function orderedIds(ids: readonly number[]): OrderedIds {
	return {length: ids.length, idAt: (index) => ids[index], indexOf: (id) => ids.indexOf(id)};
}

export type QueueAction =
	| {type: 'sort'; sort: QueueSort}
	/** `ids` is the current display order; `height` the visible rows. */
	| {type: 'move'; delta: number; ids: OrderedIds; height: number}
	| {type: 'move-to'; index: number; ids: OrderedIds; height: number};

export const initialQueueState: QueueState = {sort: 'state', descending: false, selectedId: null, cursor: 0, top: 0};

/** Index of the selection in the current order (falls back to the last known row). */
export function selectedIndex(state: QueueState, ids: OrderedIds): number {
	const index = state.selectedId === null ? -1 : ids.indexOf(state.selectedId);
	return index >= 0 ? index : Math.max(0, Math.min(state.cursor, ids.length - 1));
}

/** The first visible row for the selection at `index`, moving the window as little as possible. */
export function windowTop(top: number, index: number, height: number, count: number): number {
	let next = top;
	if (index < next) next = index;
	if (index >= next + height) next = index - height + 1;
	return Math.max(0, Math.min(next, Math.max(0, count - height)));
}

export function queueReducer(state: QueueState, action: QueueAction): QueueState {
	switch (action.type) {
		case 'sort': {
			// Pressing the active sort key again reverses it.
			const descending = action.sort === state.sort ? !state.descending : defaultDescending[action.sort];
			return {...state, sort: action.sort, descending};
		}
		case 'move':
			return queueReducer(state, {type: 'move-to', index: selectedIndex(state, action.ids) + action.delta, ids: action.ids, height: action.height});
		case 'move-to': {
			if (action.ids.length === 0) return state;
			const index = Math.max(0, Math.min(action.index, action.ids.length - 1));
			const selectedId = action.ids.idAt(index)!;
			const top = windowTop(state.top, index, action.height, action.ids.length);
			if (selectedId === state.selectedId && index === state.cursor && top === state.top) return state;
			return {...state, selectedId, cursor: index, top};
		}
	}
}
