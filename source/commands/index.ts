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
	config: {
		summary: 'config show: the merged config and where each value came from; config init: write a starter file',
		load: async () => (await import('./config.js')).configCommand,
		toleratesBadConfig: true,
	},
};

/** Registered commands, sorted by name. */
export function commandEntries(): Array<[string, CommandEntry]> {
	return Object.entries(commands).sort(([a], [b]) => a.localeCompare(b));
}
