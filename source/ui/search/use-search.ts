/**
 * Search as you type over the archive's FTS5 index. Results respect the jobs
 * filter, so a hit is always in the table; the last word counts as a prefix
 * while it is being typed. The typed letter is drawn first: while queries
 * answer quickly the next one runs right after the frame showing the letter is
 * on the terminal (see frame-pacer.ts), and once one is slow, typing is
 * debounced so a burst of keys costs one query.
 */
import {useCallback, useEffect, useRef} from 'react';
import type {JobFilter} from '../../core/job.js';
import type {ArchiveSource} from '../archive-source.js';
import {errorLine} from '../error-line.js';
import type {FrameSignal} from '../frame-pacer.js';
import {useSyncReducer} from '../use-sync-state.js';
import {searchLimit} from './search-pane.js';
import {initialSearchState, searchReducer} from './use-search-state.js';

/** After a search that answered within this many ms, the next one runs without the typing debounce. */
const instantSearchMs = 25;

/** The search state, its dispatcher, and a ref to its latest value for key handlers. */
export function useSearch(archive: ArchiveSource, filter: JobFilter, debounceMs: number, frames: FrameSignal) {
	const [search, dispatch, ref] = useSyncReducer(searchReducer, initialSearchState);
	const lastSearchMs = useRef(0);
	const runSearch = useCallback(
		(query: string) => {
			if (!query.trim()) return dispatch({type: 'results', query, hits: [], error: null});
			const started = performance.now();
			try {
				dispatch({type: 'results', query, hits: archive.search(query, {filter, limit: searchLimit, prefixLast: true}), error: null});
			} catch (error) {
				dispatch({type: 'results', query, hits: [], error: errorLine(error)});
			}
			lastSearchMs.current = performance.now() - started;
		},
		[archive, filter, dispatch],
	);
	// Frames written before this render: one newer than that holds the typed text.
	const writesBeforeRender = frames.writes;
	useEffect(() => {
		if (search.query === search.resultsFor) return;
		const query = search.query;
		if (lastSearchMs.current <= instantSearchMs) return frames.afterFrameSince(writesBeforeRender, () => runSearch(query));
		const timer = setTimeout(() => runSearch(query), debounceMs);
		return () => clearTimeout(timer);
	}, [search.query, search.resultsFor, runSearch, debounceMs, frames]);
	// A new filter changes what matches: search again.
	useEffect(() => {
		if (ref.current.query) runSearch(ref.current.query);
	}, [runSearch, ref]);
	return {search, dispatch, ref};
}
