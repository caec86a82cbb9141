/**
 * Incremental sync: listing pages → archive.
 *
 * The listing is walked newest first. Each page is stored in one transaction
 * together with the walk's progress, so a sync killed at any instant leaves a
 * consistent archive and a note saying where to go on. That note is a list of
 * walk segments in the meta table (`sync.walks`):
 *   - a segment with `untilEnd` must reach the listing's end (an unfinished
 *     first walk, or --full);
 *   - a segment without it may stop at a page whose jobs were all archived
 *     before the segment began (`marker`): below that point the archive was
 *     already complete, or another segment covers it.
 * `sync.complete` records that some walk reached the end once; until then an
 * incremental run cannot trust "already archived" to mean "nothing older is missing".
 */
import {setTimeout as sleep} from 'node:timers/promises';
import {OddityTally, parseEnqueueTime} from './archive/job-rows.js';
import {claimArchive, writerClaimKey, type WriterClaim} from './archive/claims.js';
import type {ArchiveStore} from './archive/store.js';
import type {SyncRunCounts} from './archive/sync-runs.js';
import type {ApiJob} from './job.js';
import {ExitCode, MjError} from './errors.js';
import {ListingHttpError, type MidjourneyClient} from './midjourney/client.js';
import {storableJobs} from './midjourney/validate.js';
import {redact} from './secrets.js';
import {walkLikes, type LikesSummary} from './sync-likes.js';

export type {LikesSummary} from './sync-likes.js';

/** What the run has stored so far (also when it fails later: earlier pages stay stored). */
export interface SyncProgress {
	state: 'listing' | 'done' | 'failed';
	page: number;
	/** Pages stored. */
	pages: number;
	jobsSeen: number;
	jobsNew: number;
	jobsUpdated: number;
	/** Odd fields counted so far: "video_segments as a number" → jobs. */
	oddities: Record<string, number>;
	/** The likes walk so far (--likes), once it began. */
	likes?: LikesSummary;
}

export interface SyncOptions {
	/** Re-walk the whole listing instead of stopping at already-archived jobs (and, with likes, every page of likes). */
	full?: boolean;
	/** After the listing, walk the jobs the account liked (sync-likes.ts); the filters apply to the listing only. */
	likes?: boolean;
	/** Epoch ms bounds on enqueue time. */
	since?: number;
	until?: number;
	types?: string[];
	/** Stop after this many jobs seen. */
	limit?: number;
	pageSize?: number;
	/** Pause between listing pages, ms (default: the client's config.pagePauseMs, else 500; 0 allowed). */
	pagePauseMs?: number;
	signal?: AbortSignal;
	onProgress?: (progress: SyncProgress) => void;
}

export interface SyncSummary {
	pages: number;
	jobsSeen: number;
	jobsNew: number;
	jobsUpdated: number;
	durationMs: number;
	stoppedBecause: 'caught-up' | 'end' | 'limit' | 'since' | 'aborted';
	/** Odd fields of this run's jobs, counted once per kind ("12 jobs had parent_grid as a string"). */
	oddities: Record<string, number>;
	/** The likes walk, when asked for (--likes). */
	likes?: LikesSummary;
}

/** Meta keys of the walk state (documented for people reading archive.db). */
export const walksMetaKey = 'sync.walks';
export const completeMetaKey = 'sync.complete';

/** One stretch of the listing still to walk. */
export interface WalkSegment {
	/** Where to continue; null = the head (newest). */
	cursor: string | null;
	/** Must reach the end of the listing (else may stop at already-archived jobs). */
	untilEnd: boolean;
	/** Epoch ms when the segment began: jobs first archived since then don't count as "already archived". */
	marker: number;
}

interface WalkState {
	complete: boolean;
	segments: WalkSegment[];
}

const defaultPagePauseMs = 500;
/** Statuses with which a service rejects a cursor it no longer knows. */
const rejectedCursorStatuses = new Set([400, 404, 410, 422]);

