/**
 * The likes walk (`--likes`): `/api/explore-likes` pages → archive. Each liked
 * job is stored as a job (other people's too, source 'likes'; the account's
 * own job stays as the listing sent it) and marked liked with its author, one
 * transaction per page together with where the walk stands.
 *
 * Pages are numbered from 1, newest like first; an empty page ends the likes.
 * Incremental like the listing: once some walk reached the end
 * (`likes.complete`), a run stops at the first page whose jobs were all liked
 * already, so an up-to-date archive costs one request. A walk that must reach
 * the end (the first one, or --full) saves the next page number
 * (`likes.pending`) after every page, so a killed run continues there.
 *
 * The trade-off of numbered pages: a like removed upstream is only noticed by
 * `--full`, which walks every page and marks the likes it did not see as
 * unliked; a like added behind already-known ones (should the service ever
 * order by something other than the time of the like) waits for `--full` too.
 * A continued walk may see a job twice or, when likes were removed at the head
 * meanwhile, miss one that moved up a page: the next `--full` finds it.
 */
import {setTimeout as sleep} from 'node:timers/promises';
import {kindOf, OddityTally} from './archive/job-rows.js';
import type {LikeAuthor} from './archive/likes.js';
import type {ArchiveStore} from './archive/store.js';
import type {ApiJob} from './job.js';
import {ExitCode, MjError} from './errors.js';
import type {MidjourneyClient} from './midjourney/client.js';
import {surveyPage} from './midjourney/page-survey.js';
import {storableJobs} from './midjourney/validate.js';

/** What the likes walk did; counts cover stored pages, also when a later one failed. */
export interface LikesSummary {
	pages: number;
	/** Liked jobs on the pages walked. */
	jobsSeen: number;
	/** Jobs the archive did not hold before (other people's, mostly). */
	jobsNew: number;
	/** Jobs marked liked that were not before. */
	liked: number;
	/** Likes a --full walk no longer found. */
	unliked: number;
	stoppedBecause: 'caught-up' | 'end' | 'aborted' | null;
}

/** Meta keys of the likes walk (documented for people reading archive.db). */
export const likesCompleteMetaKey = 'likes.complete';
export const likesPendingMetaKey = 'likes.pending';

/** A stretch of the likes still to walk. */
interface LikesSegment {
	/** The page to ask for next (from 1). */
	page: number;
	/** Must reach the end (else may stop at a page of known likes). */
	untilEnd: boolean;
	/** A --full walk: at its end, likes it did not see are marked unliked. */
	full: boolean;
	/** Epoch ms when the walk began (what "not seen by this walk" is measured against). */
	startedAt: number;
}

export interface LikesWalkOptions {
	full?: boolean;
	pagePauseMs: number;
	signal?: AbortSignal;
	/** Called after each stored page. */
	onPage?: (summary: LikesSummary) => void;
	/** Odd fields are counted here (the listing's tally: one report per run). */
	oddities: OddityTally;
}

function readPending(store: ArchiveStore): LikesSegment | undefined {
	try {
		const value = JSON.parse(store.meta.get(likesPendingMetaKey) ?? 'null') as Partial<LikesSegment> | null;
		if (value && Number.isInteger(value.page) && value.page! >= 1 && typeof value.startedAt === 'number') {
			return {page: value.page!, untilEnd: true, full: value.full === true, startedAt: value.startedAt};
		}
	} catch {}
	// Unreadable state: no pending walk (the head walk then goes to the end if none ever did).
	return undefined;
}

/** A text field of the liked job, typed: absent or null is null, another type is counted as odd. */
function authorText(job: ApiJob, field: string, oddities: OddityTally): string | null {
	const value = job[field];
	if (typeof value === 'string' && value !== '') return value;
	if (typeof value === 'number') {
		oddities.add(`${field} as a number (liked job; stored as text)`);
		return String(value);
	}
	if (value !== undefined && value !== null && value !== '') oddities.add(`${field} as ${kindOf(value)} (liked job; kept in raw only)`);
	return null;
}

