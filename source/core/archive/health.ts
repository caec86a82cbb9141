/**
 * The archive's health, for `mj-tui doctor`: does the database exist, which
 * schema version does it have, and does SQLite's `PRAGMA quick_check` find it
 * intact. Opens the file read-only and changes nothing (no migration).
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {databaseFileName, supportedSchemaVersion} from './open.js';

export interface ArchiveHealth {
	file: string;
	exists: boolean;
	/** `PRAGMA user_version`; undefined when the file does not exist or is not SQLite. */
	schemaVersion?: number;
	/** The version this build writes. */
	supportedVersion: number;
	/** quick_check's findings: empty when the database is intact. */
	problems: string[];
	/** Why the file could not be read at all (not SQLite, no permission). */
	unreadable?: string;
}

/** Most quick_check lines reported (a broken file can yield thousands). */
const problemsKept = 5;

/** Check `<dir>/archive.db` without altering it. */
export function checkArchiveHealth(dir: string): ArchiveHealth {
	const file = path.join(dir, databaseFileName);
	const health: ArchiveHealth = {file, exists: fs.existsSync(file), supportedVersion: supportedSchemaVersion, problems: []};
	if (!health.exists) return health;
	let db: Database.Database | undefined;
	try {
		db = new Database(file, {readonly: true, fileMustExist: true});
		health.schemaVersion = db.pragma('user_version', {simple: true}) as number;
		const rows = db.pragma(`quick_check(${problemsKept})`) as Array<{quick_check: string}>;
		health.problems = rows.map(row => row.quick_check).filter(line => line !== 'ok');
	} catch (error) {
		health.unreadable = `${(error as {code?: string}).code ?? 'error'}: ${(error as Error).message}`;
	} finally {
		db?.close();
	}
	return health;
}
