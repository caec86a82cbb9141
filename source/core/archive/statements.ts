/**
 * Prepared statements keyed by their SQL: filtered queries are built per
 * filter shape, and the TUI re-runs the same shapes on every keystroke.
 */
import type Database from 'better-sqlite3';

/** Distinct query shapes are few (filter combinations); the bound only guards against a leak. */
const maximumStatements = 200;

export class StatementCache {
	readonly #db: Database.Database;
	readonly #statements = new Map<string, Database.Statement>();

	constructor(db: Database.Database) {
		this.#db = db;
	}

	/** The prepared statement for this SQL, prepared once. */
	get(sql: string): Database.Statement {
		let statement = this.#statements.get(sql);
		if (!statement) {
			if (this.#statements.size >= maximumStatements) {
				this.#statements.clear();
			}

			statement = this.#db.prepare(sql);
			this.#statements.set(sql, statement);
		}

		return statement;
	}
}
