/** Walking a folder tree without following symlinks, for verify, clean and temp-file sweeps. */
import {opendir} from 'node:fs/promises';
import path from 'node:path';

/**
 * Every regular file under `dir`, as paths relative to `root` with `/`
 * separators; a missing folder yields nothing. `skip` names top-level
 * folders of `root` not to enter.
 */
export async function* walkFiles(root: string, dir: string, skip: ReadonlySet<string> = new Set()): AsyncGenerator<string> {
	let entries;
	try {
		entries = await opendir(dir);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
		throw error;
	}
	for await (const entry of entries) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) {
			if (!(dir === root && skip.has(entry.name))) yield* walkFiles(root, full, skip);
		} else if (entry.isFile()) yield path.relative(root, full).split(path.sep).join('/');
	}
}