/** The walk state as the archive holds it; unreadable state means "start over from the head, to the end". */
export function readWalkState(store: ArchiveStore): WalkState {
	const complete = store.meta.get(completeMetaKey) === 'true';
	let segments: WalkSegment[] = [];
	try {
		const parsed = JSON.parse(store.meta.get(walksMetaKey) ?? '[]') as unknown;
		if (Array.isArray(parsed)) {
			segments = parsed.filter(
				(segment): segment is WalkSegment =>
					typeof segment === 'object' && segment !== null && (typeof segment.cursor === 'string' || segment.cursor === null) && typeof segment.marker === 'number',
			);
			segments = segments.map(segment => ({cursor: segment.cursor, untilEnd: segment.untilEnd === true, marker: segment.marker}));
		}
	} catch {
		return {complete: false, segments: []};
	}
	return {complete, segments};
}

function writeWalkState(store: ArchiveStore, state: WalkState): void {
	store.meta.set(walksMetaKey, JSON.stringify(state.segments));
	store.meta.set(completeMetaKey, state.complete ? 'true' : 'false');
}

/** Meta key naming the process writing the archive (the shared writer claim; see archive/claims.ts). */
export const ownerMetaKey = writerClaimKey;

/** Archives this process is syncing right now (a second sync of one archive would interleave walk state). */
const syncingHere = new Set<string>();

/**
 * The sync_runs row for one run. The caller holds the archive's writer claim,
 * so a row still `running` was left by a process that ended mid-sync: it is
 * marked interrupted. Within one process a second sync is refused.
 */
class SyncRun {
	private readonly id: number;

	constructor(private readonly store: ArchiveStore, mode: 'incremental' | 'full', now: number, private readonly claim: WriterClaim) {
		if (syncingHere.has(store.dir)) throw busyError(store.dir, process.pid);
		this.id = store.inTransaction(() => {
			store.syncRuns.markAbandonedInterrupted();
			return store.syncRuns.start(now, mode);
		}, 'immediate');
		syncingHere.add(store.dir);
	}

	record(counts: SyncRunCounts): void {
		this.store.syncRuns.record(this.id, counts);
	}

	finish(status: 'ok' | 'failed' | 'interrupted', error?: string): void {
		syncingHere.delete(this.store.dir);
		try {
			this.store.syncRuns.finish(this.id, status, error, Date.now());
		} finally {
			// A full disk can refuse the row's update; the claim is still given back (or tried).
			this.claim.release();
		}
	}
}

function busyError(dir: string, pid: number): MjError {
	return new MjError(`Another mj-tui sync (process ${pid}) is writing the archive ${dir}; two at once would interleave their walks.`, {
		exitCode: ExitCode.unavailable,
		hint: 'Wait for it to finish, or stop it (Ctrl-C); the next run continues where it stopped.',
	});
}

/** The run's row, under the archive's writer claim (shared with this process's downloads; waits briefly for another process's). */
async function startSyncRun(store: ArchiveStore, mode: 'incremental' | 'full', now: number, signal?: AbortSignal): Promise<SyncRun> {
	const claim = await claimArchive(store, 'syncing the listing', {signal});
	try {
		return new SyncRun(store, mode, now, claim);
	} catch (error) {
		claim.release();
		throw error;
	}
}

