/**
 * Finding and reading config files with cosmiconfig: the user file in
 * `$XDG_CONFIG_HOME/mj-tui/` (or `~/.config/mj-tui/`), the project file
 * searched from the working directory up to the nearest package.json, or the
 * one file named by `--config`. Read errors become MjErrors naming the file.
 */
import os from 'node:os';
import path from 'node:path';
import type {CosmiconfigResult} from 'cosmiconfig';
import {ExitCode, MjError} from '../errors.js';
import {redact} from '../secrets.js';
import {stripTerminalControls} from '../terminal-text.js';

export const moduleName = 'mj-tui';

/** Places searched in each directory of the project search, first match wins. */
export const projectSearchPlaces = [
	'package.json',
	`.${moduleName}rc`,
	`.${moduleName}rc.json`,
	`.${moduleName}rc.yaml`,
	`.${moduleName}rc.yml`,
	`.${moduleName}rc.js`,
	`.${moduleName}rc.mjs`,
	`.${moduleName}rc.cjs`,
	`${moduleName}.config.js`,
	`${moduleName}.config.mjs`,
	`${moduleName}.config.cjs`,
];

/** Places looked at in the user config folder, first match wins. */
export const userSearchPlaces = [
	'config.yaml',
	'config.yml',
	'config.json',
	'config',
	`.${moduleName}rc`,
	`.${moduleName}rc.yaml`,
	`.${moduleName}rc.yml`,
	`.${moduleName}rc.json`,
	'config.js',
	'config.mjs',
	'config.cjs',
];

/** The user's home as this process sees it: $HOME first, so tests and sudo -E behave. */
export function homeDir(env: NodeJS.ProcessEnv): string {
	return env.HOME && path.isAbsolute(env.HOME) ? env.HOME : os.homedir();
}

/** `$XDG_CONFIG_HOME/mj-tui`, else `~/.config/mj-tui` (XDG says to ignore a relative XDG_CONFIG_HOME). */
export function userConfigDir(env: NodeJS.ProcessEnv): string {
	const xdg = env.XDG_CONFIG_HOME;
	const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(homeDir(env), '.config');
	return path.join(base, moduleName);
}

/** A config file's contents: the raw object as written (validated later) and where it came from. */
export interface ConfigFile {
	file: string;
	values: unknown;
}

// Imported on first use: `--help` and `--version` never read config files, and cosmiconfig's load is a noticeable part of startup.
async function explorer(strategy: 'none' | 'project', searchPlaces: string[]) {
	const loaded = await import('cosmiconfig');
	// A named export under Node and tsx; in the bundled build (scripts/bundle.mjs) this CommonJS package's chunk exports only `default`.
	const {cosmiconfig} = typeof loaded.cosmiconfig === 'function' ? loaded : (loaded as unknown as {default: typeof loaded}).default;
	return cosmiconfig(moduleName, {searchStrategy: strategy, searchPlaces, cache: false});
}

function toConfigFile(result: CosmiconfigResult): ConfigFile | undefined {
	if (!result) return undefined;
	return {file: result.filepath, values: result.isEmpty ? {} : result.config};
}

/** A loader's error (YAML syntax, JS that throws) as an MjError that names the file. */
function readError(file: string, error: unknown): MjError {
	const detail = error instanceof Error ? error.message : String(error);
	// cosmiconfig already prefixes "YAML Error in <file>:"; say it once, in our words.
	const text = detail.replace(/^(?:YAML|JSON|JS|TypeScript) Error in [^\n]*:\n?/, '').trim();
	// js-yaml marks are 0-based; people count lines from 1.
	const mark = (error as {mark?: {line?: number}}).mark;
	const where = typeof mark?.line === 'number' ? ` at line ${mark.line + 1}` : '';
	return new MjError(stripTerminalControls(redact(`Cannot read config file ${file}${where}: ${text}`)), {
		exitCode: ExitCode.config,
		hint: 'Fix the syntax at the line shown, or move the file away to fall back to the defaults.',
		cause: error,
	});
}

/** The user config file, if one exists. */
export async function readUserConfig(env: NodeJS.ProcessEnv): Promise<ConfigFile | undefined> {
	const dir = userConfigDir(env);
	try {
		return toConfigFile(await (await explorer('none', userSearchPlaces)).search(dir));
	} catch (error) {
		throw readError((error as {filepath?: string}).filepath ?? dir, error);
	}
}

/** The nearest project config file from `cwd` up to the folder holding package.json. */
export async function readProjectConfig(cwd: string): Promise<ConfigFile | undefined> {
	try {
		return toConfigFile(await (await explorer('project', projectSearchPlaces)).search(cwd));
	} catch (error) {
		throw readError((error as {filepath?: string}).filepath ?? cwd, error);
	}
}

/** The file named by `--config`; a missing file is a usage error (64). */
export async function readExplicitConfig(file: string): Promise<ConfigFile> {
	let result: CosmiconfigResult;
	try {
		result = await (await explorer('none', projectSearchPlaces)).load(file);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
			throw new MjError(`--config ${file}: no such file`, {exitCode: ExitCode.usage, hint: 'Give the path of an existing config file, or drop --config to search for one.'});
		}
		throw readError(file, error);
	}
	return toConfigFile(result) ?? {file, values: {}};
}
