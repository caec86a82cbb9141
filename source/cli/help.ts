/**
 * `mj-tui --help`, generated from the flag table and the subcommand registry
 * so it cannot drift from what the parser accepts.
 */
import {commandEntries} from '../commands/index.js';
import {globalFlags} from '../args/flags.js';
import {flagLines} from '../args/help-lines.js';

const groups: Array<{title: string; names: Array<keyof typeof globalFlags>}> = [
	{title: 'Mode', names: ['batch', 'demo', 'urls', 'download', 'json']},
	{title: 'Sync', names: ['full', 'likes', 'since', 'until', 'type', 'limit']},
	{title: 'Archive and downloads', names: ['archive', 'concurrency', 'limitRate', 'naming', 'format', 'embedMetadata', 'sidecars', 'setMtime', 'metricsFile']},
	{title: 'Service', names: ['apiBase', 'cdnBase', 'tokenBase', 'userId', 'retries', 'transport', 'browser']},
	{title: 'Interactive app', names: ['preview']},
	{title: 'General', names: ['config', 'verbose', 'quiet', 'version', 'help']},
];

/** The whole help text. */
export function helpText(version: string): string {
	const commands = commandEntries();
	const width = Math.max(...commands.map(([name]) => name.length));
	return [
		`mj-tui ${version}: a complete, searchable local archive of your Midjourney account`,
		'',
		'Usage',
		'  mj-tui [flags]                  interactive app (needs a terminal)',
		'  mj-tui --batch [flags]          sync, then download what is missing; no UI',
		'  mj-tui --demo [--batch]         try it against a built-in stand-in, no account',
		'  mj-tui <command> [args] [flags]',
		'',
		'Commands',
		...commands.map(([name, entry]) => `  ${name.padEnd(width)}  ${entry.summary}`),
		'',
		...groups.flatMap(group => [group.title, ...flagLines(globalFlags, group.names), '']),
		'Every config key can also be set in a config file (mj-tui config init writes one)',
		'or in the environment as MJ_TUI_<KEY>, e.g. MJ_TUI_TOKEN, MJ_TUI_LIMIT_RATE=2M.',
		'Order: defaults < ~/.config/mj-tui/ < project .mj-tuirc* < MJ_TUI_* < flags.',
		'',
		'Examples',
		'  npx mj-tui --demo',
		'  MJ_TUI_TOKEN=... mj-tui --batch --since 2025-01-01 --limit-rate 2M',
		'  mj-tui --batch --no-download --json',
		'  mj-tui config show',
		'',
		'Exit codes: 0 ok, 1 some files failed, 64 usage, 65 bad data, 69 service unavailable',
		'or Cloudflare, 70 internal, 74 I/O, 75 archive busy, 77 auth, 78 config, 130/143 interrupted.',
	].join('\n');
}
