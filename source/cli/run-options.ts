/**
 * The global flags that steer one run rather than configure mj-tui (mode,
 * sync filters, URL list), checked here so a bad date or count is a usage
 * error (64) that names the flag, before anything touches the network.
 */
import fs from 'node:fs';
import path from 'node:path';
import {ExitCode, MjError} from '../core/errors.js';
import type {ConfigKey} from '../core/config/keys.js';
import {parseDateFlag} from '../args/dates.js';
import {globalFlags} from '../args/flags.js';

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

function usage(message: string, hint?: string): MjError {
	return new MjError(message, {exitCode: ExitCode.usage, hint});
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