/** The author of a liked job, as far as the service told it. */
function authorOf(job: ApiJob, accountId: string, oddities: OddityTally): LikeAuthor {
	const authorId = authorText(job, 'user_id', oddities);
	return {
		jobId: job.id,
		authorId,
		authorName: authorText(job, 'display_name', oddities),
		authorUsername: authorText(job, 'username_v2', oddities),
		own: authorId === null ? null : authorId === accountId,
	};
}

/** Walk the likes (see the file comment); the caller holds the archive's writer claim. */
export async function walkLikes(store: ArchiveStore, client: MidjourneyClient, options: LikesWalkOptions): Promise<LikesSummary> {
	const {signal} = options;
	const startedAt = Date.now();
	const accountId = client.userId();
	const summary: LikesSummary = {pages: 0, jobsSeen: 0, jobsNew: 0, liked: 0, unliked: 0, stoppedBecause: null};
	const complete = store.meta.get(likesCompleteMetaKey) === 'true';
	const pending = options.full ? undefined : readPending(store);
	const head: LikesSegment = {page: 1, untilEnd: Boolean(options.full) || (!complete && !pending), full: Boolean(options.full), startedAt};
	const seen = new Set<string>();

	const walk = async (segment: LikesSegment): Promise<'caught-up' | 'end'> => {
		let previousIds = '';
		for (let page = segment.page; ; page++) {
			signal?.throwIfAborted();
			if (summary.pages > 0 && options.pagePauseMs > 0) await sleep(options.pagePauseMs, undefined, {signal});
			const answer = await client.likesPage({page, signal});
			const pageOddities = new OddityTally();
			const jobs = storableJobs(answer.data, pageOddities);
			// Fields the contract does not know (the earliest sign the route changed; doctor's survey): counted once per kind.
			for (const [field, count] of Object.entries(surveyPage(answer).unknownFields)) pageOddities.add(`an unknown field "${field}" (liked job; kept verbatim in raw)`, count);
			const ids = jobs.map(job => job.id);
			// A service that ignores `page` would send the same jobs forever: stop instead of looping.
			if (ids.length > 0 && ids.join(',') === previousIds) {
				throw new MjError(`Likes page ${page} repeats page ${page - 1}; stopping instead of looping. Nothing from this page was stored.`, {
					exitCode: ExitCode.dataError,
					hint: 'Run the sync again later; if it persists, the service changed how it pages likes (please report it).',
				});
			}
			previousIds = ids.join(',');
			const reachedEnd = answer.data.length === 0;
			const known = store.likes.likedIds(ids);
			const caughtUp = !segment.untilEnd && jobs.length > 0 && ids.every(id => known.has(id));
			const why = caughtUp ? 'caught-up' : reachedEnd ? 'end' : undefined;
			store.inTransaction(() => {
				const now = Date.now();
				const result = jobs.length ? store.upsertJobs(jobs, 'likes', pageOddities) : undefined;
				summary.liked += store.likes.record(jobs.map(job => authorOf(job, accountId, pageOddities)), now);
				summary.pages++;
				summary.jobsNew += result?.inserted ?? 0;
				for (const id of ids) seen.add(id);
				summary.jobsSeen = seen.size;
				if (segment.untilEnd) {
					if (why === 'end') {
						store.meta.set(likesCompleteMetaKey, 'true');
						store.meta.delete(likesPendingMetaKey);
						if (segment.full) summary.unliked += store.likes.markUnseenUnliked(segment.startedAt, now);
					} else {
						store.meta.set(likesPendingMetaKey, JSON.stringify({...segment, page: page + 1}));
					}
				} else if (why === 'end') {
					// The head walk reached the end: it covered whatever a pending walk still had to see (and, for a --full one, saw every like).
					store.meta.set(likesCompleteMetaKey, 'true');
					store.meta.delete(likesPendingMetaKey);
					if (pending?.full) summary.unliked += store.likes.markUnseenUnliked(pending.startedAt, now);
				}
			});
			options.oddities.merge(pageOddities.toJSON());
			options.onPage?.({...summary});
			if (why) return why;
		}
	};

	const headStopped = await walk(head);
	summary.stoppedBecause = headStopped;
	if (pending && headStopped === 'caught-up') summary.stoppedBecause = await walk(pending);
	return summary;
}
