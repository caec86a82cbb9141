/**
 * The global flags that steer one run rather than configure mj-tui (mode,
 * sync filters, URL list), checked here so a bad date or count is a usage
 * error (64) that names the flag, before anything touches the network.
 */
import fs from 'node:fs';
import path from 'node:path';
import {ExitCode, MjError} from '../core/errors.js';
import type {ConfigKey} from '../core/config/keys.js';
import {globalFlags} from './flags.js';

export interface RunOptions {
	batch: boolean;
	demo: boolean;
	/** False with --no-download. */
	download: boolean;
	full: boolean;
	/** Epoch ms, inclusive. */
	since?: number;
	/** Epoch ms, exclusive (a bare date includes that whole day, UTC), as syncJobs takes it. */
	until?: number;
	types: string[];
	limit?: number;
	/** Absolute path of the --urls file. */
	urlsFile?: string;
	/** Absolute path of the --config file. */
	configFile?: string;
	help: boolean;
	version: boolean;
	/** Flags that set config keys, raw, only those given. */
	configFlags: Partial<Record<ConfigKey, unknown>>;
}

const day = 86_400_000;

function usage(message: string, hint?: string): MjError {
	return new MjError(message, {exitCode: ExitCode.usage, hint});
}

/** `2025-01-01` (UTC day) or an ISO date-time; `endOfDay` turns a bare date into the next midnight, so an exclusive bound still covers that whole day. */
export function parseDateFlag(flag: string, text: string, endOfDay: boolean): number {
	const bareDate = /^\d{4}-\d{2}-\d{2}$/.test(text);
	const ms = bareDate ? Date.parse(`${text}T00:00:00Z`) : /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : Number.NaN;
	if (Number.isNaN(ms)) {
		throw usage(`${flag} must be a date like 2025-01-01 or 2025-01-01T12:00:00Z; got ${JSON.stringify(text)}`);
	}
	return bareDate && endOfDay ? ms + day : ms;
}

/** Check the run flags and pick out the config flags. `cwd` resolves relative file paths. */
export function parseRunOptions(flags: Record<string, unknown>, cwd: string): RunOptions {
	const string = (name: string): string | undefined => (typeof flags[name] === 'string' ? (flags[name] as string) : undefined);
	const options: RunOptions = {
		batch: flags.batch === true,
		demo: flags.demo === true,
		download: flags.download !== false,
		full: flags.full === true,
		types: [],
		help: flags.help === true,
		version: flags.version === true,
		configFlags: {},
	};
	const since = string('since');
	const until = string('until');
	if (since !== undefined) options.since = parseDateFlag('--since', since, false);
	if (until !== undefined) options.until = parseDateFlag('--until', until, true);
	if (options.since !== undefined && options.until !== undefined && options.since >= options.until) {
		throw usage(`--since ${since} is after --until ${until}; nothing could match`);
	}
	const limit = string('limit');
	if (limit !== undefined) {
		if (!/^\d+$/.test(limit) || Number(limit) < 1) throw usage(`--limit must be a whole number of jobs, at least 1; got ${JSON.stringify(limit)}`);
		options.limit = Number(limit);
	}
	// `--type upscale,variation` as well as `--type upscale --type variation`.
	for (const value of (flags.type as string[] | undefined) ?? []) {
		for (const type of value.split(',')) {
			if (type.trim() === '') throw usage(`--type needs a job type such as upscale or v7_diffusion; got ${JSON.stringify(value)}`);
			options.types.push(type.trim());
		}
	}
	const urls = string('urls');
	if (urls !== undefined) {
		if (!options.download) throw usage('--urls and --no-download together would do nothing; drop one');
		options.urlsFile = path.resolve(cwd, urls);
		if (!fs.existsSync(options.urlsFile)) throw usage(`--urls ${urls}: no such file`);
		options.batch = true;
	}
	const config = string('config');
	if (config !== undefined) options.configFile = path.resolve(cwd, config);
	for (const [name, definition] of Object.entries(globalFlags)) {
		if ('configKey' in definition && flags[name] !== undefined) options.configFlags[definition.configKey] = flags[name];
	}
	return options;
}
