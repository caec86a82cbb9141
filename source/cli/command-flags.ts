/**
 * Parsing a subcommand's argv: its own flags merged with the global ones, so
 * `mj-tui search cats --archive x --json` works. Never exits the process:
 * unknown flags are MjError(64) naming the command.
 */
import {parseFlags, scanArgv, tokensOf, unknownFlagError} from './argv.js';
import {globalFlags, type FlagDefinitions} from './flags.js';
import {flagLines} from './help.js';

export interface ParsedCommandArgv {
	/** Own and global flags by camelCase name; absent when not given (no defaults applied). */
	flags: Record<string, unknown>;
	/** Positional arguments, e.g. the search words. */
	input: string[];
}

/** Parse argv after `mj-tui <command>` against the command's flags plus the global ones. */
export function parseCommandArgv(command: string, argv: readonly string[], own: FlagDefinitions): ParsedCommandArgv {
	const definitions: FlagDefinitions = {...globalFlags, ...own};
	const scan = scanArgv(argv, definitions);
	if (scan.unknown.length > 0) throw unknownFlagError(scan.unknown, definitions, `for mj-tui ${command}`);
	return {flags: parseFlags(tokensOf(scan.flags), definitions), input: scan.positionals};
}

/** `--help` text for a command: usage line(s), its own flags, and a pointer to the global ones. */
export function commandHelp(usage: readonly string[], own: FlagDefinitions): string {
	const lines = ['Usage', ...usage.map(line => `  ${line}`)];
	if (Object.keys(own).length > 0) lines.push('', 'Flags', ...flagLines(own));
	lines.push('', 'Global flags (--archive, --json, --config, --verbose, ...) work here too: mj-tui --help');
	return lines.join('\n');
}
