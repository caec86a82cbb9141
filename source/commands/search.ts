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
import {parseArgs, type ParseArgsConfig} from 'node:util';
import {ArchiveStore} from '../core/archive/store.js';
import type {Config} from '../core/config.js';
import {ExitCode, MjError} from '../core/errors.js';
import type {JobFilter} from '../core/job.js';
import {toSingleLine} from '../core/terminal-text.js';
import {parseDuration} from '../core/units.js';
import type {Command, CommandContext} from './types.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Flags every archive tool accepts (also global ones, so they work after the subcommand). */
export const archiveFlags = {
	archive: {type: 'string'},
	json: {type: 'boolean'},
	help: {type: 'boolean', short: 'h'},
} as const satisfies Options;

/** Flags that select jobs: shared by search, export and stats. */
export const selectionFlags = {
	type: {type: 'string', multiple: true},
	since: {type: 'string'},
	until: {type: 'string'},
	limit: {type: 'string'},
} as const satisfies Options;

/**
 * Parse a command's argv strictly; errors become MjError (exit 64) naming the
 * command. With `parametersToQuery`, unknown `--name [value...]` runs are
 * returned as query text instead of failing (Midjourney parameter filters).
 */
export function parseCommandArgs<T extends Options>(command: string, argv: string[], options: T, parametersToQuery = false) {
	const own = new Set(Object.keys(options).flatMap(name => [name, ...(options[name]!.short ? [options[name]!.short!] : [])]));
	const kept: string[] = [];
	const query: string[] = [];
	if (parametersToQuery) {
		for (let i = 0; i < argv.length; i++) {
			const arg = argv[i]!;
			const name = /^--?([^=]+)/.exec(arg)?.[1];
			if (arg === '--') {
				query.push(...argv.slice(i + 1));
				break;
			}
			if (name !== undefined && own.has(name)) {
				kept.push(arg);
				if (options[name]?.type === 'string' && !arg.includes('=') && i + 1 < argv.length) kept.push(argv[++i]!);
			} else {
				// Parameters and their values (`--ar 16:9`) stay in order; the store's query parser reads them.
				query.push(arg);
			}
		}
	} else {
		kept.push(...argv);
	}
	try {
		const parsed = parseArgs({args: kept, options, allowPositionals: true, strict: true});
		return {values: parsed.values, positionals: [...parsed.positionals, ...query]};
	} catch (error) {
		throw new MjError(`mj-tui ${command}: ${(error as Error).message}`, {exitCode: ExitCode.usage, hint: `Run mj-tui ${command} --help for its flags.`});
	}
}

/** `2025-01-31`, any ISO 8601 time, or a duration ago (`7d`, `12h`) → epoch ms. */
export function parseTimeFlag(flag: string, value: string, now = Date.now()): number {
	const ago = parseDuration(value);
	if (ago !== undefined) return now - ago;
	const parsed = /^\d{4}-\d{2}(-\d{2})?$/.test(value) ? Date.parse(value.length === 7 ? `${value}-01T00:00:00Z` : `${value}T00:00:00Z`) : Date.parse(value);
	if (Number.isNaN(parsed)) {
		throw new MjError(`--${flag} ${JSON.stringify(value)}: not a date or a duration`, {exitCode: ExitCode.usage, hint: 'Use 2025-01-31, 2025-01-31T12:00:00Z, or a duration ago like 7d or 12h.'});
	}
	return parsed;
}

/** A positive whole number from a flag, or undefined when absent. */
export function parseCountFlag(flag: string, value: string | undefined): number | undefined {
	if (value === undefined) return undefined;
	if (!/^\d+$/.test(value) || Number(value) < 1) throw new MjError(`--${flag} ${JSON.stringify(value)}: expected a whole number >= 1`, {exitCode: ExitCode.usage});
	return Number(value);
}

/** The JobFilter described by --type, --since and --until. */
export function filterFromFlags(values: {type?: string[]; since?: string; until?: string}): JobFilter {
	const filter: JobFilter = {};
	const types = (values.type ?? []).flatMap(type => type.split(',')).map(type => type.trim()).filter(Boolean);
	if (types.length > 0) filter.types = types;
	if (values.since !== undefined) filter.since = parseTimeFlag('since', values.since);
	if (values.until !== undefined) filter.until = parseTimeFlag('until', values.until);
	return filter;
}

/** Open the archive the config (or --archive) points at; refuses a folder that holds none. */
export function openArchive(context: CommandContext, archiveFlag: string | undefined, options: {readonly?: boolean} = {}): ArchiveStore {
	const dir = path.resolve(context.io.cwd, archiveFlag ?? context.config.archive);
	if (!existsSync(path.join(dir, 'archive.db'))) {
		throw new MjError(`no archive at ${dir} (archive.db not found)`, {exitCode: ExitCode.config, hint: 'Run mj-tui (or mj-tui --batch) to sync first, or pass --archive <folder>.'});
	}
	return ArchiveStore.open(dir, options);
}

/** Write one line to stdout, waiting when the pipe is full. */
export async function writeLine(context: CommandContext, line: string): Promise<void> {
	if (!context.io.stdout.write(`${line}\n`)) await new Promise(resolve => context.io.stdout.once('drain', resolve));
}

/** Whether --json or the config asks for JSON output. */
export function wantsJson(config: Config, flag: boolean | undefined): boolean {
	return flag ?? config.json;
}

const help = `Usage: mj-tui search <query> [flags]

Query: words, "phrases", prefix*, AND / OR / NOT, -word, and Midjourney
parameters as filters, inside the query or as flags after it:
  mj-tui search 'red car --ar 16:9'
  mj-tui search red car --ar 16:9 --v 7 --stylize '>250' --chaos 10..50

Flags:
  --type <t>       job_type or event_type (repeat or comma-separate)
  --since <when>   2025-01-31, ISO time, or a duration ago (7d)
  --until <when>   exclusive upper bound, same forms
  --limit <n>      at most n results (default 50)
  --json           one JSON object per line
  --archive <dir>  the archive folder`;

function day(epochMs: number): string {
	return new Date(epochMs).toISOString().slice(0, 10);
}

export const searchCommand: Command = {
	name: 'search',
	summary: 'Search archived prompts (FTS5 words, phrases, prefix*, AND/OR/NOT, --ar/--v/--stylize filters)',
	async run(context) {
		const {values, positionals} = parseCommandArgs('search', context.argv, {...archiveFlags, ...selectionFlags}, true);
		if (values.help) {
			await writeLine(context, help);
			return ExitCode.ok;
		}
		const query = positionals.join(' ').trim();
		if (!query) throw new MjError('mj-tui search: no query given', {exitCode: ExitCode.usage, hint: 'e.g. mj-tui search "red car" --ar 16:9'});
		const limit = parseCountFlag('limit', values.limit) ?? 50;
		const filter = filterFromFlags(values);
		const store = openArchive(context, values.archive, {readonly: true});
		try {
			const hits = store.search(query, {filter, limit});
			if (wantsJson(context.config, values.json)) {
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
			return ExitCode.ok;
		} finally {
			store.close();
		}
	},
};

export default searchCommand;
