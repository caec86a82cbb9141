/**
 * The likes table (schema 5): which archived jobs the account liked on the
 * site (`/api/explore-likes`), with the liked job's author as the service
 * sent it. A like the service no longer lists is kept with `unliked_at` set
 * (only a full walk of the likes can tell), so the archive never forgets who
 * made a job it once held.
 */
import type Database from 'better-sqlite3';
import {StatementCache} from './statements.js';

/** The author fields of one liked job, read from its JSON (null where the service sent none). */
export interface LikeAuthor {
	jobId: string;
	authorId: string | null;
	authorName: string | null;
	authorUsername: string | null;
	/** True: the account's own job; false: someone else's; null: the author is unknown. */
	own: boolean | null;
}

/** One job's like as the archive knows it (the details pane's Job line). */
export interface JobLike {
	/** False: the account liked it once and a later full walk found the like withdrawn. */
	likedNow: boolean;
	authorName: string | null;
	authorUsername: string | null;
	/** As in LikeAuthor. */
	own: boolean | null;
}

/** What `mj-tui stats` says about likes. */
export interface LikeCounts {
	/** Jobs liked now. */
	liked: number;
	/** Of those, jobs made by someone else. */
	byOthers: number;
	/** Of those, the account's own jobs. */
	own: number;
	/** Likes a full walk no longer found (kept, with their author). */
	unliked: number;
}

/** SQL for "the job (aliased `j`) is liked now", 1 or 0: a column of exports and of sidecar rows. */
export const likedNowSql = 'EXISTS (SELECT 1 FROM likes l WHERE l.job_id = j.id AND l.unliked_at IS NULL)';

/** The SQL condition "the job (aliased `j`) is liked now" (or, with false, "is not"): one piece for search, export, the TUI and the gallery. */
export function likedCondition(liked: boolean): {sql: string; params: unknown[]} {
	return {sql: `j.id ${liked ? '' : 'NOT '}IN (SELECT job_id FROM likes WHERE unliked_at IS NULL)`, params: []};
}

export class LikesTable {
	readonly #statements: StatementCache;

	constructor(db: Database.Database) {
		this.#statements = new StatementCache(db);
	}

	/** Which of these job ids are liked now. */
	likedIds(ids: readonly string[]): Set<string> {
		const rows = this.#statements.get('SELECT job_id FROM likes WHERE job_id IN (SELECT value FROM json_each(?)) AND unliked_at IS NULL').pluck().all(JSON.stringify(ids)) as string[];
		return new Set(rows);
	}

	/** The job's like, or undefined when the account never liked it. */
	likeOf(jobId: string): JobLike | undefined {
		const row = this.#statements
			.get('SELECT unliked_at IS NULL AS likedNow, author_name AS authorName, author_username AS authorUsername, own FROM likes WHERE job_id = ?')
			.get(jobId) as {likedNow: number; authorName: string | null; authorUsername: string | null; own: number | null} | undefined;
		return row && {likedNow: row.likedNow === 1, authorName: row.authorName, authorUsername: row.authorUsername, own: row.own === null ? null : row.own === 1};
	}

	/**
	 * Mark these (archived) jobs liked, as seen at `now`; an author field the
	 * service left out keeps what an earlier sync learnt. Jobs newly liked (or
	 * liked again) get their `updated_at` moved, so their sidecars are rewritten.
	 * Returns how many were not liked before.
	 */
	record(authors: readonly LikeAuthor[], now: number): number {
		const before = this.likedIds(authors.map(author => author.jobId));
		const upsert = this.#statements.get(
			`INSERT INTO likes (job_id, author_id, author_name, author_username, own, liked_seen_at, seen_at, unliked_at)
			VALUES (:jobId, :authorId, :authorName, :authorUsername, :own, :now, :now, NULL)
			ON CONFLICT (job_id) DO UPDATE SET
				author_id = coalesce(excluded.author_id, author_id),
				author_name = coalesce(excluded.author_name, author_name),
				author_username = coalesce(excluded.author_username, author_username),
				own = coalesce(excluded.own, own),
				liked_seen_at = CASE WHEN unliked_at IS NULL THEN liked_seen_at ELSE excluded.liked_seen_at END,
				seen_at = excluded.seen_at,
				unliked_at = NULL`,
		);
		const touch = this.#statements.get('UPDATE jobs SET updated_at = ? WHERE id = ?');
		let added = 0;
		for (const author of authors) {
			upsert.run({...author, own: author.own === null ? null : author.own ? 1 : 0, now});
			if (before.has(author.jobId)) continue;
			touch.run(now, author.jobId);
			added++;
		}
		return added;
	}

	/** After a full walk that began at `walkStartedAt`: likes it did not see are no longer liked. Returns how many. */
	markUnseenUnliked(walkStartedAt: number, now: number): number {
		const ids = this.#statements.get('SELECT job_id FROM likes WHERE unliked_at IS NULL AND seen_at < ?').pluck().all(walkStartedAt) as string[];
		const unlike = this.#statements.get('UPDATE likes SET unliked_at = ? WHERE job_id = ?');
		const touch = this.#statements.get('UPDATE jobs SET updated_at = ? WHERE id = ?');
		for (const id of ids) {
			unlike.run(now, id);
			touch.run(now, id);
		}
		return ids.length;
	}

	/** How many jobs are liked, by whom, and how many likes were withdrawn. */
	counts(): LikeCounts {
		return this.#statements.get(
			`SELECT count(*) FILTER (WHERE unliked_at IS NULL) AS liked,
				count(*) FILTER (WHERE unliked_at IS NULL AND own = 0) AS byOthers,
				count(*) FILTER (WHERE unliked_at IS NULL AND own = 1) AS own,
				count(*) FILTER (WHERE unliked_at IS NOT NULL) AS unliked
			FROM likes`,
		).get() as LikeCounts;
	}
}
