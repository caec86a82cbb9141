/**
 * Opening the archive database: create the folder, refuse files that are not
 * SQLite, that a newer mj-tui wrote or whose schema version makes no sense,
 * refuse to start a new database beside an archive's files (an emptied
 * archive.db would otherwise download everything again), then migrate forward.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {ExitCode, MjError} from '../errors.js';
import {migrations} from './schema.js';
import {diskFullError, isDiskFull, noSpaceLeft} from '../downloads/disk-full.js';

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
		hint: `mj-tui never overwrites it. Restore it from a backup; or, to rebuild the archive from its images, move it away and run ${rebuildCommand(path.dirname(file))}; or point --archive at another folder.`,
		cause,
	});
}

/** The command that rebuilds an archive's database from the files in it. */
function rebuildCommand(dir: string): string {
	return `\`mj-tui import ${path.join(dir, 'images')} --archive ${dir}\` (then \`mj-tui --batch\` fetches the rest)`;
}

/** Folders whose files only an archive puts there. */
const contentFolders = [['images', 'downloaded images'], ['.parts', 'partial downloads'], ['urls', 'files from --urls lists']] as const;

/** True when `dir` holds a file somewhere below it (stops at the first). */
function holdsAFile(dir: string): boolean {
	let entries: fs.Dirent[];
	try {
		entries = fs.readdirSync(dir, {withFileTypes: true});
	} catch {
		return false;
	}
	return entries.some(entry => entry.isFile() || (entry.isDirectory() && holdsAFile(path.join(dir, entry.name))));
}

/** What archive content `dir` holds ("downloaded images in images/"), if any. */
function archiveContent(dir: string): string | undefined {
	const found = contentFolders.find(([folder]) => holdsAFile(path.join(dir, folder)));
	return found ? `${found[1]} in ${found[0]}/` : undefined;
}

function noDatabaseBesideContent(file: string, state: string, content: string): MjError {
	return new MjError(`${file} ${state}, but the folder holds ${content}: this is an archive whose database was lost, not a new one. Nothing was changed.`, {
		exitCode: ExitCode.dataError,
		hint: `Restore archive.db from a backup; or rebuild it from the images with ${rebuildCommand(path.dirname(file))}. Starting afresh here would download every file again beside the old ones.`,
	});
}

function invalidVersion(file: string, version: number): MjError {
	return new MjError(`${file} has schema version ${version} (PRAGMA user_version), which no mj-tui writes; the file was left untouched.`, {
		exitCode: ExitCode.dataError,
		hint: `If the version was changed by hand, set it back (\`sqlite3 ${file} 'PRAGMA user_version = ${supportedSchemaVersion}'\` for an archive of this mj-tui); otherwise restore the file from a backup.`,
	});
}

function unversionedTables(file: string, tables: readonly string[]): MjError {
	const mine = tables.includes('jobs') && tables.includes('images') && tables.includes('meta');
	return new MjError(`${file} has tables (${tables.slice(0, 5).join(', ')}${tables.length > 5 ? ', ...' : ''}) but schema version 0 (PRAGMA user_version); mj-tui cannot tell which version they are and left the file untouched.`, {
		exitCode: ExitCode.dataError,
		hint: mine
			? `They look like an mj-tui archive whose version was reset: if it was written by this mj-tui, \`sqlite3 ${file} 'PRAGMA user_version = ${supportedSchemaVersion}'\` restores it; otherwise restore the file from a backup.`
			: 'This is not an mj-tui archive: point --archive at another folder.',
	});
}

/**
 * Read the schema version without changing a byte of the file: a read-only
 * connection, no journal-mode switch, no migration.
 */
function readSchemaVersion(file: string): {version: number; tables: string[]} {
	let db: Database.Database | undefined;
	try {
		db = new Database(file, {readonly: true, fileMustExist: true});
		db.pragma('schema_version', {simple: true});
		const version = db.pragma('user_version', {simple: true}) as number;
		const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).pluck().all() as string[];
		return {version, tables};
	} catch (error) {
		if (notADatabaseCodes.has(sqliteCode(error) ?? '')) {
			throw notADatabase(file, error);
		}

		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'SQLITE_CANTOPEN' && isUnreadable(file)) {
			throw new MjError(`Cannot read the archive database ${file}: permission denied.`, {
				exitCode: ExitCode.noPermission,
				hint: 'Run mj-tui as the user who owns the archive, or give yourself read and write access to the folder and archive.db.',
				cause: error,
			});
		}

		throw cannotOpen(file, error);
	} finally {
		db?.close();
	}
}

function isUnreadable(file: string): boolean {
	try {
		fs.accessSync(file, fs.constants.R_OK);
		return false;
	} catch {
		return true;
	}
}

function refuseNewer(file: string, version: number): MjError {
	return new MjError(
		`${file} has archive schema version ${version}, but this mj-tui supports up to version ${supportedSchemaVersion}; the file was left untouched.`,
		{exitCode: ExitCode.dataError, hint: 'A newer mj-tui wrote this archive: upgrade mj-tui to use it.'},
	);
}

export interface OpenOptions {
	readonly?: boolean;
	/** Start a database even beside existing archive files (import rebuilds an archive this way). */
	adoptFiles?: boolean;
}

/** Apply the missing migrations under the write lock, so two processes opening at once cannot both migrate. */
function migrate(db: Database.Database, file: string): void {
	db.transaction(() => {
		const current = db.pragma('user_version', {simple: true}) as number;
		if (current > supportedSchemaVersion) {
			throw refuseNewer(file, current);
		}

		if (current < 0) {
			throw invalidVersion(file, current);
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
export function openArchiveDatabase(dir: string, options: OpenOptions = {}): Database.Database {
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

	const {version, tables} = exists ? readSchemaVersion(file) : {version: 0, tables: []};
	if (version > supportedSchemaVersion) {
		throw refuseNewer(file, version);
	}

	if (version < 0) {
		throw invalidVersion(file, version);
	}

	if (version === 0 && tables.length > 0) {
		throw unversionedTables(file, tables);
	}

	// No database yet (missing, 0 bytes, or SQLite with no tables): fine for a new folder, not beside an archive's files.
	if (version === 0 && !options.adoptFiles) {
		const content = archiveContent(dir);
		if (content) {
			throw noDatabaseBesideContent(file, !exists ? 'does not exist' : fs.statSync(file).size === 0 ? 'is empty (0 bytes)' : 'holds no tables', content);
		}
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
		throw cannotOpen(file, error);
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

/** Opening failed for a reason of the disk's: a full one is named as such (SQLite calls it an I/O error while opening), else the I/O error. */
function cannotOpen(file: string, error: unknown): MjError {
	const dir = path.dirname(file);
	if (isDiskFull(error) || noSpaceLeft(dir)) {
		return diskFullError(dir, error, {folder: 'the archive', stopped: 'the archive database cannot be opened', hint: 'Free some space there and run again; nothing stored was lost.'});
	}
	return new MjError(`Cannot open the archive database ${file}: ${(error as Error).message}`, {exitCode: ExitCode.ioError, cause: error});
}
