/**
 * State of the jobs table: a bounded slice of the archive (loaded by keyset
 * pages) plus where the cursor and the visible window sit inside it. The list
 * itself stays in SQLite, so a million jobs cost the same as a hundred.
 */
import type {Job} from '../../core/job.js';

export interface JobsTableState {
	/** The loaded slice, newest first. */
	rows: Job[];
	/** Index in `rows` of the selected job. */
	cursor: number;
	/** Index in `rows` of the first visible row. */
	top: number;
	/** Visible rows. */
	height: number;
	/** Position of rows[0] in the whole filtered list (0 = newest). */
	offset: number;
	/** Jobs matching the filter; NaN until counted (a count of a million rows is taken after the first frame). */
	total: number;
	/** More jobs exist before rows[0] / after the last row. */
	hasNewer: boolean;
	hasOlder: boolean;
}

export type JobsTableAction =
	| {type: 'reset'; rows: Job[]; offset: number; total: number; hasNewer: boolean; hasOlder: boolean; cursor?: number}
	/** Rows loaded after `anchorId` (the last row when the page was asked for). */
	| {type: 'append'; anchorId: string; rows: Job[]; hasOlder: boolean}
	/** Rows loaded before `anchorId` (the first row when the page was asked for), newest first. */
	| {type: 'prepend'; anchorId: string; rows: Job[]; hasNewer: boolean}
	/** Fresh copies of loaded rows (file counts changed); unknown ids are ignored. */
	| {type: 'replace-rows'; rows: Job[]; total?: number}
	| {type: 'move'; delta: number}
	| {type: 'move-to'; index: number}
	| {type: 'resize'; height: number};

/** Most rows kept in memory; trimming keeps the slice around the cursor. */
export const maxLoadedRows = 1000;

export function initialJobsTableState(height: number): JobsTableState {
	return {rows: [], cursor: 0, top: 0, height: Math.max(1, height), offset: 0, total: 0, hasNewer: false, hasOlder: false};
}

/** Keep the cursor inside the visible window, moving the window as little as possible. */
function scrollToCursor(state: JobsTableState): JobsTableState {
	const {cursor, height, rows} = state;
	let {top} = state;
	if (cursor < top) top = cursor;
	if (cursor >= top + height) top = cursor - height + 1;
	top = Math.max(0, Math.min(top, Math.max(0, rows.length - height)));
	return top === state.top ? state : {...state, top};
}

/** Drop rows far from the cursor so the slice never grows past maxLoadedRows. */
function trim(state: JobsTableState, keep: 'start' | 'end'): JobsTableState {
	const excess = state.rows.length - maxLoadedRows;
	if (excess <= 0) return state;
	if (keep === 'end') {
		// Appended at the end: drop from the start (never past the window).
		const drop = Math.min(excess, state.top);
		if (drop === 0) return state;
		return {
			...state,
			rows: state.rows.slice(drop),
			cursor: state.cursor - drop,
			top: state.top - drop,
			offset: state.offset + drop,
			hasNewer: true,
		};
	}
	const keepCount = Math.max(maxLoadedRows, state.top + state.height);
	if (keepCount >= state.rows.length) return state;
	return {...state, rows: state.rows.slice(0, keepCount), hasOlder: true};
}

export function jobsTableReducer(state: JobsTableState, action: JobsTableAction): JobsTableState {
	switch (action.type) {
		case 'reset': {
			const cursor = Math.max(0, Math.min(action.cursor ?? 0, action.rows.length - 1));
			return scrollToCursor({
				...state,
				rows: action.rows,
				offset: action.offset,
				total: action.total,
				hasNewer: action.hasNewer,
				hasOlder: action.hasOlder,
				cursor,
				// Put a jumped-to row near the middle so its neighbours show.
				top: Math.max(0, cursor - Math.floor(state.height / 2)),
			});
		}
		case 'append': {
			const last = state.rows.at(-1);
			// A page for an older anchor (keys pressed faster than frames) would duplicate rows.
			if (!last || last.id !== action.anchorId) return state;
			if (action.rows.length === 0 && action.hasOlder === state.hasOlder) return state;
			return trim({...state, rows: [...state.rows, ...action.rows], hasOlder: action.hasOlder}, 'end');
		}
		case 'prepend': {
			const first = state.rows[0];
			if (!first || first.id !== action.anchorId) return state;
			if (action.rows.length === 0 && action.hasNewer === state.hasNewer) return state;
			const added = action.rows.length;
			return trim(
				{
					...state,
					rows: [...action.rows, ...state.rows],
					cursor: state.cursor + added,
					top: state.top + added,
					offset: Math.max(0, state.offset - added),
					hasNewer: action.hasNewer,
				},
				'start',
			);
		}
		case 'replace-rows': {
			const fresh = new Map(action.rows.map((job) => [job.id, job]));
			let changed = false;
			const rows = state.rows.map((job) => {
				const next = fresh.get(job.id);
				if (!next || sameFiles(job, next)) return job;
				changed = true;
				return next;
			});
			const total = action.total ?? state.total;
			if (!changed && Object.is(total, state.total)) return state;
			return {...state, rows: changed ? rows : state.rows, total};
		}
		case 'move':
			return jobsTableReducer(state, {type: 'move-to', index: state.cursor + action.delta});
		case 'move-to': {
			const cursor = Math.max(0, Math.min(action.index, state.rows.length - 1));
			if (cursor === state.cursor) return state;
			return scrollToCursor({...state, cursor});
		}
		case 'resize': {
			const height = Math.max(1, action.height);
			if (height === state.height) return state;
			return scrollToCursor({...state, height});
		}
	}
}

function sameFiles(a: Job, b: Job): boolean {
	return a.files.total === b.files.total && a.files.done === b.files.done && a.files.failed === b.files.failed && a.prompt === b.prompt;
}

/** The selected job, if any. */
export function selectedJob(state: JobsTableState): Job | undefined {
	return state.rows[state.cursor];
}

/** The rows on screen. */
export function visibleRows(state: JobsTableState): Job[] {
	return state.rows.slice(state.top, state.top + state.height);
}
