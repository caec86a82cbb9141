/**
 * `mj-tui search <query> [--type --since --until --limit --json]`: full-text
 * search over the archive's prompts. Midjourney parameters filter: inside the
 * query (`"cat --ar 16:9"`) or as flags after it (`cat --ar 16:9 --v 7
 * --stylize '>250'`); any `--name` that is not one of search's own flags is
 * taken as a parameter filter.
 *
 * Also home of the selection flags (`--type --since --until`) and archive
 * opening that export and stats share.
 */
import {existsSync} from 'node:fs';
import path from 'node:path';
import {parseCommandArgv} from '../cli/command-flags.js';
import {camelCase, globalFlags, type FlagDefinitions} from '../cli/flags.js';
import {parseDateFlag} from '../cli/run-options.js';
import {defaultRankWindow} from '../core/archive/search.js';
import {ArchiveStore} from '../core/archive/store.js';
import type {Config} from '../core/config.js';
import {ExitCode, MjError} from '../core/errors.js';
import type {JobFilter} from '../core/job.js';
import {toSingleLine} from '../core/terminal-text.js';
import {parseDuration} from '../core/units.js';
import type {Command, CommandContext} from './types.js';

/** Flags that select jobs: shared by search, export and stats (they mean "which archived jobs" here, not "which to sync"). */
export const selectionFlags = {
	type: {type: 'string', isMultiple: true, value: '<type>', description: 'job_type or event_type (repeat or comma-separate)'},
	since: {type: 'string', value: '<when>', description: 'From this date (2025-01-31, ISO time) or a duration ago (7d)'},
	until: {type: 'string', value: '<when>', description: 'Up to this date (a bare date includes that whole day)'},
	limit: {type: 'string', value: '<n>', description: 'At most n jobs'},
} as const satisfies FlagDefinitions;

const searchFlags = {
	...selectionFlags,
	rankAll: {type: 'boolean', description: 'Rank every match, not only the newest 5,000'},
} as const satisfies FlagDefinitions;

const negativeNumber = /^-\d+(?:\.\d+)?$/;

/**
 * Parse a command's argv: its own flags plus the global ones. With
 * `parametersToQuery`, every token that is not a known flag (Midjourney
 * parameters like `--ar 16:9`, words, `-word`) stays in `input`, in order,
 * as query text; otherwise unknown flags are a usage error (64).
 */
export function parseCommandArgs(command: string, argv: readonly string[], own: FlagDefinitions, parametersToQuery = false): {flags: Record<string, unknown>; input: string[]} {
	if (!parametersToQuery) return parseCommandArgv(command, argv, own);
	const definitions: FlagDefinitions = {...globalFlags, ...own};
	const known: string[] = [];
	const query: string[] = [];
	for (let index = 0; index < argv.length; index++) {
		const token = argv[index]!;
		if (token === '--') {
			query.push(...argv.slice(index + 1));
			break;
		}
		const long = /^--([^=]+)(=?)/.exec(token);
		const name = long ? camelCase(long[1]!) : token === '-h' ? 'help' : undefined;
		const definition = name === undefined ? undefined : definitions[name];
		if (!definition) {
			query.push(token);
			continue;
		}
		known.push(token);
		const next = argv[index + 1];
		if (definition.type === 'string' && !long?.[2] && next !== undefined && (!next.startsWith('-') || negativeNumber.test(next))) {
			known.push(next);
			index++;
		}
	}
	const parsed = parseCommandArgv(command, known, own);
	return {flags: parsed.flags, input: [...parsed.input, ...query]};
}

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

/** The JobFilter described by --type, --since and --until. */
export function filterFromFlags(flags: Record<string, unknown>): JobFilter {
	const filter: JobFilter = {};
	const types = ((flags.type as string[] | undefined) ?? []).flatMap(type => type.split(',')).map(type => type.trim()).filter(Boolean);
	if (types.length > 0) filter.types = types;
	if (typeof flags.since === 'string') filter.since = parseTimeFlag('since', flags.since);
	if (typeof flags.until === 'string') filter.until = parseTimeFlag('until', flags.until);
	if (filter.since !== undefined && filter.until !== undefined && filter.since >= filter.until) {
		throw new MjError(`--since ${String(flags.since)} is not before --until ${String(flags.until)}; nothing could match`, {exitCode: ExitCode.usage});
	}
	return filter;
}

/** Open the archive the config (or --archive) points at; refuses a folder that holds none. */
export function openArchive(context: CommandContext, flags: Record<string, unknown>, options: {readonly?: boolean} = {}): ArchiveStore {
	const dir = archiveDir(context, flags);
	if (!existsSync(path.join(dir, 'archive.db'))) {
		throw new MjError(`no archive at ${dir} (archive.db not found)`, {exitCode: ExitCode.config, hint: 'Run mj-tui (or mj-tui --batch) to sync first, or pass --archive <folder>.'});
	}
	return ArchiveStore.open(dir, options);
}

