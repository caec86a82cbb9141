/**
 * What `embed` (and `--embed-metadata` after a batch) reads and writes: the
 * downloaded PNGs with their job's full command, and each rewritten file's
 * new hash and size.
 */
import type Database from 'better-sqlite3';
import {StatementCache} from './statements.js';

/** A downloaded PNG and the job it belongs to. */
export interface EmbedTarget {
	/** The image row's id. */
	id: number;
	/** As stored: relative to the archive, absolute only for files imported in place. */
	path: string;
	jobId: string;
	fullCommand: string;
}

export class EmbedQueries {
	readonly #statements: StatementCache;

	constructor(db: Database.Database) {
		this.#statements = new StatementCache(db);
	}

	/** Up to `limit` downloaded PNGs updated at or after `changedSince` (epoch ms) with an id above `afterId`, in id order (a keyset page). */
	donePngs(changedSince: number, afterId: number, limit: number): EmbedTarget[] {
		return this.#statements
			.get(
				`SELECT i.id AS id, i.path AS path, j.id AS jobId, j.full_command AS fullCommand FROM images i JOIN jobs j ON j.id = i.job_id
				WHERE i.status = 'done' AND i.variant = 'png' AND i.path IS NOT NULL AND i.updated_at >= ? AND i.id > ? ORDER BY i.id LIMIT ?`,
			)
			.all(changedSince, afterId, limit) as EmbedTarget[];
	}

	/** Record a rewritten file's new sha256 and size. */
	recordRewrite(imageId: number, sha256: string, bytes: number): void {
		this.#statements.get(`UPDATE images SET sha256 = ?, bytes = ?, updated_at = ? WHERE id = ?`).run(sha256, bytes, Date.now(), imageId);
	}
}
