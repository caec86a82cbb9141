/**
 * The perceptual_hashes table (migration 6): one row per downloaded file that
 * was looked at, holding its 64-bit dHash (16 hex digits) or why it has none.
 * What `similar`, `stats` families, `export --dedupe`, the TUI and MCP read,
 * and what downloads, `import` and `verify` fill in (core/similar/).
 */
import type Database from 'better-sqlite3';
import {StatementCache} from './statements.js';

/** A downloaded file that has no hash yet (or whose file changed since it was hashed). */
export interface UnhashedFile {
	imageId: number;
	variant: string;
	/** As stored: relative to the archive, absolute only for files imported in place. */
	path: string;
	sha256: string | null;
}

/** What hashing one file gave: `hash`, or `unhashable` saying why not. */
export interface HashRecord {
	imageId: number;
	hash: string | null;
	unhashable: string | null;
	sha256: string | null;
}

/** A hashed file with the fields a listing of similar images shows. */
export interface HashedFile {
	imageId: number;
	hash: string;
	jobId: string | null;
	index: number;
	variant: string;
	path: string;
	bytes: number | null;
	/** Pixels of one image of the job (width × height), when the job says. */
	pixels: number | null;
	eventType: string | null;
	rating: number | null;
	enqueuedAt: number | null;
	prompt: string | null;
}

/** How far hashing has come: files hashed, files that cannot be, files not looked at yet. */
export interface HashCoverage {
	hashed: number;
	unhashable: number;
	missing: number;
}

// A done file needs (re)hashing when it has no row, or its row was made from other bytes.
const needsHash = `i.status = 'done' AND i.path IS NOT NULL
	AND (h.image_id IS NULL OR (h.sha256 IS NOT i.sha256 AND i.sha256 IS NOT NULL))`;

const describedColumns = `h.image_id AS imageId, h.hash, i.job_id AS jobId, i.idx AS "index", i.variant, i.path, i.bytes,
	j.width * j.height AS pixels, j.event_type AS eventType, j.rating, j.enqueued_at AS enqueuedAt, j.prompt`;

export class PerceptualHashes {
	readonly #db: Database.Database;
	readonly #statements: StatementCache;

	constructor(db: Database.Database) {
		this.#db = db;
		this.#statements = new StatementCache(db);
	}

	/** Up to `limit` done files without a current hash, by image id after `afterId` (a keyset walk). */
	unhashed(limit: number, afterId = 0): UnhashedFile[] {
		return this.#statements.get(`SELECT i.id AS imageId, i.variant, i.path, i.sha256 FROM images i
			LEFT JOIN perceptual_hashes h ON h.image_id = i.id
			WHERE i.id > ? AND ${needsHash} ORDER BY i.id LIMIT ?`).all(afterId, limit) as UnhashedFile[];
	}

	/** Done files without a current hash among these image ids (what one download run finished). */
	unhashedAmong(imageIds: readonly number[]): UnhashedFile[] {
		return this.#statements.get(`SELECT i.id AS imageId, i.variant, i.path, i.sha256 FROM images i
			LEFT JOIN perceptual_hashes h ON h.image_id = i.id
			WHERE i.id IN (SELECT value FROM json_each(?)) AND ${needsHash} ORDER BY i.id`).all(JSON.stringify(imageIds)) as UnhashedFile[];
	}

	/** The hash already computed for identical bytes (a hard-linked duplicate, a re-import), if any. */
	hashOfContent(sha256: string): string | undefined {
		return this.#statements.get(`SELECT h.hash FROM images i JOIN perceptual_hashes h ON h.image_id = i.id
			WHERE i.sha256 = ? AND h.hash IS NOT NULL AND h.sha256 IS i.sha256 LIMIT 1`).pluck().get(sha256) as string | undefined;
	}

	/** Store what hashing gave, in one transaction (replacing older rows of the same images). */
	record(records: readonly HashRecord[]): void {
		if (records.length === 0) return;
		const insert = this.#statements.get(`INSERT INTO perceptual_hashes (image_id, hash, unhashable, sha256, hashed_at)
			VALUES (:imageId, :hash, :unhashable, :sha256, :now)
			ON CONFLICT (image_id) DO UPDATE SET hash = excluded.hash, unhashable = excluded.unhashable,
				sha256 = excluded.sha256, hashed_at = excluded.hashed_at`);
		const now = Date.now();
		this.#db.transaction(() => {
			// An image row removed meanwhile (its job re-planned) has nothing left to hash.
			const exists = this.#statements.get('SELECT 1 FROM images WHERE id = ?').pluck();
			for (const record of records) if (exists.get(record.imageId) !== undefined) insert.run({...record, now});
		})();
	}

	/** Every hash, in image id order, as parallel columns (how the lookup index is built; ~2 s at 4M). */
	allHashes(): {imageIds: number[]; hashes: string[]} {
		const imageIds: number[] = [];
		const hashes: string[] = [];
		const rows = this.#statements.get('SELECT image_id, hash FROM perceptual_hashes WHERE hash IS NOT NULL ORDER BY image_id').raw(true);
		for (const row of rows.iterate() as IterableIterator<[number, string]>) {
			imageIds.push(row[0]);
			hashes.push(row[1]);
		}
		rows.raw(false);
		return {imageIds, hashes};
	}

	/** Changes whenever a hash is added, replaced or removed: a cached index compares it before use. */
	version(): string {
		const row = this.#statements.get('SELECT count(*) AS n, max(hashed_at) AS latest FROM perceptual_hashes').get() as {n: number; latest: number | null};
		return `${row.n}:${row.latest ?? 0}`;
	}

	/** A job's downloaded files with their hashes (unhashed ones have `hash` null), by index then variant. */
	ofJob(jobId: string): Array<{imageId: number; index: number; variant: string; path: string; hash: string | null; unhashable: string | null}> {
		return this.#statements.get(`SELECT i.id AS imageId, i.idx AS "index", i.variant, i.path, h.hash, h.unhashable FROM images i
			LEFT JOIN perceptual_hashes h ON h.image_id = i.id
			WHERE i.job_id = ? AND i.status = 'done' AND i.path IS NOT NULL ORDER BY i.idx, i.variant`).all(jobId) as never;
	}

	/** The hashed files with these image ids, with their job's fields (in no particular order). */
	describe(imageIds: readonly number[]): HashedFile[] {
		return this.#statements.get(`SELECT ${describedColumns} FROM perceptual_hashes h
			JOIN images i ON i.id = h.image_id LEFT JOIN jobs j ON j.id = i.job_id
			WHERE h.image_id IN (SELECT value FROM json_each(?)) AND h.hash IS NOT NULL`).all(JSON.stringify(imageIds)) as HashedFile[];
	}

	/** Files hashed, not hashable, and done files not looked at yet. */
	coverage(): HashCoverage {
		const stored = this.#statements.get('SELECT count(hash) AS hashed, count(unhashable) AS unhashable FROM perceptual_hashes').get() as {hashed: number; unhashable: number};
		const missing = this.#statements.get(`SELECT count(*) FROM images i LEFT JOIN perceptual_hashes h ON h.image_id = i.id WHERE ${needsHash}`).pluck().get() as number;
		return {...stored, missing};
	}
}
