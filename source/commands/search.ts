/**
 * `mj-tui search <query> [--type --since --until --limit --json]`: full-text
 * search over the archive's prompts. Midjourney parameters filter: inside the
 * query (`"cat --ar 16:9"`) or as flags after it (`cat --ar 16:9 --v 7
 * --stylize '>250'`); any `--name` that is not one of search's own flags is
 * taken as a parameter filter.
 */
import type {FlagDefinitions} from '../args/flags.js';
import {defaultRankWindow} from '../core/archive/search.js';
import {ExitCode, MjError} from '../core/errors.js';
import {toSingleLine} from '../core/terminal-text.js';
import {filterFromFlags, openArchive, parseCommandArgs, parseCountFlag, selectionFlags, wantsJson, writeLine} from './shared.js';
import type {Command} from './types.js';

const searchFlags = {
	...selectionFlags,
	rankAll: {type: 'boolean', description: 'Rank every match, not only the newest 5,000'},
} as const satisfies FlagDefinitions;

const help = `Usage: mj-tui search <query> [flags]

Query: words, "phrases", prefix*, AND / OR / NOT, -word, type:<t> and
id:<prefix> filters, and Midjourney parameters as filters, inside the query
or as flags after it (the same language as the TUI and the HTML gallery):
  mj-tui search 'red car --ar 16:9'
  mj-tui search '"basalt cliff" OR fox -snow type:upscale'
  mj-tui search red car --ar 16:9 --v 7 --stylize '>250' --chaos 10..50
  mj-tui search 'lighthouse liked:yes'   (jobs you liked; liked:no the others)

Flags:
  --type <t>       job_type or event_type (repeat or comma-separate)
  --since <when>   2025-01-31, ISO time, or a duration ago (7d)
  --until <when>   same forms; a bare date includes that whole day
  --limit <n>      at most n results (default 50)
  --liked          only jobs you liked on the site (synced with --likes)
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
