/**
 * The archive invariants every fault test and every chaos round checks after
 * the binary has stopped, however it stopped: the database is intact, every
 * `done` row's file exists with its recorded sha256, no media file lies in the
 * archive without a row, and nothing was written outside the archive. Pure
 * node + better-sqlite3 (no ava), so scripts/chaos.ts uses the same code.
 */
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type {StandIn} from '../../fixtures/types.js';

export interface InvariantOptions {
	/** The archive folder (holding archive.db). */
	archive: string;
	/**
	 * The only folder the run may write in (a sandbox root). Every file under it
	 * that is neither in the archive nor in `allowed` is a violation.
	 */
	sandboxRoot?: string;
	/** Absolute files or folders under sandboxRoot that may exist (package.json, config, an export's output). */
	allowed?: string[];
	/**
	 * The run finished (or a later run cleaned up): partials and temp files
	 * left in the archive are violations too, not just leftovers to resume.
	 */
	settled?: boolean;
}

/** What the checker found. */
export interface ArchiveReport {
	/** Broken invariants, each naming what and where; empty when all hold. */
	violations: string[];
	/** Image rows per status. */
	rows: Record<string, number>;
	/** Files under images/. */
	mediaFiles: number;
	/** Partial downloads under .parts/. */
	partials: number;
	/** Temp files of interrupted commands (`*.tmp`) anywhere in the archive, relative paths. */
	temps: string[];
}

interface ImageRow {
	id: number;
	url: string;
	path: string | null;
	sha256: string | null;
	status: string;
}

