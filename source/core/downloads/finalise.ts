/**
 * A verified partial becomes an archived file: fsync, atomic rename into its
 * final path, fsync of the directory, so the file appears only complete and
 * survives a crash. Syncing here rather than in the transfer also covers a
 * partial that a killed process left complete (confirmed by a 416).
 * Content the archive already holds (same sha256) is hard-linked instead of
 * stored twice.
 */
import fs from 'node:fs';
import path from 'node:path';
import {promisify} from 'node:util';
import type {Directories} from './directories.js';
import type {DoneRecord} from '../archive/images.js';
import {resolveInside, withSuffix} from './naming.js';

/** How a duplicate was recorded: a hard link at its own path, or a pointer to the original's path. */
export type DuplicateMode = 'link' | 'pointer';

export interface FinaliseInput {
	archiveDir: string;
	id: number;
	partPath: string;
	/** Final path relative to the archive. */
	path: string;
	bytes: number;
	sha256: string;
	/** The partial, still open from the transfer (the caller closes it); else it is opened to be synced. */
	fd?: number;
}

/** What finalise asks the archive. */
export interface FinaliseLookups {
	/** An archived file with this content (other than row `exceptId`), if any. */
	findOriginal(sha256: string, exceptId: number): {id: number; path: string} | undefined;
	/** True when another row already uses this final path. */
	pathTaken(relative: string): boolean;
}

/** Move the partial into place (or link to identical archived content); returns what to record. */
export async function finalise(planned: FinaliseInput, lookups: FinaliseLookups, directories: Directories): Promise<DoneRecord & {duplicate: DuplicateMode | null}> {
	// A file the user (or another program) put at the planned name is never overwritten: take the next free name.
	const input = {...planned, path: freeName(planned.archiveDir, planned.path, lookups)};
	const finalPath = resolveInside(input.archiveDir, input.path);
	await syncPartial(input.partPath, input.fd);
	await directories.ensure(path.dirname(finalPath));
	const original = lookups.findOriginal(input.sha256, input.id);
	// Only a file inside the archive can be linked to: one `import` recorded where it lay (an absolute path) may move or go.
	if (original && original.path !== input.path && !path.isAbsolute(original.path)) {
		const originalPath = resolveInside(input.archiveDir, original.path);
		if (await sameSize(originalPath, input.bytes)) {
			try {
				await fs.promises.link(originalPath, finalPath);
				await directories.sync(path.dirname(finalPath));
				await fs.promises.rm(input.partPath, {force: true});
				return {path: input.path, bytes: input.bytes, sha256: input.sha256, duplicateOf: original.id, duplicate: 'link'};
			} catch {
				// No hard links here (another filesystem, FAT, ...): point at the original instead of a second copy.
				await fs.promises.rm(input.partPath, {force: true});
				return {path: original.path, bytes: input.bytes, sha256: input.sha256, duplicateOf: original.id, duplicate: 'pointer'};
			}
		}
	}
	try {
		await fs.promises.rename(input.partPath, finalPath);
	} catch (error) {
		// The folder went away since we made it (the user tidied up): make it again, once.
		if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !fs.existsSync(input.partPath)) throw error;
		directories.forget(path.dirname(finalPath));
		await directories.ensure(path.dirname(finalPath));
		await fs.promises.rename(input.partPath, finalPath);
	}
	await directories.sync(path.dirname(finalPath));
	return {path: input.path, bytes: input.bytes, sha256: input.sha256, duplicateOf: null, duplicate: null};
}

function freeName(archiveDir: string, relative: string, lookups: FinaliseLookups): string {
	for (let n = 1; ; n++) {
		const candidate = n === 1 ? relative : withSuffix(relative, n);
		if (n > 1 && lookups.pathTaken(candidate)) continue;
		if (!fs.existsSync(resolveInside(archiveDir, candidate))) return candidate;
	}
}

/** Make the partial's bytes (and size: fdatasync includes it) durable before its name becomes final. */
async function syncPartial(file: string, fd: number | undefined): Promise<void> {
	if (fd !== undefined) return fdatasync(fd);
	const handle = await fs.promises.open(file, 'r');
	try {
		await handle.datasync();
	} finally {
		await handle.close();
	}
}

const fdatasync = promisify(fs.fdatasync);

async function sameSize(file: string, bytes: number): Promise<boolean> {
	try {
		return (await fs.promises.stat(file)).size === bytes;
	} catch {
		return false;
	}
}
