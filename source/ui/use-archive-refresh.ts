/**
 * When the app reads the archive again. A sync page or finished files change
 * archived data; the jobs table re-reads its rows, the totals are counted
 * again, and the details re-read their files. All of it is throttled: each
 * re-read is a redraw, and counting a big archive takes a while.
 */
import {useCallback, useEffect, useRef, useState} from 'react';
import type {ArchiveTotals} from '../core/archive/store.js';
import type {JobFilter} from '../core/job.js';
import type {ArchiveSource} from './archive-source.js';

/** Least time between two re-reads of the same kind. */
const rereadMs = 2000;

export interface ArchiveRefreshOptions {
	archive: ArchiveSource;
	/** The jobs table's re-read; `recount` counts the filtered list again. */
	reload: (recount: boolean) => void;
	filter: JobFilter;
	/** Transfers the engine has finished, failed or canceled so far: each may change a job's file counts. */
	settled: number;
	onError: (error: unknown) => void;
}

/** `dataVersion` grows with each change, `totals` counts the archive; `changed` says files changed, `jobsArrived` that a sync stored jobs. */
export function useArchiveRefresh({archive, reload, filter, settled, onError}: ArchiveRefreshOptions) {
	const [dataVersion, setDataVersion] = useState(0);
	const [totals, setTotals] = useState<ArchiveTotals | undefined>(undefined);
	const recount = useRef(false);
	const changed = useCallback(() => setDataVersion((version) => version + 1), []);
	const jobsArrived = useCallback(() => {
		recount.current = true;
		changed();
	}, [changed]);

	// Re-read visible rows when data changed (and count again after a sync).
	useEffect(() => {
		if (dataVersion === 0) return;
		try {
			// With a download-status filter, finished files change which jobs match.
			reload(recount.current || filter.fileStatus !== undefined);
		} catch (error) {
			onError(error);
		}
		recount.current = false;
	}, [dataVersion, reload]);

	// Totals count every job, which takes a while in a big archive: read after the first frame, then at most every two seconds.
	const lastTotals = useRef(0);
	useEffect(() => {
		const wait = dataVersion === 0 ? 0 : Math.max(0, rereadMs - (Date.now() - lastTotals.current));
		const timer = setTimeout(() => {
			lastTotals.current = Date.now();
			try {
				setTotals(archive.totals());
			} catch (error) {
				onError(error);
			}
		}, wait);
		return () => clearTimeout(timer);
	}, [archive, dataVersion]);

	// Finished or failed files change the jobs' file counts: re-read at most every two seconds (a
	// throttle, not a debounce, so a steady stream of finished files still shows).
	const lastReread = useRef(0);
	const rereadTimer = useRef<NodeJS.Timeout | undefined>(undefined);
	useEffect(() => {
		if (settled === 0 || rereadTimer.current) return;
		const wait = Math.max(0, rereadMs - (Date.now() - lastReread.current));
		rereadTimer.current = setTimeout(() => {
			rereadTimer.current = undefined;
			lastReread.current = Date.now();
			changed();
		}, wait);
	}, [settled, changed]);
	useEffect(() => () => clearTimeout(rereadTimer.current), []);

	return {dataVersion, totals, changed, jobsArrived};
}
