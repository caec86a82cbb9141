/**
 * The job types an archive holds (exposed as `store.jobTypes`), so a `--type`
 * or a `type:` filter that no job has is answered with a warning and the
 * nearest real type instead of a silent empty result.
 */
import type Database from 'better-sqlite3';

export class JobTypes {
	readonly #statements;

	constructor(db: Database.Database) {
		this.#statements = {
			// jobs_by_type and jobs_by_event answer each side from an index.
			has: db.prepare('SELECT EXISTS (SELECT 1 FROM jobs WHERE job_type = ?) OR EXISTS (SELECT 1 FROM jobs WHERE event_type = ?)').pluck(),
			jobTypes: db.prepare('SELECT DISTINCT job_type FROM jobs WHERE job_type IS NOT NULL').pluck(),
			eventTypes: db.prepare('SELECT DISTINCT event_type FROM jobs WHERE event_type IS NOT NULL').pluck(),
		};
	}

	/** Those of `types` that no archived job has as its job_type or event_type. */
	unmatched(types: readonly string[]): string[] {
		return types.filter((type) => this.#statements.has.get(type, type) !== 1);
	}

	/** Every job_type and event_type in the archive, sorted (read only when a type matched nothing). */
	all(): string[] {
		const types = new Set([...(this.#statements.jobTypes.all() as string[]), ...(this.#statements.eventTypes.all() as string[])]);
		return [...types].sort();
	}
}
