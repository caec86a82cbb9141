/**
 * A verified partial becomes an archived file: fsync (done by the transfer),
 * atomic rename into its final path, fsync of the directory, so the file
 * appears only complete and survives a crash. Content the archive already
 * holds (same sha256) is hard-linked instead of stored twice.
 */
import fs from 'node:fs';
import path from 'node:path';
import type {DoneRecord, ImageStore} from './image-store.js';
import {resolveInside} from './naming.js';

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
}

/** Move the partial into place (or link to identical archived content); returns what to record. */
export async function finalise(input: FinaliseInput, images: ImageStore): Promise<DoneRecord & {duplicate: DuplicateMode | null}> {
	const finalPath = resolveInside(input.archiveDir, input.path);
	await fs.promises.mkdir(path.dirname(finalPath), {recursive: true});
	const original = images.duplicateSource(input.sha256, input.id);
	if (original && original.path !== input.path) {
		const originalPath = resolveInside(input.archiveDir, original.path);
		if (await sameSize(originalPath, input.bytes)) {
			try {
				await fs.promises.rm(finalPath, {force: true});
				await fs.promises.link(originalPath, finalPath);
				await fsyncDirectory(path.dirname(finalPath));
				await fs.promises.rm(input.partPath, {force: true});
				return {path: input.path, bytes: input.bytes, sha256: input.sha256, duplicateOf: original.id, duplicate: 'link'};
			} catch {
				// No hard links here (another filesystem, FAT, ...): point at the original instead of a second copy.
				await fs.promises.rm(input.partPath, {force: true});
				return {path: original.path, bytes: input.bytes, sha256: input.sha256, duplicateOf: original.id, duplicate: 'pointer'};
			}
		}
	}
	await fs.promises.rename(input.partPath, finalPath);
	await fsyncDirectory(path.dirname(finalPath));
	return {path: input.path, bytes: input.bytes, sha256: input.sha256, duplicateOf: null, duplicate: null};
}

async function sameSize(file: string, bytes: number): Promise<boolean> {
	try {
		return (await fs.promises.stat(file)).size === bytes;
	} catch {
		return false;
	}
}

/** Make a rename durable: the directory entry itself must reach the disk. */
export async function fsyncDirectory(directory: string): Promise<void> {
	const handle = await fs.promises.open(directory, 'r');
	try {
		await handle.sync();
	} catch (error) {
		// Some filesystems refuse fsync on directories; the rename is still atomic.
		if (!['EINVAL', 'EISDIR', 'EPERM', 'ENOTSUP'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
	} finally {
		await handle.close();
	}
}
