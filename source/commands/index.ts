/**
 * The subcommand registry: name → one-line summary and a lazy import, so
 * `mj-tui --help` and startup load no command code, and batch mode never
 * loads a command's dependencies. Add one entry per command (kept sorted).
 */
import type {Command} from './types.js';

export interface CommandEntry {
	/** One line for `mj-tui --help` (same words as the Command's own summary). */
	summary: string;
	load(): Promise<Command>;
	/**
	 * Still run when the config files are invalid (config init must be able
	 * to replace a broken file); the command gets the defaults plus flags and
	 * can ask configProvenance() what went wrong.
	 */
	toleratesBadConfig?: boolean;
}

export const commands: Record<string, CommandEntry> = {
	clean: {summary: 'Remove stale partial downloads and temp files of interrupted commands (--parts, --temps, --older-than 7d), and report the space reclaimed', load: async () => (await import('./clean.js')).cleanCommand},
	config: {
		summary: 'config show: the merged config and where each value came from; config init: write a starter file',
		load: async () => (await import('./config.js')).configCommand,
		toleratesBadConfig: true,
	},
	doctor: {
		summary: 'Check config, credentials, token refresh, the API (direct and browser route), a listing page, a CDN file, disk and archive',
		load: async () => (await import('./doctor.js')).doctorCommand,
		// It reports a broken config as its first finding instead of refusing to run.
		toleratesBadConfig: true,
	},
	embed: {summary: 'Write the full command and job id into every archived PNG (Description text + XMP)', load: async () => (await import('./embed.js')).embedCommand},
	export: {summary: 'Export jobs and images: csv, json, jsonl, an HTML gallery, or an image+caption dataset', load: async () => (await import('./export.js')).exportCommand},
	import: {summary: 'Index images already on disk by their metadata, or ingest /api/imagine responses saved from the browser', load: async () => (await import('./import.js')).importCommand},
	login: {summary: 'Sign in through a real browser (or one you run, --cdp) and keep the session cookies for later runs', load: async () => (await import('./login.js')).loginCommand},
	mcp: {summary: 'Serve the archive read-only to AI assistants over the Model Context Protocol (stdio)', load: async () => (await import('./mcp.js')).mcpCommand},
	search: {summary: 'Search archived prompts: words, "phrases", prefix*, AND/OR/NOT, --ar/--v/--stylize filters', load: async () => (await import('./search.js')).searchCommand},
	similar: {summary: 'List the archived images most like a job\'s (or any image file), nearest first, by perceptual hash', load: async () => (await import('./similar.js')).similarCommand},
	sidecars: {summary: 'Write an XMP sidecar beside every downloaded file and set file times to when each job was made', load: async () => (await import('./sidecars.js')).sidecarsCommand},
	stats: {summary: 'Archive statistics: by month, type and model version, top parameters and words, size, completeness', load: async () => (await import('./stats.js')).statsCommand},
	tree: {summary: 'A job\'s whole family as a tree: ancestors up to the root grid, every variation, upscale, pan and video made from them', load: async () => (await import('./tree.js')).treeCommand},
	verify: {summary: 'Re-hash archived files; report missing, corrupt, orphaned files, stale partials and temps (--repair re-downloads)', load: async () => (await import('./verify.js')).verifyCommand},
};

/** Registered commands, sorted by name. */
export function commandEntries(): Array<[string, CommandEntry]> {
	return Object.entries(commands).sort(([a], [b]) => a.localeCompare(b));
}
