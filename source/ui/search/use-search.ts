/**
 * Search as you type over the archive's FTS5 index. Results respect the jobs
 * filter, so a hit is always in the table; the last word counts as a prefix
 * while it is being typed. The typed letter is drawn first; the query runs
 * as soon as the frame showing it is on the terminal (see frame-pacer.ts).
 * Latest wins: keys that arrive before that frame is out (or while a query
 * runs, since queries block the thread) cancel the waiting query and leave one
 * for the newest text, so a burst of keys costs one query and no fixed
 * debounce holds the hits back.
 */
import {useCallback, useEffect, useMemo} from 'react';
import type {Key} from 'ink';
import type {JobFilter} from '../../core/job.js';
import type {ArchiveSource} from '../archive-source.js';
import {errorLine} from '../error-line.js';
import type {FrameSignal} from '../frame-pacer.js';
import type {Command, CommandHandlers} from '../keys.js';
import {editLine} from '../prompt/line-editor.js';
import {useSyncReducer} from '../use-sync-state.js';
import {searchLimit} from './search-pane.js';
import {initialSearchState, searchReducer} from './use-search-state.js';

/** What search acts on outside itself. */
export interface SearchOptions {
	frames: FrameSignal;
	/** Select a job in the jobs table; false when the filter hides it. */
	jumpTo: (jobId: string) => boolean;
	/** Show the selected job's details (after Enter on a hit). */
	showDetails: () => void;
	info: (text: string) => void;
}

/** The search state, a ref to its latest value for key handlers, and its command handlers. */
export function useSearch(archive: ArchiveSource, filter: JobFilter, {frames, jumpTo, showDetails, info}: SearchOptions) {
	const [search, dispatch, ref] = useSyncReducer(searchReducer, initialSearchState);
	const runSearch = useCallback(
		(query: string) => {
			if (!query.trim()) return dispatch({type: 'results', query, hits: [], error: null});
			try {
				dispatch({type: 'results', query, hits: archive.search(query, {filter, limit: searchLimit, prefixLast: true}), error: null});
			} catch (error) {
				dispatch({type: 'results', query, hits: [], error: errorLine(error)});
			}
		},
		[archive, filter, dispatch],
	);
	// Frames written before this render: one newer than that holds the typed text.
	const writesBeforeRender = frames.writes;
	useEffect(() => {
		if (search.query === search.resultsFor) return;
		const query = search.query;
		// A key read since this render has a render (and a query) of its own coming: this one would be dropped.
		return frames.afterFrameSince(writesBeforeRender, () => ref.current.query === query && runSearch(query));
	}, [search.query, search.resultsFor, runSearch, frames, ref]);
	// A new filter changes what matches: search again.
	useEffect(() => {
		if (ref.current.query) runSearch(ref.current.query);
	}, [runSearch, ref]);
	const commands = useMemo(() => {
		const jumpToHit = (index: number): boolean => {
			const hit = ref.current.hits[index];
			if (!hit) return false;
			if (jumpTo(hit.job.id)) return true;
			info('that job is not in the filtered list (F clears the filter)');
			return false;
		};
		const stepHits = (step: 1 | -1) => () => {
			const {hits, index: current} = ref.current;
			if (hits.length === 0) return info('no search hits (/ searches)');
			const index = (((current + step) % hits.length) + hits.length) % hits.length;
			dispatch({type: 'move', delta: step, wrap: true});
			if (jumpToHit(index)) info(`hit ${index + 1} of ${hits.length}`);
		};
		/** Keys of the search line. */
		const line: CommandHandlers = {
			'search-accept'() {
				dispatch({type: 'close'});
				if (jumpToHit(ref.current.index)) showDetails();
			},
			'search-close': () => dispatch({type: 'close'}),
			'search-next': () => dispatch({type: 'move', delta: 1}),
			'search-prev': () => dispatch({type: 'move', delta: -1}),
		};
		/** n/N in the panes: step through the hits after the line closed. */
		const hits: CommandHandlers = {'next-hit': stepHits(1), 'prev-hit': stepHits(-1)};
		/** Any other key on the search line: edit the query. */
		const edit = (command: Command | undefined, input: string, key: Key) => {
			const query = editLine(ref.current.query, command, input, key);
			if (query !== undefined) dispatch({type: 'edit', query});
		};
		return {line, hits, edit, open: () => dispatch({type: 'open'})};
	}, [ref, dispatch, jumpTo, showDetails, info]);
	return {search, ref, commands};
}
