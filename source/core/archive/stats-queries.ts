/**
 * The aggregate queries behind `mj-tui stats`: counts by month, by a job
 * column, by parameter, and the prompt vocabulary. Each is one GROUP BY over
 * the archive; the command shapes and prints the answers.
 */
import type Database from 'better-sqlite3';
import {StatementCache} from './statements.js';

/** The job columns stats groups by. */
export type GroupedJobColumn = 'job_type' | 'event_type' | 'model_version';

export interface NamedCount {
	name: string;
	jobs: number;
}

export class StatsQueries {
	readonly #db: Database.Database;
	readonly #statements: StatementCache;

	constructor(db: Database.Database) {
		this.#db = db;
		this.#statements = new StatementCache(db);
	}

	/** The `top` most common values of a job column, most jobs first; null counts as `(unknown)`. */
	jobsBy(column: GroupedJobColumn, top: number): NamedCount[] {
		return this.#statements.get(`SELECT coalesce(${column}, '(unknown)') AS name, count(*) AS jobs FROM jobs GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?`).all(top) as NamedCount[];
	}

	/** Jobs per enqueue month (`2025-01`), in no particular order. */
	jobsByMonth(): Array<{month: string; jobs: number}> {
		return this.#statements.get(`SELECT coalesce(strftime('%Y-%m', enqueued_at / 1000, 'unixepoch'), '(no date)') AS month, count(*) AS jobs FROM jobs GROUP BY 1`).all() as Array<{month: string; jobs: number}>;
	}

	/** Downloaded images per month their job was enqueued. */
	doneImagesByMonth(): Map<string, number> {
		const rows = this.#statements
			.get(`SELECT coalesce(strftime('%Y-%m', j.enqueued_at / 1000, 'unixepoch'), '(no date)') AS month, count(*) AS images FROM images i JOIN jobs j ON j.id = i.job_id WHERE i.status = 'done' GROUP BY 1`)
			.all() as Array<{month: string; images: number}>;
		return new Map(rows.map(row => [row.month, row.images]));
	}

	/** The `top` most used Midjourney parameters, with their `values` most used values each. */
	topParameters(top: number, values: number): Array<NamedCount & {topValues: Array<{value: string; jobs: number}>}> {
		const names = this.#statements.get(`SELECT p.key AS name, count(*) AS jobs FROM jobs, json_each(jobs.parameters) p GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?`).all(top) as NamedCount[];
		const topValues = this.#statements.get(`SELECT CAST(p.value AS TEXT) AS value, count(*) AS jobs FROM jobs, json_each(jobs.parameters) p WHERE p.key = ? GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?`);
		return names.map(row => ({...row, topValues: topValues.all(row.name, values) as Array<{value: string; jobs: number}>}));
	}

	/**
	 * The prompt words in most jobs, longer than two letters, most first. Reads
	 * the full-text index's own term counts (fts5vocab): no prompt is
	 * re-tokenised. Needs a writable connection (the view lives in `temp`);
	 * nothing in the archive is written.
	 */
	topWords(limit: number): Array<{word: string; jobs: number}> {
		this.#db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS temp.stats_vocabulary USING fts5vocab(main, 'jobs_fts', 'row')`);
		return this.#statements.get(`SELECT term AS word, doc AS jobs FROM temp.stats_vocabulary WHERE length(term) > 2 ORDER BY doc DESC, term LIMIT ?`).all(limit) as Array<{word: string; jobs: number}>;
	}

	/** Jobs that have images and every one of them downloaded. */
	completeJobs(): number {
		return (this.#statements.get(`SELECT count(*) AS n FROM jobs j WHERE EXISTS (SELECT 1 FROM images i WHERE i.job_id = j.id) AND NOT EXISTS (SELECT 1 FROM images i WHERE i.job_id = j.id AND i.status != 'done')`).get() as {n: number}).n;
	}
}
