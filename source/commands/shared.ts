/**
 * What the subcommands share: parsing a command's argv (its own flags merged
 * with the global ones, so `mj-tui search cats --archive x --json` works), the
 * selection flags (`--type --since --until --limit`), opening the archive and
 * writing output lines. Never exits the process: unknown flags are MjError(64)
 * naming the command.
 */
import {existsSync} from 'node:fs';
import path from 'node:path';
import {parseDateFlag} from '../args/dates.js';
import {globalFlags, type FlagDefinitions} from '../args/flags.js';
import {parseArgv, unknownFlagError} from '../args/parse.js';
import {ArchiveStore} from '../core/archive/store.js';
import type {Config} from '../core/config/config.js';
import {ExitCode, MjError} from '../core/errors.js';
import type {JobFilter} from '../core/job.js';
import {parseDuration} from '../core/units.js';
import {createLogger, logLevelOf} from '../core/log.js';
import {unmatchedTypesWarning} from '../core/type-warning.js';
import type {CommandContext} from './types.js';
import {demoArchivePath} from '../demo.js';

export interface ParsedCommandArgv {
	/** Own and global flags by camelCase name; absent when not given (no defaults applied). */
	flags: Record<string, unknown>;
	/** Positional arguments, e.g. the search words. */
	input: string[];
}

/**
 * Parse a command's argv: its own flags plus the global ones. With
 * `parametersToQuery`, every token that is not a known flag (Midjourney
 * parameters like `--ar 16:9`, words, `-word`) stays in `input`, in order,
 * as query text; otherwise unknown flags are a usage error (64).
 */
export function parseCommandArgs(command: string, argv: readonly string[], own: FlagDefinitions, parametersToQuery = false): ParsedCommandArgv {
	const definitions: FlagDefinitions = {...globalFlags, ...own};
	const parsed = parseArgv(argv, definitions, {unknownAsText: parametersToQuery});
	if (parsed.unknown.length > 0) throw unknownFlagError(parsed.unknown, definitions, `for mj-tui ${command}`);
	return {flags: parsed.flags, input: parsed.positionals};
}

/** Flags that select jobs: shared by search, export and stats (they mean "which archived jobs" here, not "which to sync"). */
export const selectionFlags = {
	type: {type: 'string', isMultiple: true, value: '<type>', description: 'job_type or event_type (repeat or comma-separate)'},
	since: {type: 'string', value: '<when>', description: 'From this date (2025-01-31, ISO time) or a duration ago (7d)'},
	until: {type: 'string', value: '<when>', description: 'Up to this date (a bare date includes that whole day)'},
	limit: {type: 'string', value: '<n>', description: 'At most n jobs'},
	liked: {type: 'boolean', description: 'Only jobs you liked on the site (synced with --likes); --no-liked: the others'},
} as const satisfies FlagDefinitions;

/** `2025-01-31`, an ISO 8601 time, or a duration ago (`7d`, `12h`) → epoch ms; a bare --until date includes its whole day. */
export function parseTimeFlag(flag: 'since' | 'until', value: string, now = Date.now()): number {
	const ago = parseDuration(value);
	if (ago !== undefined) return now - ago;
	return parseDateFlag(`--${flag}`, value, flag === 'until');
}

/** A positive whole number from a flag, or undefined when absent. */
export function parseCountFlag(flag: string, value: unknown): number | undefined {
	if (value === undefined) return undefined;
	if (typeof value !== 'string' || !/^\d+$/.test(value) || Number(value) < 1) throw new MjError(`--${flag} ${JSON.stringify(value)}: expected a whole number >= 1`, {exitCode: ExitCode.usage});
	return Number(value);
}

/** The JobFilter described by --type, --since, --until and --liked. */
export function filterFromFlags(flags: Record<string, unknown>): JobFilter {
	const filter: JobFilter = {};
	const types = ((flags.type as string[] | undefined) ?? []).flatMap(type => type.split(',')).map(type => type.trim()).filter(Boolean);
	if (types.length > 0) filter.types = types;
	if (typeof flags.since === 'string') filter.since = parseTimeFlag('since', flags.since);
	if (typeof flags.until === 'string') filter.until = parseTimeFlag('until', flags.until);
	if (typeof flags.liked === 'boolean') filter.liked = flags.liked;
	if (filter.since !== undefined && filter.until !== undefined && filter.since >= filter.until) {
		throw new MjError(`--since ${String(flags.since)} is not before --until ${String(flags.until)}; nothing could match`, {exitCode: ExitCode.usage});
	}
	return filter;
}

/** Open the archive the config (or --archive) points at; refuses a folder that holds none. */
export function openArchive(context: CommandContext, flags: Record<string, unknown>, options: {readonly?: boolean} = {}): ArchiveStore {
	const dir = archiveDir(context, flags);
	if (!existsSync(path.join(dir, 'archive.db'))) {
		const demo = demoArchivePath(context.io.cwd);
		const hint =
			demo !== dir && existsSync(path.join(demo, 'archive.db'))
				? `The demo's archive is at ${demo}: add --demo to use it. For your own, run mj-tui (or mj-tui --batch) to sync first, or pass --archive <folder>.`
				: 'Run mj-tui (or mj-tui --batch) to sync first, or pass --archive <folder>.';
		throw new MjError(`no archive at ${dir} (archive.db not found)`, {exitCode: ExitCode.config, hint});
	}
	const store = ArchiveStore.open(dir, options);
	// A --type no job has gives an empty answer that looks like "nothing matched the rest": say so.
	const types = filterFromFlags({type: flags.type}).types;
	const warning = types ? unmatchedTypesWarning(store.jobTypes, types) : undefined;
	if (warning) createLogger({stream: context.io.stderr, level: logLevelOf(context.config)}).warn(warning);
	return store;
}

/** The archive folder: --archive after the subcommand, else the demo's with --demo, else the config's. */
export function archiveDir(context: CommandContext, flags: Record<string, unknown>): string {
	if (typeof flags.archive === 'string') return path.resolve(context.io.cwd, flags.archive);
	return flags.demo === true ? demoArchivePath(context.io.cwd) : path.resolve(context.io.cwd, context.config.archive);
}

/** Write one line to stdout, waiting when the pipe is full. */
export async function writeLine(context: CommandContext, line: string): Promise<void> {
	if (!context.io.stdout.write(`${line}\n`)) await new Promise(resolve => context.io.stdout.once('drain', resolve));
}

/** Whether --json or the config asks for JSON output. */
export function wantsJson(config: Config, flags: Record<string, unknown>): boolean {
	return typeof flags.json === 'boolean' ? flags.json : config.json;
}
