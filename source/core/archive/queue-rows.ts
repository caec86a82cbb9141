/**
 * The download queue as the queue pane lists it (exposed as `store.queueRows`):
 * every pending file's id in one order, computed once and held as a compact
 * array, and the few rows on screen. The engine keeps only a window of the
 * queue in memory; this is how the pane still shows and sorts all of it.
 */
import type Database from 'better-sqlite3';
import type {ImageRow} from './images.js';

/** Download order (what starts next first) or by file name (the final path). */
export type QueueRowOrder = 'download' | 'name';

/** Columns the pane shows for a file that has not started. */
export type QueueRow = Pick<ImageRow, 'id' | 'job_id' | 'url' | 'path' | 'status' | 'attempts' | 'last_error' | 'total_bytes' | 'priority'>;

/** Ids per statement: SQLite's default cap on bound parameters is well above this. */
const rowsPerQuery = 500;

export class QueueRows {
	readonly #statements;
	readonly #rowStatements = new Map<number, Database.Statement>();
	readonly #db: Database.Database;

	constructor(db: Database.Database) {
		this.#db = db;
		this.#statements = {
			// images_by_status (status, priority DESC, id) hands these out in order: no sort.
			download: db.prepare(`SELECT id FROM images WHERE status = 'pending' ORDER BY priority DESC, id`).pluck(),
			name: db.prepare(`SELECT id FROM images WHERE status = 'pending' ORDER BY path, id`).pluck(),
		};
	}

	/** Every pending file's id, in `order`. */
	pendingIds(order: QueueRowOrder): Int32Array {
		const ids: number[] = [];
		for (const id of this.#statements[order].iterate() as IterableIterator<number>) ids.push(id);
		return Int32Array.from(ids);
	}

	/** The rows of these ids (any order; missing ids are left out). */
	rows(ids: readonly number[]): QueueRow[] {
		const rows: QueueRow[] = [];
		for (let start = 0; start < ids.length; start += rowsPerQuery) {
			const chunk = ids.slice(start, start + rowsPerQuery);
			rows.push(...(this.#rowsStatement(chunk.length).all(...chunk) as QueueRow[]));
		}
		return rows;
	}

	#rowsStatement(count: number): Database.Statement {
		let statement = this.#rowStatements.get(count);
		if (!statement) {
			statement = this.#db.prepare(
				`SELECT id, job_id, url, path, status, attempts, last_error, total_bytes, priority FROM images WHERE id IN (${Array(count).fill('?').join(', ')})`,
			);
			// A screenful of rows takes one of a few sizes; anything else is not worth keeping.
			if (this.#rowStatements.size < 64) this.#rowStatements.set(count, statement);
		}
		return statement;
	}
}
