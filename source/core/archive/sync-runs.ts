/**
 * The sync_runs table: one row per sync, `running` → `ok` / `failed` /
 * `interrupted`, with the pages and jobs it stored so far.
 */
import type Database from 'better-sqlite3';
import {StatementCache} from './statements.js';

/** What a run has stored so far. */
export interface SyncRunCounts {
	pages: number;
	jobsSeen: number;
	jobsNew: number;
	jobsUpdated: number;
}

export class SyncRuns {
	readonly #statements: StatementCache;

	constructor(db: Database.Database) {
		this.#statements = new StatementCache(db);
	}

	/** Runs still marked running belong to processes that ended without finishing: mark them interrupted. */
	markAbandonedInterrupted(): void {
		this.#statements.get("UPDATE sync_runs SET status = 'interrupted', error = 'the process ended before the sync finished' WHERE status = 'running'").run();
	}

	/** Start a run; returns its id. */
	start(startedAt: number, mode: 'incremental' | 'full'): number {
		return Number(this.#statements.get('INSERT INTO sync_runs (started_at, mode) VALUES (?, ?)').run(startedAt, mode).lastInsertRowid);
	}

	/** Record what run `id` has stored so far. */
	record(id: number, counts: SyncRunCounts): void {
		this.#statements.get('UPDATE sync_runs SET pages = ?, jobs_seen = ?, jobs_new = ?, jobs_updated = ? WHERE id = ?')
			.run(counts.pages, counts.jobsSeen, counts.jobsNew, counts.jobsUpdated, id);
	}

	/** Close run `id` with its final status. */
	finish(id: number, status: 'ok' | 'failed' | 'interrupted', error: string | undefined, finishedAt: number): void {
		this.#statements.get('UPDATE sync_runs SET status = ?, error = ?, finished_at = ? WHERE id = ?').run(status, error ?? null, finishedAt, id);
	}
}