/** The archive folder: --archive after the subcommand, else the config's. */
export function archiveDir(context: CommandContext, flags: Record<string, unknown>): string {
	return path.resolve(context.io.cwd, typeof flags.archive === 'string' ? flags.archive : context.config.archive);
}

/** Write one line to stdout, waiting when the pipe is full. */
export async function writeLine(context: CommandContext, line: string): Promise<void> {
	if (!context.io.stdout.write(`${line}\n`)) await new Promise(resolve => context.io.stdout.once('drain', resolve));
}

/** Whether --json or the config asks for JSON output. */
export function wantsJson(config: Config, flags: Record<string, unknown>): boolean {
	return typeof flags.json === 'boolean' ? flags.json : config.json;
}

const help = `Usage: mj-tui search <query> [flags]

Query: words, "phrases", prefix*, AND / OR / NOT, -word, and Midjourney
parameters as filters, inside the query or as flags after it:
  mj-tui search 'red car --ar 16:9'
  mj-tui search red car --ar 16:9 --v 7 --stylize '>250' --chaos 10..50

Flags:
  --type <t>       job_type or event_type (repeat or comma-separate)
  --since <when>   2025-01-31, ISO time, or a duration ago (7d)
  --until <when>   same forms; a bare date includes that whole day
  --limit <n>      at most n results (default 50)
  --rank-all       rank every match (default: the newest 5,000 matches, which
                   keeps a broad query over a million prompts in milliseconds)
  --json           one JSON object per line
  --archive <dir>  the archive folder`;

function day(epochMs: number | null): string {
	return epochMs === null ? 'no date'.padEnd(10) : new Date(epochMs).toISOString().slice(0, 10);
}

export const searchCommand: Command = {
	name: 'search',
	summary: 'Search archived prompts: words, "phrases", prefix*, AND/OR/NOT, --ar/--v/--stylize filters',
	async run(context) {
		const {flags, input} = parseCommandArgs('search', context.argv, searchFlags, true);
		if (flags.help) {
			await writeLine(context, help);
			return ExitCode.ok;
		}
		const query = input.join(' ').trim();
		if (!query) throw new MjError('mj-tui search: no query given', {exitCode: ExitCode.usage, hint: 'e.g. mj-tui search "red car" --ar 16:9'});
		const limit = parseCountFlag('limit', flags.limit) ?? 50;
		const filter = filterFromFlags(flags);
		const store = openArchive(context, flags, {readonly: true});
		try {
			const {hits, rankedNewest} = store.searchRanked(query, {filter, limit, rankWindow: flags.rankAll ? undefined : defaultRankWindow});
			if (wantsJson(context.config, flags)) {
				for (const {job, rank} of hits) {
					await writeLine(context, JSON.stringify({id: job.id, enqueue_time: job.raw.enqueue_time, job_type: job.jobType, event_type: job.eventType, rank, prompt: job.prompt, full_command: job.fullCommand, parameters: job.parameters, files: job.files}));
				}
				return ExitCode.ok;
			}
			if (hits.length === 0) {
				context.io.stderr.write(`No jobs match ${toSingleLine(query)}\n`);
				return ExitCode.ok;
			}
			const typeWidth = Math.min(18, Math.max(4, ...hits.map(hit => toSingleLine(hit.job.jobType).length)));
			const width = context.io.stdout.columns ?? 120;
			const promptWidth = Math.max(20, width - 10 - 1 - typeWidth - 1 - 36 - 2);
			await writeLine(context, `${'DATE'.padEnd(10)} ${'TYPE'.padEnd(typeWidth)} ${'ID'.padEnd(36)}  PROMPT`);
			for (const {job} of hits) {
				const prompt = toSingleLine(job.fullCommand);
				const shown = prompt.length > promptWidth ? `${prompt.slice(0, promptWidth - 1)}…` : prompt;
				await writeLine(context, `${day(job.enqueuedAt)} ${toSingleLine(job.jobType).slice(0, typeWidth).padEnd(typeWidth)} ${toSingleLine(job.id).padEnd(36)}  ${shown}`);
			}
			if (rankedNewest !== undefined) {
				context.io.stderr.write(`Ranked the newest ${rankedNewest.toLocaleString('en-US')} matches; --rank-all ranks every match.\n`);
			}
			return ExitCode.ok;
		} finally {
			store.close();
		}
	},
};

export default searchCommand;
