/**
 * Finding the Chrome/Chromium the browser route and `mj-tui login` drive.
 * mj-tui downloads no browser: it uses the one named by `--browser` (config
 * `browser`), else the first of the usual names on PATH.
 */
import fs from 'node:fs';
import path from 'node:path';
import {ExitCode, MjError} from '../../errors.js';

/** Executable names tried on PATH, in order. */
const candidates = ['google-chrome', 'google-chrome-stable', 'chromium', 'chromium-browser', 'chrome', 'microsoft-edge', 'brave-browser'];

/** How to get a browser, for the error when there is none. */
export const installBrowserHint = [
	'Install Chrome or Chromium (Debian/Ubuntu: `sudo apt-get install chromium`; Fedora: `sudo dnf install chromium`;',
	'macOS: install Google Chrome), or name one with --browser <path> (config key `browser`, env MJ_TUI_BROWSER).',
].join(' ');

function isExecutable(file: string): boolean {
	try {
		fs.accessSync(file, fs.constants.X_OK);
		return fs.statSync(file).isFile();
	} catch {
		return false;
	}
}

/** The first usual browser on PATH, or undefined. */
export function findBrowserOnPath(env: NodeJS.ProcessEnv): string | undefined {
	const dirs = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
	for (const name of candidates) {
		for (const dir of dirs) {
			const file = path.join(dir, name);
			if (isExecutable(file)) return file;
		}
	}
	const mac = '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome';
	return process.platform === 'darwin' && isExecutable(mac) ? mac : undefined;
}

/** The browser to drive: `configured` if given (it must exist), else one from PATH; MjError 69 when there is none. */
export function resolveBrowser(configured: string | undefined, env: NodeJS.ProcessEnv): string {
	if (configured) {
		if (isExecutable(configured)) return configured;
		throw new MjError(`--browser ${configured}: no executable browser there.`, {exitCode: ExitCode.unavailable, hint: installBrowserHint});
	}
	const found = findBrowserOnPath(env);
	if (found) return found;
	throw new MjError(`No Chrome or Chromium found on PATH (looked for ${candidates.join(', ')}).`, {exitCode: ExitCode.unavailable, hint: installBrowserHint});
}
