/**
 * Which processes are writing temp files into the archive (`meta` keys
 * `temps.<pid>`): a run that finds the marker of a process that has ended
 * knows temps may be left and sweeps for them; without one it skips a walk
 * over every file of the archive.
 */
import type Database from 'better-sqlite3';
import {StatementCache} from './statements.js';

const prefix = 'temps.';

export class TempMarkers {
	readonly #statements: StatementCache;

	constructor(db: Database.Database) {
		this.#statements = new StatementCache(db);
	}

	/** Note that process `pid` is about to write temps for `purpose`. */
	mark(pid: number, purpose: string): void {
		this.#statements.get('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(`${prefix}${pid}`, purpose);
	}

	/** Process `pid` left no temps behind (it finished, or its leftovers were swept). */
	unmark(pid: number): void {
		this.#statements.get('DELETE FROM meta WHERE key = ?').run(`${prefix}${pid}`);
	}

	/** The pids with a marker. */
	pids(): number[] {
		const keys = this.#statements.get(`SELECT key FROM meta WHERE key LIKE 'temps.%'`).pluck().all() as string[];
		return keys.map(key => Number(key.slice(prefix.length))).filter(Number.isInteger);
	}
}
