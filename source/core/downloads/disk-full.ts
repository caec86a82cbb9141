/**
 * A full disk under the archive: recognised wherever it shows (ENOSPC from a
 * partial's write or a rename, SQLITE_FULL from a row update), and turned
 * into one error that names the disk and its free space, exit 74. Retrying
 * would only fill the disk further, so the run stops and keeps its partials.
 */
import fs from 'node:fs';
import path from 'node:path';
import {ExitCode, MjError} from '../errors.js';
import {redact} from '../secrets.js';
import {formatBytes} from '../units.js';

const fullCodes = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL']);

/** True when `error` (or any error in its cause chain) says the disk is full. */
export function isDiskFull(error: unknown): boolean {
	for (let current = error, depth = 0; current && depth < 8; current = (current as {cause?: unknown}).cause, depth++) {
		const code = (current as {code?: unknown}).code;
		if (typeof code === 'string' && fullCodes.has(code)) return true;
		// sharp (libvips) reports a failed write by its message only.
		if (/database or disk is full|No space left on device|Disk quota exceeded/i.test(String((current as Error).message ?? ''))) return true;
	}
	return false;
}

/** True when the disk holding `dir` has no byte left for us (SQLite reports a full disk while opening as an I/O error). */
export function noSpaceLeft(dir: string): boolean {
	try {
		return fs.statfsSync(dir).bavail === 0;
	} catch {
		return false;
	}
}

/** What a full disk stopped, for the message: the folder's kind, what stopped, what to do. */
export interface DiskFullContext {
	folder: string;
	stopped: string;
	hint?: string;
}

/** The error the user sees: which disk (the folder written and its mount point), how much is free, what stopped, what to do. */
export function diskFullError(archiveDir: string, cause?: unknown, what: DiskFullContext = {folder: 'the archive', stopped: 'downloads stopped'}): MjError {
	const mount = mountPointOf(archiveDir);
	let space = '';
	try {
		const stats = fs.statfsSync(archiveDir);
		space = `${formatBytes(stats.bavail * stats.bsize)} free of ${formatBytes(stats.blocks * stats.bsize)}`;
	} catch {
		space = 'free space unknown';
	}
	const where = mount ? `, on the filesystem mounted at ${mount}` : '';
	return new MjError(`The disk is full: ${what.folder} ${archiveDir}${where} has ${space}; ${what.stopped}.`, {
		exitCode: ExitCode.ioError,
		hint: what.hint ?? 'Free some space there (or use --archive on a bigger disk) and run again: finished files are recorded and partial downloads resume where they stopped.',
		cause,
	});
}

/** The mount point holding `dir` (Linux /proc/self/mounts), or undefined elsewhere. */
export function mountPointOf(dir: string): string | undefined {
	let real: string;
	let table: string;
	try {
		real = fs.realpathSync(dir);
		table = fs.readFileSync('/proc/self/mounts', 'utf8');
	} catch {
		return undefined;
	}
	let best: string | undefined;
	for (const line of table.split('\n')) {
		const field = line.split(' ')[1];
		if (!field) continue;
		// Spaces and tabs in mount points are written as octal escapes.
		const mount = field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
		const inside = mount === '/' || real === mount || real.startsWith(mount.endsWith(path.sep) ? mount : mount + path.sep);
		if (inside && (best === undefined || mount.length > best.length)) best = mount;
	}
	return best;
}

/** The error that ends a run after a fault no transfer handles (the table could not be written): disk full, or internal. */
export function runFaultError(error: unknown, archiveDir: string): MjError {
	if (isDiskFull(error)) return diskFullError(archiveDir, error);
	return new MjError(`Downloads stopped: ${redact(String((error as Error)?.message ?? error))}`, {
		exitCode: ExitCode.software,
		cause: error,
		hint: 'Nothing finished is lost and partial downloads are kept; run again to continue, and report this if it persists.',
	});
}
