/**
 * Opening the archive database: create the folder, refuse files that are not
 * SQLite or that a newer mj-tui wrote, then migrate forward.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {ExitCode, MjError} from '../errors.js';
import {migrations} from './schema.js';

/** The schema version this build writes (`PRAGMA user_version`). */
export const supportedSchemaVersion = migrations.length;

export const databaseFileName = 'archive.db';

/** SQLite error codes that mean "this file is not a usable database". */
const notADatabaseCodes = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT']);

function sqliteCode(error: unknown): string | undefined {
	return typeof (error as {code?: unknown})?.code === 'string' ? (error as {code: string}).code : undefined;
}

function notADatabase(file: string, cause: unknown): MjError {
	return new MjError(`${file} is not an mj-tui archive: it is not a readable SQLite database (${sqliteCode(cause) ?? String(cause)}).`, {
		exitCode: ExitCode.dataError,
		hint: 'Point --archive at another folder, or move this file away; mj-tui never overwrites it.',
		cause,
	});
}

/**
 * Read the schema version without changing a byte of the file: a read-only
 * connection, no journal-mode switch, no migration.
 */
function readSchemaVersion(file: string): number {
	let db: Database.Database | undefined;
	try {
		db = new Database(file, {readonly: true, fileMustExist: true});
		db.pragma('schema_version', {simple: true});
		return db.pragma('user_version', {simple: true}) as number;
	} catch (error) {
		if (notADatabaseCodes.has(sqliteCode(error) ?? '')) {
			throw notADatabase(file, error);
		}

		throw new MjError(`Cannot open the archive database ${file}: ${(error as Error).message}`, {exitCode: ExitCode.ioError, cause: error});
	} finally {
		db?.close();
	}
}

function refuseNewer(file: string, version: number): MjError {
	return new MjError(
		`${file} has archive schema version ${version}, but this mj-tui supports up to version ${supportedSchemaVersion}; the file was left untouched.`,
		{exitCode: ExitCode.dataError, hint: 'A newer mj-tui wrote this archive: upgrade mj-tui to use it.'},
	);
}

/** Apply the missing migrations under the write lock, so two processes opening at once cannot both migrate. */
function migrate(db: Database.Database, file: string): void {
	db.transaction(() => {
		const current = db.pragma('user_version', {simple: true}) as number;
		if (current > supportedSchemaVersion) {
			throw refuseNewer(file, current);
		}

		if (current === supportedSchemaVersion) {
			return;
		}

		for (let version = current; version < migrations.length; version++) {
			db.exec(migrations[version]);
		}

		// PRAGMA takes no bound parameters; the value is our own integer.
		db.pragma(`user_version = ${migrations.length}`);
	}).immediate();
}

/**
 * Open (and unless read-only, create and migrate) `<dir>/archive.db`.
 * Throws MjError 65 for a file that is not SQLite or has a newer schema
 * (never altering it), 74 when the folder cannot be created or opened.
 */
export function openArchiveDatabase(dir: string, options: {readonly?: boolean} = {}): Database.Database {
	const file = path.join(dir, databaseFileName);
	const exists = fs.existsSync(file);
	if (options.readonly && !exists) {
		throw new MjError(`No archive at ${dir}: ${file} does not exist.`, {
			exitCode: ExitCode.dataError,
			hint: 'Run `mj-tui --batch` (or `mj-tui --demo`) first, or pass --archive <dir>.',
		});
	}

	if (!options.readonly) {
		try {
			fs.mkdirSync(dir, {recursive: true});
		} catch (error) {
			throw new MjError(`Cannot create the archive folder ${dir}: ${(error as Error).message}`, {exitCode: ExitCode.ioError, cause: error});
		}
	}

	const version = exists ? readSchemaVersion(file) : 0;
	if (version > supportedSchemaVersion) {
		throw refuseNewer(file, version);
	}

	if (options.readonly && version < supportedSchemaVersion) {
		throw new MjError(`${file} has archive schema version ${version}; this mj-tui needs ${supportedSchemaVersion} and cannot migrate a read-only archive.`, {
			exitCode: ExitCode.dataError,
			hint: 'Run `mj-tui --batch --no-download` once to migrate it.',
		});
	}

	let db: Database.Database;
	try {
		db = new Database(file, {readonly: options.readonly ?? false});
	} catch (error) {
		throw new MjError(`Cannot open the archive database ${file}: ${(error as Error).message}`, {exitCode: ExitCode.ioError, cause: error});
	}

	try {
		if (!options.readonly) {
			db.pragma('journal_mode = WAL');
			db.pragma('synchronous = NORMAL');
		}

		db.pragma('busy_timeout = 5000');
		db.pragma('foreign_keys = ON');
		// 8 MiB of page cache (SQLite's default is 2): a 32 MiB cache bought nothing measurable for search,
		// keyset pages or csv export over 1M jobs (the OS page cache holds the file), and cost the
		// interactive app up to 24 MiB of its memory.
		db.pragma('cache_size = -8192');
		if (!options.readonly) {
			migrate(db, file);
		}
	} catch (error) {
		db.close();
		if (notADatabaseCodes.has(sqliteCode(error) ?? '')) {
			throw notADatabase(file, error);
		}

		throw error;
	}

	return db;
}
