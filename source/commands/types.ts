/**
 * CONTRACT of a subcommand. source/cli/run-cli.ts parses the global flags,
 * loads the config, then hands the remaining argv to the command, which
 * parses its own flags with parseCommandArgs() (commands/shared.ts), merged
 * with the global flag table so that `--archive`, `--json`, ... work after
 * the subcommand too.
 */
import type {Config} from '../core/config/config.js';

export interface CommandIo {
	stdout: NodeJS.WritableStream & {isTTY?: boolean; columns?: number};
	stderr: NodeJS.WritableStream & {isTTY?: boolean};
	stdin: NodeJS.ReadableStream;
	env: NodeJS.ProcessEnv;
	cwd: string;
}

export interface CommandContext {
	io: CommandIo;
	/** The merged config (defaults < files < env < global flags). */
	config: Config;
	/** argv after the subcommand name, unparsed (e.g. ['cats', '--limit', '5']). */
	argv: string[];
	/** Aborted on SIGINT/SIGTERM: long commands stop cleanly. */
	signal: AbortSignal;
}

export interface Command {
	name: string;
	/** One line for `mj-tui --help`. */
	summary: string;
	/**
	 * The command's own flags (camelCase names, see args/flags.ts). When given, runCli
	 * rejects unknown flags after the subcommand (exit 64) and applies global
	 * flags found there (`--archive`, `--json`, ...) to the config, except the
	 * names the command defines itself. parseCommandArgs() in commands/shared.ts
	 * parses both sets.
	 */
	flags?: Record<string, {type: 'string' | 'boolean'; isMultiple?: boolean; shortFlag?: string; value?: string; description: string}>;
	/** Resolves to the exit code. Throws MjError for user errors. */
	run(context: CommandContext): Promise<number>;
}
