/**
 * The search line and its hits. Results arrive from a query of the
 * archive's FTS5 index; they stay after the line closes so n/N can step
 * through them from the jobs pane.
 */
import type {SearchHit} from '../../core/archive/store.js';

export interface SearchState {
	open: boolean;
	query: string;
	/** The query the hits belong to (lags `query` while typing). */
	resultsFor: string;
	hits: SearchHit[];
	index: number;
	error: string | null;
}

export type SearchAction =
	| {type: 'open'}
	| {type: 'close'}
	| {type: 'edit'; query: string}
	| {type: 'results'; query: string; hits: SearchHit[]; error: string | null}
	| {type: 'move'; delta: number; wrap?: boolean};

export const initialSearchState: SearchState = {open: false, query: '', resultsFor: '', hits: [], index: 0, error: null};

export function searchReducer(state: SearchState, action: SearchAction): SearchState {
	switch (action.type) {
		case 'open':
			return state.open ? state : {...state, open: true};
		case 'close':
			return state.open ? {...state, open: false} : state;
		case 'edit':
			return action.query === state.query ? state : {...state, query: action.query};
		case 'results':
			// A late answer for text the user has since changed is dropped.
			if (action.query !== state.query) return state;
			return {...state, resultsFor: action.query, hits: action.hits, index: 0, error: action.error};
		case 'move': {
			const count = state.hits.length;
			if (count === 0) return state;
			let index = state.index + action.delta;
			index = action.wrap ? ((index % count) + count) % count : Math.max(0, Math.min(index, count - 1));
			return index === state.index ? state : {...state, index};
		}
	}
}

/** The highlighted hit, if any. */
export function currentHit(state: SearchState): SearchHit | undefined {
	return state.hits[state.index];
}