/** sha256 of a file, hex. */
export function fileSha256(file: string): string {
	return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Every file under `dir`, as absolute paths (an absent folder has none). */
export function walkFiles(dir: string): string[] {
	let entries: fs.Dirent[];
	try {
		entries = fs.readdirSync(dir, {withFileTypes: true});
	} catch {
		return [];
	}

	return entries.flatMap(entry => {
		const full = path.join(dir, entry.name);
		return entry.isDirectory() ? walkFiles(full) : [full];
	});
}

/** Open read-only when SQLite can; a WAL database without its -shm needs a read-write handle. */
function openArchiveDb(file: string): Database.Database {
	try {
		const db = new Database(file, {readonly: true, fileMustExist: true});
		db.pragma('schema_version');
		return db;
	} catch {
		return new Database(file, {fileMustExist: true});
	}
}

const isTemp = (relative: string) => /\.tmp$/.test(relative) || /\.tmp[.-]/.test(path.basename(relative));

/** Check the archive invariants; see ArchiveReport.violations. */
export function checkArchive(options: InvariantOptions): ArchiveReport {
	const {archive} = options;
	const report: ArchiveReport = {violations: [], rows: {}, mediaFiles: 0, partials: 0, temps: []};
	const violation = (text: string) => report.violations.push(text);
	const relative = (file: string) => path.relative(archive, file);
	const archiveFiles = walkFiles(archive);
	report.temps = archiveFiles.map(relative).filter(isTemp);
	const media = walkFiles(path.join(archive, 'images')).map(relative).filter(file => !isTemp(file));
	report.mediaFiles = media.length;
	report.partials = walkFiles(path.join(archive, '.parts')).length;

	const dbFile = path.join(archive, 'archive.db');
	if (fs.existsSync(dbFile) && fs.statSync(dbFile).size > 0) {
		checkRows(openArchiveDb(dbFile), archive, media, report, violation);
	} else if (media.length > 0) {
		violation(`${dbFile} is missing or empty beside ${media.length} media files`);
	}

	if (options.settled) {
		for (const temp of report.temps) violation(`stale temp file left in the archive: ${temp}`);
		const resumable = report.rows.pending ?? 0;
		if (report.partials > resumable) violation(`${report.partials} partials under .parts/ but only ${resumable} pending rows to resume them`);
	}

	if (options.sandboxRoot !== undefined) {
		const allowed = [archive, ...(options.allowed ?? [])].map(entry => path.resolve(entry));
		for (const file of walkFiles(options.sandboxRoot)) {
			if (!allowed.some(entry => file === entry || file.startsWith(entry + path.sep))) violation(`a file outside the archive: ${file}`);
		}
	}

	return report;
}

function hasTable(db: Database.Database, name: string): boolean {
	return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

function checkRows(db: Database.Database, archive: string, media: string[], report: ArchiveReport, violation: (text: string) => void): void {
	try {
		const integrity = db.pragma('integrity_check', {simple: false}) as Array<{integrity_check: string}>;
		const verdict = integrity.map(row => row.integrity_check).join('; ');
		if (verdict !== 'ok') violation(`PRAGMA integrity_check: ${verdict}`);
		if (!hasTable(db, 'images')) {
			if (media.length > 0) violation(`no images table beside ${media.length} media files`);
			return;
		}

		const rows = db.prepare('SELECT id, url, path, sha256, status FROM images').all() as ImageRow[];
		const paths = new Set<string>();
		for (const row of rows) {
			report.rows[row.status] = (report.rows[row.status] ?? 0) + 1;
			if (row.path !== null) paths.add(path.normalize(row.path));
			if (row.status !== 'done') continue;
			if (row.path === null || row.sha256 === null) {
				violation(`done row ${row.id} (${row.url}) has no path or sha256`);
				continue;
			}

			const file = path.join(archive, row.path);
			if (!fs.existsSync(file)) violation(`done row ${row.id}: ${row.path} does not exist`);
			else if (fileSha256(file) !== row.sha256) violation(`done row ${row.id}: ${row.path} does not match its sha256`);
		}

		// An XMP sidecar (`mj-tui sidecars`, --sidecars) belongs to the file it is named after.
		const rowless = (file: string) => !paths.has(path.normalize(file)) && !(file.endsWith('.xmp') && paths.has(path.normalize(file.slice(0, -'.xmp'.length))));
		for (const file of media) if (rowless(file)) violation(`media file without a row: ${file}`);
	} finally {
		db.close();
	}
}

/**
 * Every done row holds exactly the bytes the stand-in's CDN serves for its
 * URL; with `complete`, the archive also holds every file the stand-in has
 * and nothing else (after a clean run); with `likes`, the liked jobs' files count too.
 */
export function checkMatchesStandIn(archive: string, standIn: StandIn, options: {complete: boolean; likes?: boolean} = {complete: true}): string[] {
	const problems: string[] = [];
	const dbFile = path.join(archive, 'archive.db');
	if (!options.complete && !fs.existsSync(dbFile)) return problems;
	const db = openArchiveDb(dbFile);
	try {
		if (!options.complete && !hasTable(db, 'images')) return problems;
		const rows = db.prepare("SELECT url, path, sha256, status FROM images WHERE url LIKE 'http%' OR url LIKE '/%'").all() as ImageRow[];
		const byPath = new Map(rows.map(row => [new URL(row.url, standIn.cdnBase).pathname, row]));
		// With likes (--likes) the archive also holds the liked jobs, other people's included; the account's own liked ones once.
		const jobIds = new Set([...standIn.jobs(), ...(options.likes ? standIn.likedJobs() : [])].map(job => job.id));
		const expected = [...jobIds].flatMap(id => standIn.filePaths(id));
		const wanted = new Set(expected);
		for (const [cdnPath, row] of byPath) {
			if (!wanted.has(cdnPath)) problems.push(`a row for ${cdnPath}, which the stand-in does not serve`);
			else if (row.status === 'done' && row.sha256 !== createHash('sha256').update(standIn.fileBytes(cdnPath)).digest('hex')) problems.push(`${cdnPath} (${row.path}): the archived bytes differ from the CDN's`);
		}

		if (!options.complete) return problems;
		for (const cdnPath of expected) {
			const row = byPath.get(cdnPath);
			if (row === undefined) problems.push(`no row for the stand-in's ${cdnPath}`);
			else if (row.status !== 'done') problems.push(`${cdnPath} is ${row.status}, not done`);
		}

		// XMP sidecars (--sidecars) sit beside the files they describe; they are not files of the stand-in.
		const mediaFiles = walkFiles(path.join(archive, 'images')).filter(file => !file.endsWith('.xmp')).length;
		if (mediaFiles !== expected.length) problems.push(`${mediaFiles} files under images/, the stand-in serves ${expected.length}`);
	} finally {
		db.close();
	}

	return problems;
}

/** Where mj-tui keeps refreshed tokens for `home` (README: never inside the archive): the one place outside it a run may write. */
export function tokenStateDir(home: string): string {
	return path.join(home, '.local', 'state', 'mj-tui');
}
