/**
 * A bench's own connection to `<dir>/archive.db`, beside the ArchiveStore it
 * measures (WAL lets both sit on the same file): the store keeps its
 * connection private, so the peer queries a bench compares against, and the
 * bulk writes that build its fixtures, go through this one.
 */
import path from 'node:path';
import Database from 'better-sqlite3';

/** Open `<dir>/archive.db` read-only, or `writable` for building fixtures; the caller closes it. */
export function openArchiveDb(dir: string, options: {writable?: boolean} = {}): Database.Database {
	const db = new Database(path.join(dir, 'archive.db'), {readonly: !options.writable, fileMustExist: true});
	db.pragma('busy_timeout = 5000');
	// The page cache the store's own connection has (core/archive/open.ts): a peer query is measured on equal terms.
	db.pragma('cache_size = -8192');
	return db;
}
