/**
 * Which partial downloads in `<archive>/.parts` are stale: no images row
 * waits for them any more (the file is done, failed, canceled, or unknown),
 * or, with an age limit, they have not been touched for that long.
 */
import fs from 'node:fs';
import path from 'node:path';
import type {ImagesTable} from '../archive/images.js';

export interface StalePart {
	/** Relative to the archive, e.g. `.parts/12-0_0.png.part`. */
	path: string;
	bytes: number;
	reason: 'no pending file' | 'older than the limit';
}

/** The stale partials, oldest rule first; `olderThanMs` undefined keeps every partial a pending file still waits for. */
export function findStaleParts(images: ImagesTable, archiveDir: string, options: {olderThanMs?: number; now?: number} = {}): StalePart[] {
	const partsDir = path.join(archiveDir, '.parts');
	let names: string[];
	try {
		names = fs.readdirSync(partsDir);
	} catch {
		return [];
	}
	const waitedFor = new Set(
		images
			.partPaths()
			.filter((row) => row.status === 'pending')
			.map((row) => row.part_path),
	);
	const now = options.now ?? Date.now();
	const stale: StalePart[] = [];
	for (const name of names) {
		const relative = `.parts/${name}`;
		let stat: fs.Stats;
		try {
			stat = fs.lstatSync(path.join(partsDir, name));
		} catch {
			continue;
		}
		if (!stat.isFile()) continue;
		if (!waitedFor.has(relative)) stale.push({path: relative, bytes: stat.size, reason: 'no pending file'});
		else if (options.olderThanMs !== undefined && now - stat.mtimeMs > options.olderThanMs) stale.push({path: relative, bytes: stat.size, reason: 'older than the limit'});
	}
	return stale;
}

/** Delete these partials and forget them in the images table (a later download starts that file afresh). */
export function removeStaleParts(images: ImagesTable, archiveDir: string, parts: readonly StalePart[]): void {
	for (const part of parts) {
		fs.rmSync(path.join(archiveDir, part.path), {force: true});
		images.forgetPartial(part.path);
	}
}
