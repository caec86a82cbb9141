/**
 * The global flags, defined once: the parser (parse.ts), `--help` and the
 * config layer all read this table. Subcommands merge these with their own
 * (commands/shared.ts) so `--archive` or `--json` work after the subcommand
 * too. Value flags are all strings here: the config key table
 * parses and range-checks them, so a flag and a config file say the same
 * thing about the same mistake.
 */
import type {ConfigKey} from '../core/config/keys.js';

/** One flag: its type, whether it repeats, and what help shows for it. */
export interface FlagDefinition {
	type: 'string' | 'boolean';
	isMultiple?: boolean;
	shortFlag?: string;
	/** Placeholder shown in help, e.g. `<dir>`. */
	value?: string;
	/** One line for --help. */
	description: string;
	/** The config key the flag sets, when it is one. */
	configKey?: ConfigKey;
}

export type FlagDefinitions = Record<string, FlagDefinition>;

export const globalFlags = {
	archive: {type: 'string', value: '<dir>', configKey: 'archive', description: 'Archive folder (default ./mj-archive)'},
	batch: {type: 'boolean', description: 'Run headless: sync, then download what is missing'},
	download: {type: 'boolean', description: 'Sync only; download nothing'},
	json: {type: 'boolean', configKey: 'json', description: 'Print a JSON summary as the last line of stdout'},
	demo: {type: 'boolean', description: 'Run against a built-in stand-in of Midjourney (no account needed); with a subcommand, use the demo\'s archive'},
	full: {type: 'boolean', description: 'Re-walk the whole listing instead of stopping at archived jobs'},
	since: {type: 'string', value: '<date>', description: 'Only jobs enqueued on or after this date (2025-01-01)'},
	until: {type: 'string', value: '<date>', description: 'Only jobs enqueued on or before this date (whole day)'},
	type: {type: 'string', isMultiple: true, value: '<type>', description: 'Only jobs of this job_type or event_type (repeatable)'},
	limit: {type: 'string', value: '<n>', description: 'Stop the sync after this many jobs'},
	urls: {type: 'string', value: '<file>', description: 'Download the URLs in this file (one a line) instead of syncing; implies --batch'},
	concurrency: {type: 'string', value: '<n>', configKey: 'concurrency', description: 'Downloads in flight at once (1-64)'},
	limitRate: {type: 'string', value: '<size>', configKey: 'limitRate', description: 'Bandwidth cap per second, e.g. 2M, 512k (0 = none)'},
	naming: {type: 'string', value: '<template>', configKey: 'naming', description: 'File naming template, must contain {ext}'},
	format: {type: 'string', value: 'png|webp', configKey: 'format', description: 'Rendition to download'},
	embedMetadata: {type: 'boolean', configKey: 'embedMetadata', description: 'Write the prompt and job id into each downloaded PNG'},
	likes: {type: 'boolean', configKey: 'likes', description: 'Also archive the jobs you liked (other people\'s too), marked liked'},
	sidecars: {type: 'boolean', configKey: 'sidecars', description: 'Write an <image>.xmp sidecar beside each downloaded file'},
	setMtime: {type: 'boolean', configKey: 'setMtime', description: "Set downloaded files' mtime to the job's enqueue time (default on)"},
	metricsFile: {type: 'string', value: '<file>', configKey: 'metricsFile', description: 'Write Prometheus textfile metrics after a batch run'},
	apiBase: {type: 'string', value: '<url>', configKey: 'apiBase', description: 'Midjourney web API base URL'},
	cdnBase: {type: 'string', value: '<url>', configKey: 'cdnBase', description: 'Image CDN base URL'},
	tokenBase: {type: 'string', value: '<url>', configKey: 'tokenBase', description: 'Token refresh endpoint base URL'},
	transport: {type: 'string', value: 'direct|browser', configKey: 'transport', description: 'How API requests travel: browser runs them inside Chrome/Chromium (past Cloudflare)'},
	browser: {type: 'string', value: '<path>', configKey: 'browser', description: 'Chrome/Chromium executable (default: found on PATH)'},
	userId: {type: 'string', value: '<id>', configKey: 'userId', description: "Account id (default: from the token's midjourney_id claim)"},
	retries: {type: 'string', value: '<n>', configKey: 'retries', description: 'Retries of one request before it fails (0-20)'},
	preview: {type: 'string', value: 'auto|kitty|iterm|sixel|blocks|off', configKey: 'preview', description: 'How the interactive app shows pictures (auto asks the terminal)'},
	config: {type: 'string', value: '<file>', description: 'Read this config file instead of searching for one'},
	verbose: {type: 'boolean', configKey: 'verbose', description: 'More detail; error stack traces'},
	quiet: {type: 'boolean', configKey: 'quiet', description: 'Only errors'},
	version: {type: 'boolean', description: 'Print the version'},
	help: {type: 'boolean', shortFlag: 'h', description: 'Print this help'},
} as const satisfies FlagDefinitions;

export type GlobalFlagName = keyof typeof globalFlags;

/** `limitRate` → `--limit-rate`. */
export function flagToken(name: string): string {
	return `--${name.replace(/[A-Z]/g, letter => `-${letter.toLowerCase()}`)}`;
}

/** `limit-rate` → `limitRate`. */
export function camelCase(name: string): string {
	return name.replace(/-([a-z\d])/g, (_, letter: string) => letter.toUpperCase());
}
