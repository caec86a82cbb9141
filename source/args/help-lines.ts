/**
 * Help text built from flag tables, for `mj-tui --help` (cli/help.ts) and each
 * subcommand's `--help`, so help cannot drift from what the parser accepts.
 */
import {flagToken, type FlagDefinitions} from './flags.js';

/** Aligned `  --flag <value>  description` lines. */
export function flagLines(definitions: FlagDefinitions, names: readonly string[] = Object.keys(definitions)): string[] {
	const left = names.map(name => {
		const definition = definitions[name]!;
		const token = name === 'download' ? '--no-download' : flagToken(name);
		const short = definition.shortFlag ? `-${definition.shortFlag}, ` : '';
		return `${short}${token}${definition.value ? ` ${definition.value}` : ''}`;
	});
	const width = Math.max(...left.map(text => text.length));
	return names.map((name, index) => `  ${left[index]!.padEnd(width)}  ${definitions[name]!.description}`);
}

/** `--help` text for a command: usage line(s), its own flags, and a pointer to the global ones. */
export function commandHelp(usage: readonly string[], own: FlagDefinitions): string {
	const lines = ['Usage', ...usage.map(line => `  ${line}`)];
	if (Object.keys(own).length > 0) lines.push('', 'Flags', ...flagLines(own));
	lines.push('', 'Global flags (--archive, --json, --config, --verbose, ...) work here too: mj-tui --help');
	return lines.join('\n');
}