/** Page from newest; stop once a page holds only archived jobs (unless full). Interruptible at any instant. */
export async function syncJobs(store: ArchiveStore, client: MidjourneyClient, options: SyncOptions = {}): Promise<SyncSummary> {
	const startedAt = Date.now();
	const {signal, onProgress} = options;
	const pagePauseMs = options.pagePauseMs ?? client.pagePauseMs ?? defaultPagePauseMs;
	const typeSet = options.types?.length ? new Set(options.types) : undefined;
	const filtered = options.since !== undefined || options.until !== undefined || typeSet !== undefined || options.limit !== undefined;
	const run = await startSyncRun(store, options.full ? 'full' : 'incremental', startedAt, signal);
	const seen = new Set<string>();
	const counts = {pages: 0, jobsSeen: 0, jobsNew: 0, jobsUpdated: 0};
	const oddities = new OddityTally();
	let likes: LikesSummary | undefined;
	const report = (state: SyncProgress['state']) => onProgress?.({state, page: counts.pages, ...counts, oddities: oddities.toJSON(), ...(likes ? {likes} : {})});

	const state = readWalkState(store);
	// The head segment of this run. Pending head segments (left by filtered runs) merge into it, keeping the oldest marker.
	const pendingHeads = state.segments.filter(segment => segment.cursor === null);
	const head: WalkSegment = {
		cursor: null,
		untilEnd: Boolean(options.full) || (!state.complete && !state.segments.some(segment => segment.untilEnd)),
		marker: Math.min(startedAt, ...pendingHeads.map(segment => segment.marker)),
	};
	if (!filtered) state.segments = state.segments.filter(segment => segment.cursor !== null);
	// Filtered runs may stop at archived jobs only where an unfiltered walk would (nothing pending).
	const filteredMayStop = filtered && state.complete && state.segments.length === 0;
	// A filtered run stores only part of what it passes; it leaves a head segment so the next full-coverage run walks through its jobs.
	const filteredHead: WalkSegment | undefined = filtered && !pendingHeads.length ? {cursor: null, untilEnd: false, marker: startedAt} : undefined;
	let stoppedBecause: SyncSummary['stoppedBecause'] = 'end';

	/** Walk one segment (then `rest` remain pending); returns why it stopped. */
	const walk = async (segment: WalkSegment, rest: WalkSegment[]): Promise<SyncSummary['stoppedBecause']> => {
		const resumed = segment.cursor !== null;
		let cursor = segment.cursor;
		let firstPage = true;
		// A walk that began at the head and reached the end covered the whole listing.
		let fromHead = !resumed;
		const cursorsSeen = new Set<string>();
		for (;;) {
			signal?.throwIfAborted();
			if (counts.pages > 0 && pagePauseMs > 0) await sleep(pagePauseMs, undefined, {signal});
			let page;
			try {
				page = await client.listPage({cursor: cursor ?? undefined, pageSize: options.pageSize, signal, page: counts.pages + 1});
			} catch (error) {
				if (resumed && firstPage && error instanceof ListingHttpError && rejectedCursorStatuses.has(error.status)) {
					// The service forgot the saved cursor: walk from the head again, to the end, so nothing in between is skipped.
					segment = {cursor: null, untilEnd: true, marker: segment.marker};
					cursor = null;
					firstPage = false;
					fromHead = true;
					continue;
				}
				throw error;
			}
			firstPage = false;
			const pageNumber = counts.pages + 1;
			// Jobs without a string id cannot be stored: counted, skipped; the page's other jobs are stored.
			const pageOddities = new OddityTally();
			const jobs = storableJobs(page.data, pageOddities);
			// A null (or missing) cursor ends the listing, as an empty page does.
			const nextCursor = typeof page.cursor === 'string' && page.cursor !== '' ? page.cursor : null;
			const reachedEnd = page.data.length === 0 || nextCursor === null;
			if (!reachedEnd && (nextCursor === cursor || cursorsSeen.has(nextCursor!))) {
				throw new MjError(`Listing page ${pageNumber} points back to a page already walked (its cursor repeats); stopping instead of looping. Nothing from this page was stored.`, {
					exitCode: ExitCode.dataError,
					hint: 'Run the sync again later; if it persists, the service changed its paging (please report it).',
				});
			}
			if (nextCursor) cursorsSeen.add(nextCursor);

			const selected = selectJobs(jobs, options, typeSet, seen);
			const limitHit = options.limit !== undefined && seen.size >= options.limit;
			// Jobs without a readable time say nothing about where --since stops; the dated ones decide.
			const times = jobs.map(job => enqueuedAtOf(job)).filter(at => at !== null);
			const sinceHit = options.since !== undefined && times.length > 0 && times.every(at => at < options.since!);
			const mayStopAtKnown = !segment.untilEnd && !options.full && (!filtered || filteredMayStop);
			const caughtUp = mayStopAtKnown && jobs.length > 0 && store.jobsArchivedBefore(jobs.map(job => job.id), segment.marker).size === new Set(jobs.map(job => job.id)).size;
			const why: SyncSummary['stoppedBecause'] | undefined = limitHit ? 'limit' : sinceHit ? 'since' : caughtUp ? 'caught-up' : reachedEnd ? 'end' : undefined;

			store.inTransaction(() => {
				const result = selected.length ? store.upsertJobs(selected, 'api', pageOddities) : undefined;
				counts.pages++;
				counts.jobsNew += result?.inserted ?? 0;
				counts.jobsUpdated += result?.updated ?? 0;
				counts.jobsSeen = seen.size;
				if (filtered) {
					if (filteredHead && counts.jobsNew > 0 && !state.segments.includes(filteredHead)) {
						state.segments = [filteredHead, ...state.segments];
						writeWalkState(store, state);
					}
				} else if (why === undefined) {
					segment.cursor = nextCursor;
					state.segments = [segment, ...rest];
					writeWalkState(store, state);
				} else {
					// The segment is done. One that reached the end covers everything older; from the head, everything.
					if (why === 'end' && (segment.untilEnd || fromHead)) state.complete = true;
					state.segments = why === 'end' && fromHead ? [] : rest;
					writeWalkState(store, state);
				}
				run.record(counts);
			});
			// Counted once the page is stored: a page that fails to store adds nothing to the report.
			oddities.merge(pageOddities.toJSON());
			report('listing');
			if (why) return why;
			cursor = nextCursor;
		}
	};

	try {
		if (filtered) {
			stoppedBecause = await walk({...head, untilEnd: false}, state.segments);
		} else {
			const queue = [head, ...state.segments];
			while (queue.length) {
				const segment = queue.shift()!;
				stoppedBecause = await walk(segment, queue.slice());
				// A walk from the head to the end cleared every pending segment.
				if (state.segments.length === 0) break;
			}
		}
		if (options.likes) {
			likes = {pages: 0, jobsSeen: 0, jobsNew: 0, liked: 0, unliked: 0, stoppedBecause: null};
			likes = await walkLikes(store, client, {full: options.full, pagePauseMs, signal, oddities, onPage(progress) {
				likes = progress;
				report('listing');
			}});
		}
		run.finish('ok');
		report('done');
	} catch (error) {
		if (signal?.aborted) {
			run.finish('interrupted', 'aborted');
			report('done');
			return {...counts, durationMs: Date.now() - startedAt, stoppedBecause: 'aborted', oddities: oddities.toJSON(), ...(likes ? {likes: {...likes, stoppedBecause: 'aborted' as const}} : {})};
		}
		run.finish('failed', redact(error instanceof Error ? error.message : String(error)));
		report('failed');
		throw error;
	}
	return {...counts, durationMs: Date.now() - startedAt, stoppedBecause, oddities: oddities.toJSON(), ...(likes ? {likes} : {})};
}

/** A job's enqueue time in epoch ms, or null when it has none that reads as a date. */
function enqueuedAtOf(job: ApiJob): number | null {
	return typeof job.enqueue_time === 'string' ? parseEnqueueTime(job.enqueue_time) : null;
}

/** The page's jobs this run stores (filters applied, limit respected); marks them seen. */
function selectJobs(jobs: readonly ApiJob[], options: SyncOptions, typeSet: Set<string> | undefined, seen: Set<string>): ApiJob[] {
	const selected: ApiJob[] = [];
	for (const job of jobs) {
		if (options.limit !== undefined && seen.size >= options.limit && !seen.has(job.id)) break;
		const at = enqueuedAtOf(job);
		// A time filter keeps only jobs known to be in range: undated ones wait for an unfiltered run.
		if (options.since !== undefined && (at === null || at < options.since)) continue;
		if (options.until !== undefined && (at === null || at >= options.until)) continue;
		if (typeSet && !typeSet.has(String(job.job_type)) && !typeSet.has(String(job.event_type))) continue;
		seen.add(job.id);
		selected.push(job);
	}
	return selected;
}
