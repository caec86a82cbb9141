/**
 * Starting the Ink app. Loaded lazily by runCli and the demo, so batch mode
 * and subcommands never load Ink or React.
 */
import type {Config} from '../core/config/config.js';
import {ExitCode, MjError} from '../core/errors.js';
import type {CommandIo} from '../commands/types.js';

/** True when both stdin and stdout are terminals, as the interactive app needs. */
export function hasTerminal(io: CommandIo): boolean {
	return Boolean((io.stdin as {isTTY?: boolean}).isTTY && io.stdout.isTTY);
}

/** Run the TUI on `io`; a usage error when stdin or stdout is not a terminal. */
export async function runInteractive(config: Config, io: CommandIo): Promise<number> {
	if (!hasTerminal(io)) {
		throw new MjError('The interactive app needs a terminal on stdin and stdout', {
			exitCode: ExitCode.usage,
			hint: 'Use --batch for scripts, cron and pipes (add --json for a machine-readable summary).',
		});
	}
	const {runTui} = await import('../ui/run.js');
	return runTui({config, stdin: io.stdin as NodeJS.ReadStream, stdout: io.stdout as NodeJS.WriteStream});
}
