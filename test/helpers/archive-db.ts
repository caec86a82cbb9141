/**
 * A test's own connection to `<dir>/archive.db`, beside the ArchiveStore under
 * test (WAL lets both sit on the same file). The store keeps its connection
 * private, so a test reads the file the way a user's sqlite3 would: to assert
 * on rows, or, writable, to set up a state no command produces (a legacy
 * schema, a damaged row, a delete made by hand).
 */
import path from 'node:path';
import type {ExecutionContext} from 'ava';
import Database from 'better-sqlite3';

function openArchiveDb(dir: string, writable: boolean): Database.Database {
	const db = new Database(path.join(dir, 'archive.db'), {readonly: !writable, fileMustExist: true});
	// A writer (the store, or a child process) may hold the lock for a moment.
	db.pragma('busy_timeout = 5000');
	// Writes obey the same references the store's connection enforces.
	if (writable) db.pragma('foreign_keys = ON');
	return db;
}

/** Open `<dir>/archive.db` read-only (or `writable`), closed when the test ends (or earlier by `close()`). */
export function archiveDb(t: ExecutionContext, dir: string, options: {writable?: boolean} = {}): Database.Database {
	const db = openArchiveDb(dir, options.writable ?? false);
	t.teardown(() => db.close());
	return db;
}

/** Run one read on a read-only connection of its own, closed right after. */
export function readArchiveDb<T>(dir: string, read: (db: Database.Database) => T): T {
	const db = openArchiveDb(dir, false);
	try {
		return read(db);
	} finally {
		db.close();
	}
}
