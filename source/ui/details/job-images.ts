/**
 * A job's files as the images table records them, for the details pane. Read
 * straight from the archive's v1 schema (images is a documented, stable table).
 */
import type Database from 'better-sqlite3';

export interface JobImage {
	id: number;
	index: number;
	variant: string;
	url: string;
	/** Relative to the archive; null until a name is assigned. */
	path: string | null;
	bytes: number | null;
	totalBytes: number | null;
	sha256: string | null;
	status: string;
	attempts: number;
	lastError: string | null;
}

const statements = new WeakMap<Database.Database, Database.Statement>();

/** Every file of a job, in index order. */
export function jobImages(db: Database.Database, jobId: string): JobImage[] {
	let statement = statements.get(db);
	if (!statement) {
		statement = db.prepare(
			`SELECT id, idx AS "index", variant, url, path, bytes, total_bytes AS totalBytes, sha256, status, attempts, last_error AS lastError
			 FROM images WHERE job_id = ? ORDER BY idx, variant`,
		);
		statements.set(db, statement);
	}
	return statement.all(jobId) as JobImage[];
}
