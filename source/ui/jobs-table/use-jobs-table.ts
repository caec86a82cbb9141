/**
 * The jobs table's hook: the reducer's state plus the keyset paging that feeds
 * it. Pages are read synchronously (better-sqlite3), so a move that needs rows
 * outside the loaded slice reads them first and then moves.
 */
import {useCallback, useEffect, useMemo, useRef, type MutableRefObject} from 'react';
import type {JobCursor} from '../../core/archive/store.js';
import type {Job, JobFilter} from '../../core/job.js';
import type {ArchiveSource} from '../archive-source.js';
import type {CommandHandlers} from '../keys.js';
import {listCommands} from '../list-commands.js';
import {useSyncReducer} from '../use-sync-state.js';
import {initialJobsTableState, jobsTableReducer, type JobsTableAction, type JobsTableState} from './use-jobs-table-state.js';

/** Rows per keyset page: several screens, so holding j reads SQLite rarely. */
const jobsPageSize = 200;

/** Where `before` starts to reach the oldest job. */
/** Below every job: undated jobs (enqueuedAt null) sort after the dated ones, and no id is ''. */
const beforeOldest: JobCursor = {enqueuedAt: null, id: ''};

/** The archive keeps the unfiltered count in a one-row table: reading it costs nothing, unlike counting a filter. */
function countIsCheap(filter: JobFilter): boolean {
	return !filter.types?.length && filter.since === undefined && filter.until === undefined && filter.fileStatus === undefined && filter.liked === undefined;
}

/** The newest page of `filter` as a reset; the total when already `known` or cheap, else NaN (counted later). */
function newestPage(archive: ArchiveSource, filter: JobFilter, pageSize: number, known: number | undefined): Extract<JobsTableAction, {type: 'reset'}> {
	const rows = archive.listJobs({filter, limit: pageSize + 1});
	const hasOlder = rows.length > pageSize;
	const total = known ?? (!hasOlder ? rows.length : countIsCheap(filter) ? archive.countJobs(filter) : Number.NaN);
	return {type: 'reset', rows: rows.slice(0, pageSize), offset: 0, total, hasNewer: false, hasOlder};
}

function keyOf(job: Job): JobCursor {
	return {enqueuedAt: job.enqueuedAt, id: job.id};
}

/** A cursor just newer than `job`, so `after` includes the job itself. */
function justNewerThan(job: Job): JobCursor {
	return {enqueuedAt: job.enqueuedAt, id: `${job.id}\u0001`};
}

export interface JobsTable {
	state: JobsTableState;
	/** The latest state, even between renders (for key handlers). */
	ref: MutableRefObject<JobsTableState>;
	move(delta: number): void;
	first(): void;
	last(): void;
	/** Load the neighbourhood of a job and select it. Returns false when it is not in the filtered list. */
	jumpTo(jobId: string): boolean;
	/** Re-read the loaded rows (file counts changed); `recount` also counts the filtered list again (new jobs synced). */
	reload(recount?: boolean): void;
	/** The list keys (j/k, PgDn/PgUp, g/G) for the dispatcher. */
	commands: CommandHandlers;
}

