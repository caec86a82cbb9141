/**
 * The meta table: small named facts about the archive (walk state, the sync
 * claim, derivation version), one text value per key.
 */
import type Database from 'better-sqlite3';
import {StatementCache} from './statements.js';

export class Meta {
	readonly #statements: StatementCache;

	constructor(db: Database.Database) {
		this.#statements = new StatementCache(db);
	}

	/** The value stored under `key`, or undefined. */
	get(key: string): string | undefined {
		return this.#statements.get('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined;
	}

	/** Store `value` under `key`, replacing what was there. */
	set(key: string, value: string): void {
		this.#statements.get('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
	}

	/** Remove `key` (nothing happens when it is absent). */
	delete(key: string): void {
		this.#statements.get('DELETE FROM meta WHERE key = ?').run(key);
	}
}
