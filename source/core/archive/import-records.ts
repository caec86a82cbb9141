/**
 * What `import <folder>` reads and writes in the archive: whether a job is
 * known (and from where), the image row a file would fill, and the row for
 * a file that is now archived (images table, status done).
 */
import type Database from 'better-sqlite3';
import {StatementCache} from './statements.js';

/** An image row as the import compares it with a file. */
export interface ImportedImageRow {
	id: number;
	status: string;
	path: string | null;
	sha256: string | null;
}

/** A file now in the archive: where it is and what it holds. */
export interface ImportedImage {
	jobId: string;
	index: number;
	variant: string;
	url: string;
	path: string;
	bytes: number;
	sha256: string;
	now: number;
}

export class ImportRecords {
	readonly #statements: StatementCache;

	constructor(db: Database.Database) {
		this.#statements = new StatementCache(db);
	}

	/** Where a job's row came from and its command, or undefined when it is not archived. */
	job(id: string): {source: string; full_command: string | null} | undefined {
		return this.#statements.get('SELECT source, full_command FROM jobs WHERE id = ?').get(id) as {source: string; full_command: string | null} | undefined;
	}

	/** The image row for (job, index, variant), if any. */
	image(jobId: string, index: number, variant: string): ImportedImageRow | undefined {
		return this.#statements.get('SELECT id, status, path, sha256 FROM images WHERE job_id = ? AND idx = ? AND variant = ?').get(jobId, index, variant) as ImportedImageRow | undefined;
	}

	/** The image indexes the archive holds (planned or done) for a job's files of one variant. */
	indexesOf(jobId: string, variant: string): number[] {
		return this.#statements.get('SELECT idx FROM images WHERE job_id = ? AND variant = ? ORDER BY idx').pluck().all(jobId, variant) as number[];
	}

	/** The first index no row of this job and variant uses (for files recorded under their own rows). */
	nextFreeIndex(jobId: string, variant: string): number {
		return this.#statements.get('SELECT COALESCE(MAX(idx) + 1, 0) FROM images WHERE job_id = ? AND variant = ?').pluck().get(jobId, variant) as number;
	}

	/** Path of a finished file with this content, if the archive has one. */
	doneFileWithSha(sha256: string): string | undefined {
		return this.#statements.get(`SELECT path FROM images WHERE sha256 = ? AND status = 'done' LIMIT 1`).pluck().get(sha256) as string | undefined;
	}

	/** Record a file as the done image of its job; a row that is done already is left alone. */
	recordImage(image: ImportedImage): void {
		this.#statements.get(`
			INSERT INTO images (job_id, idx, variant, url, path, bytes, sha256, status, updated_at)
			VALUES (@jobId, @index, @variant, @url, @path, @bytes, @sha256, 'done', @now)
			ON CONFLICT (job_id, idx, variant) DO UPDATE SET
				path = excluded.path, bytes = excluded.bytes, sha256 = excluded.sha256, status = 'done',
				part_path = NULL, last_error = NULL, updated_at = excluded.updated_at
			WHERE images.status != 'done'`).run(image);
	}
}
