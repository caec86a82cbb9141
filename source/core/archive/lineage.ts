/**
 * A job's family by parent_id: its ancestors up to the root grid and every
 * job made from it (upscales, variations, pans, videos, and theirs in turn).
 * Serves the MCP server's `job_family` tool and a future `mj-tui tree`.
 */
import type Database from 'better-sqlite3';
import {StatementCache} from './statements.js';

/** One relative of a job: which job, made from which, and how far away. */
export interface Relative {
	id: string;
	parentId: string | null;
	/** The parent's grid image this job was made from (0-3), when known. */
	parentGrid: number | null;
	/** Steps from the job asked about: 1 for its parent or its children, 2 for the next, ... */
	depth: number;
}

/** Families deeper than this are cut off: a cycle in bad data must not loop forever. */
const maximumDepth = 100;

export class LineageQueries {
	readonly #statements: StatementCache;

	constructor(db: Database.Database) {
		this.#statements = new StatementCache(db);
	}

	/**
	 * The job's ancestors, nearest first (parent, grandparent, ..., the root).
	 * A parent that was never archived still appears (its id is known), as the last one.
	 */
	ancestors(jobId: string): Relative[] {
		return this.#statements
			.get(
				`WITH RECURSIVE up(id, depth) AS (
					SELECT parent_id, 1 FROM jobs WHERE id = ? AND parent_id IS NOT NULL
					UNION
					SELECT j.parent_id, up.depth + 1 FROM up JOIN jobs j ON j.id = up.id WHERE j.parent_id IS NOT NULL AND up.depth < ${maximumDepth}
				)
				SELECT up.id AS id, j.parent_id AS parentId, j.parent_grid AS parentGrid, min(up.depth) AS depth
				FROM up LEFT JOIN jobs j ON j.id = up.id GROUP BY up.id ORDER BY depth`,
			)
			.all(jobId) as Relative[];
	}

	/**
	 * Every job descended from this one, nearest first, then oldest first within a generation.
	 * CROSS JOIN keeps the few relatives as the outer loop (the planner otherwise scans
	 * every job); jobs_by_parent (migration 4) answers each generation.
	 */
	descendants(jobId: string): Relative[] {
		return this.#statements
			.get(
				`WITH RECURSIVE down(id, depth) AS (
					SELECT id, 1 FROM jobs WHERE parent_id = ?
					UNION
					SELECT j.id, down.depth + 1 FROM down JOIN jobs j ON j.parent_id = down.id WHERE down.depth < ${maximumDepth}
				)
				SELECT j.id AS id, j.parent_id AS parentId, j.parent_grid AS parentGrid, min(down.depth) AS depth
				FROM down CROSS JOIN jobs j ON j.id = down.id GROUP BY j.id ORDER BY depth, j.enqueued_at, j.id`,
			)
			.all(jobId) as Relative[];
	}
}
