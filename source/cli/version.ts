/** mj-tui's own version, from its package.json. */
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

/**
 * The version in the nearest package.json above this module: the repository's
 * from source/cli/ (under tsx) and from dist/bin/ (the bundle) alike, and the
 * installed package's when installed.
 */
export function packageVersion(): string {
	for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
		try {
			const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {version?: unknown};
			return typeof manifest.version === 'string' ? manifest.version : '0.0.0';
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || path.dirname(dir) === dir) return '0.0.0';
		}
	}
}