export function useJobsTable(archive: ArchiveSource, filter: JobFilter, height: number): JobsTable {
	const pageSize = jobsPageSize;
	// The first frame already shows the newest page and the total: no second frame that Ink's frame cap would hold back.
	const mountedWith = useRef<JobFilter | undefined>(undefined);
	// A reducer run synchronously, so two keys between frames never page twice from the same anchor.
	const [state, dispatch, ref] = useSyncReducer(jobsTableReducer, () => {
		mountedWith.current = filter;
		return jobsTableReducer(initialJobsTableState(height), newestPage(archive, filter, pageSize, undefined));
	});

	// Counting a million rows takes a noticeable while: the count is kept per filter, taken after the
	// first frame, and taken again only when asked (a sync added jobs) or when it is needed (G).
	const count = useRef<{filter: JobFilter; total: number} | undefined>(undefined);
	const countNow = useCallback(() => {
		const total = archive.countJobs(filter);
		count.current = {filter, total};
		return total;
	}, [archive, filter]);
	const knownCount = () => (count.current?.filter === filter ? count.current.total : undefined);

	// A total still unknown (a filter on a big archive) is counted after the frame that shows the rows.
	const countIfUnknown = useCallback(
		(total: number) => {
			if (!Number.isNaN(total)) return;
			setTimeout(() => {
				try {
					dispatch({type: 'replace-rows', rows: [], total: countNow()});
				} catch {
					// The position still shows; the total stays an ellipsis rather than ending the app.
				}
			}, 0);
		},
		[dispatch, countNow],
	);

	const first = useCallback(() => {
		const page = newestPage(archive, filter, pageSize, knownCount());
		dispatch(page);
		countIfUnknown(page.total);
	}, [archive, filter, pageSize, dispatch, countIfUnknown]);

	const last = useCallback(() => {
		const rows = archive.listJobs({filter, before: beforeOldest, limit: pageSize + 1});
		const hasNewer = rows.length > pageSize;
		const page = hasNewer ? rows.slice(1) : rows;
		const total = knownCount() ?? countNow();
		dispatch({type: 'reset', rows: page, offset: Math.max(0, total - page.length), total, hasNewer, hasOlder: false, cursor: page.length - 1});
	}, [archive, filter, pageSize, dispatch]);

	const move = useCallback(
		(delta: number) => {
			const current = ref.current;
			const target = current.cursor + delta;
			const lastRow = current.rows.at(-1);
			const firstRow = current.rows[0];
			if (target >= current.rows.length && current.hasOlder && lastRow) {
				const limit = Math.max(pageSize, target - current.rows.length + 1 + current.height);
				const rows = archive.listJobs({filter, after: keyOf(lastRow), limit: limit + 1});
				dispatch({type: 'append', anchorId: lastRow.id, rows: rows.slice(0, limit), hasOlder: rows.length > limit});
			} else if (target < 0 && current.hasNewer && firstRow) {
				const limit = Math.max(pageSize, -target + current.height);
				const rows = archive.listJobs({filter, before: keyOf(firstRow), limit: limit + 1});
				const hasNewer = rows.length > limit;
				dispatch({type: 'prepend', anchorId: firstRow.id, rows: hasNewer ? rows.slice(1) : rows, hasNewer});
			}
			dispatch({type: 'move', delta});
		},
		[archive, filter, pageSize, dispatch],
	);

	const jumpTo = useCallback(
		(jobId: string): boolean => {
			const job = archive.getJob(jobId);
			if (!job) return false;
			const half = Math.floor(pageSize / 2);
			const newer = archive.listJobs({filter, before: keyOf(job), limit: half + 1});
			const self = archive.listJobs({filter, after: justNewerThan(job), limit: pageSize + 1});
			if (self[0]?.id !== job.id) return false;
			const hasNewer = newer.length > half;
			const above = hasNewer ? newer.slice(1) : newer;
			const total = knownCount() ?? countNow();
			// Jobs without a date come after every dated one.
			const position = archive.countJobs({...filter, since: job.enqueuedAt === null ? Number.MIN_SAFE_INTEGER : job.enqueuedAt + 1});
			dispatch({
				type: 'reset',
				rows: [...above, ...self.slice(0, pageSize)],
				offset: Math.max(0, position - above.length),
				total,
				hasNewer,
				hasOlder: self.length > pageSize,
				cursor: above.length,
			});
			return true;
		},
		[archive, filter, pageSize, dispatch],
	);

	const reload = useCallback((recount = false) => {
		const current = ref.current;
		const total = recount ? countNow() : (knownCount() ?? current.total);
		const selected = current.rows[current.cursor];
		if (!current.hasNewer) {
			// At the head: newly synced jobs appear on top, the selection stays on its job.
			const limit = Math.max(pageSize, current.rows.length);
			const rows = archive.listJobs({filter, limit: limit + 1});
			const index = selected ? rows.findIndex((job) => job.id === selected.id) : 0;
			const page = rows.slice(0, limit);
			if (index >= 0 && current.rows.length > 0 && index === current.cursor && sameIds(page, current.rows)) {
				dispatch({type: 'replace-rows', rows: page, total});
				return;
			}
			dispatch({type: 'reset', rows: page, offset: 0, total, hasNewer: false, hasOlder: rows.length > limit, cursor: Math.max(0, index)});
			return;
		}
		const firstRow = current.rows[0];
		if (!firstRow) return;
		const rows = archive.listJobs({filter, after: justNewerThan(firstRow), limit: current.rows.length});
		dispatch({type: 'replace-rows', rows, total});
	}, [archive, filter, pageSize, dispatch, countNow]);

	useEffect(() => {
		dispatch({type: 'resize', height});
	}, [height, dispatch]);

	// A new filter (or archive) starts again from the newest job; on mount the state already holds that page.
	useEffect(() => {
		if (mountedWith.current === filter) {
			mountedWith.current = undefined;
			countIfUnknown(ref.current.total);
			return;
		}
		first();
	}, [first]);

	// A page is the visible rows as of the last render (the reducer's height follows in an effect).
	const page = useRef(height);
	page.current = height;
	const commands = useMemo(() => listCommands(move, () => page.current, first, last), [move, first, last]);

	return {state, ref, move, first, last, jumpTo, reload, commands};
}

function sameIds(a: readonly Job[], b: readonly Job[]): boolean {
	if (a.length !== b.length) return false;
	for (let index = 0; index < a.length; index++) if (a[index]!.id !== b[index]!.id) return false;
	return true;
}
