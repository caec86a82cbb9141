/**
 * Crash recovery for the one window finalise cannot make atomic with the
 * table: the file was renamed into place, then the process died before its
 * row said `done`. The file is complete (only complete files are renamed),
 * so it is verified and recorded instead of fetched again.
 */
import fs from 'node:fs';
import {acceptedKinds, detectContentKind} from './content-check.js';
import type {FileHashing} from './hasher.js';
import type {ImageRow} from '../archive/images.js';
import {resolveInside} from './naming.js';
import {readHead} from './transfer.js';

/** The final file's size and sha256 when the row's download had finished before a crash; undefined otherwise. */
export async function recoverFinished(archiveDir: string, row: ImageRow, partPath: string, hasher: FileHashing): Promise<{bytes: number; sha256: string} | undefined> {
	if (!row.path || !row.part_path || row.total_bytes === null) return undefined;
	if (fs.existsSync(partPath)) return undefined;
	const finalPath = resolveInside(archiveDir, row.path);
	let size: number;
	try {
		size = (await fs.promises.stat(finalPath)).size;
	} catch {
		return undefined;
	}
	if (size !== row.total_bytes) return undefined;
	if (!acceptedKinds(row.variant).includes(detectContentKind(await readHead(finalPath)))) return undefined;
	const {sha256, bytes} = await hasher.hash(finalPath);
	return bytes === size ? {bytes, sha256} : undefined;
}
