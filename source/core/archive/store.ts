/**
 * ArchiveStore: the SQLite archive (better-sqlite3, WAL) at <archive>/archive.db.
 *
 * CONTRACT: signatures other modules build against. Being implemented; the
 * bodies below are placeholders until then.
 */
import type Database from 'better-sqlite3';
import type {ApiJob, Job, JobFilter} from '../job.js';

/** Where a keyset page starts: the last row of the previous page. */
export interface JobCursor {
	enqueuedAt: number;
	id: string;
}

export interface UpsertResult {
	inserted: number;
	updated: number;
	unchanged: number;
	/** Ids among the input that were already archived before this call (changed or not). */
	known: number;
}

export interface SearchHit {
	job: Job;
	/** bm25 rank; lower is better. */
	rank: number;
	/** The prompt with matched terms wrapped in \u0001 ... \u0002 (for highlighting). */
	snippet: string;
}

export interface ArchiveTotals {
	jobs: number;
	images: number;
	imagesDone: number;
	imagesFailed: number;
	imagesPending: number;
	bytesOnDisk: number;
}

export class ArchiveStore {
	/** The underlying database, for modules that own their tables (downloads: images). */
	readonly db!: Database.Database;
	/** Absolute archive folder. */
	readonly dir!: string;

	/** Open (creating and migrating) the archive at `dir`. Refuses a newer schema. */
	static open(dir: string, options?: {readonly?: boolean}): ArchiveStore {
		throw new Error('not implemented');
	}

	close(): void {}

	/** Insert or update jobs in one transaction; idempotent; never deletes. */
	upsertJobs(jobs: readonly ApiJob[], source?: 'api' | 'import' | 'responses'): UpsertResult {
		throw new Error('not implemented');
	}

	/** Which of these ids are archived already. */
	knownJobIds(ids: readonly string[]): Set<string> {
		throw new Error('not implemented');
	}

	getJob(id: string): Job | undefined {
		throw new Error('not implemented');
	}

	countJobs(filter?: JobFilter): number {
		throw new Error('not implemented');
	}

	/**
	 * One keyset page of jobs, newest first. `after` continues past a row
	 * (older jobs); `before` goes back toward newer ones (still returned newest first).
	 */
	listJobs(options: {filter?: JobFilter; after?: JobCursor; before?: JobCursor; limit: number}): Job[] {
		throw new Error('not implemented');
	}

	/** Iterate every job matching the filter, newest first, in constant memory. */
	*iterateJobs(filter?: JobFilter): IterableIterator<Job> {
		throw new Error('not implemented');
	}

	/**
	 * Full-text search over prompts. `query` is user text: words, "phrases",
	 * prefix*, AND/OR/NOT, plus parameter filters like `--ar 16:9`, `--v 7`,
	 * `--stylize >250`. Ranked by bm25, newest first on ties.
	 */
	search(query: string, options?: {filter?: JobFilter; limit?: number; offset?: number}): SearchHit[] {
		throw new Error('not implemented');
	}

	totals(): ArchiveTotals {
		throw new Error('not implemented');
	}

	getMeta(key: string): string | undefined {
		throw new Error('not implemented');
	}

	setMeta(key: string, value: string): void {
		throw new Error('not implemented');
	}
}
