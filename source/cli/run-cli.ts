/**
 * runCli: argv → exit code, for the bin and for tests. Global flags are
 * parsed up to the first positional; a positional in the registry is the
 * subcommand and gets the rest. Then the config is loaded and the run goes to
 * the subcommand, the demo, batch mode or the TUI (each imported lazily).
 * Nothing here ends the process; every error becomes `mj-tui: ...` + code.
 */
import {commands, commandEntries, type CommandEntry} from '../commands/index.js';
import path from 'node:path';
import type {Command, CommandContext, CommandIo} from '../commands/types.js';
import type {Config} from '../core/config/config.js';
import {didYouMean} from '../core/config/did-you-mean.js';
import {defaultsFor, loadConfig, recordFailedLoad, type LoadedConfig} from '../core/config/load.js';
import {ExitCode, MjError} from '../core/errors.js';
import {createLogger, logLevelOf} from '../core/log.js';
import {globalFlags, type FlagDefinitions} from '../args/flags.js';
import {parseArgv, unknownFlagError} from '../args/parse.js';
import {helpText} from './help.js';
import {parseRunOptions, type RunOptions} from './run-options.js';
import {reportError} from './report-error.js';
import {hasTerminal} from './interactive.js';
import {packageVersion} from './version.js';
import {interruptedExitCode} from './signals.js';
import {diskFullError, isDiskFull} from '../core/downloads/disk-full.js';
import {demoArchivePath} from '../demo.js';

export interface CliIo extends CommandIo {
	/** Aborted on SIGINT/SIGTERM by the bin; tests pass their own. */
	signal?: AbortSignal;
}

function unknownCommand(name: string): MjError {
	const names = commandEntries().map(([command]) => command);
	const guess = didYouMean(name, names);
	return new MjError(`Unknown command "${name}"${guess ? `; did you mean "${guess}"?` : ''} (commands: ${names.join(', ')})`, {
		exitCode: ExitCode.usage,
		hint: 'Run mj-tui --help for the commands and flags.',
	});
}

/** Parse argv and run; resolves with the exit code. Never throws, never exits the process. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
	// Until the config is loaded, --verbose on the command line is all we know.
	const state = {verbose: argv.includes('--verbose')};
	try {
		return await dispatch(argv, io, state);
	} catch (error) {
		return reportError(io.stderr, error, state);
	}
}

async function dispatch(argv: readonly string[], io: CliIo, state: {verbose: boolean}): Promise<number> {
	const top = parseArgv(argv, globalFlags, {stopAtPositional: true});
	if (top.unknown.length > 0) throw unknownFlagError(top.unknown, globalFlags, 'for mj-tui');
	let flags = top.flags;
	const commandName = top.positionals[0];
	let entry: CommandEntry | undefined;
	if (commandName !== undefined) {
		entry = Object.hasOwn(commands, commandName) ? commands[commandName] : undefined;
		if (!entry) throw unknownCommand(commandName);
	}
	if (!entry && flags.help === true) {
		io.stdout.write(`${helpText(packageVersion())}\n`);
		return ExitCode.ok;
	}
	if (!entry && flags.version === true) {
		io.stdout.write(`${packageVersion()}\n`);
		return ExitCode.ok;
	}

	// `mj-tui --help export` means the command's help.
	const commandArgv = entry && flags.help === true ? ['--help', ...top.rest] : top.rest;
	let command: Command | undefined;
	if (entry) {
		command = await entry.load();
		flags = {...flags, ...globalFlagsAfterCommand(commandName!, commandArgv, command)};
	}
	const run = parseRunOptions(flags, io.cwd);
	if (command && run.batch) {
		throw new MjError(`--batch and --urls run mj-tui itself; they do not combine with the ${commandName} command`, {exitCode: ExitCode.usage});
	}
	// With a subcommand, --demo means the demo's archive (an explicit --archive still wins).
	if (command && run.demo) run.configFlags.archive ??= demoArchivePath(io.cwd);
	state.verbose = flags.verbose === true;
	// The interactive app: load Ink and React while the config files are searched (first frame sooner).
	if (!command && !run.batch && !run.demo && hasTerminal(io)) {
		void import('../ui/run.js').then(ui => ui.preloadTui()).catch(() => undefined);
	}

	let loaded: LoadedConfig | undefined;
	let config: Config;
	try {
		loaded = await loadConfig({cwd: io.cwd, env: io.env, flags: run.configFlags, configFile: run.configFile});
		config = loaded.config;
	} catch (error) {
		if (!(entry?.toleratesBadConfig && error instanceof MjError && error.exitCode === ExitCode.config)) throw error;
		config = defaultsFor({cwd: io.cwd, env: io.env});
		recordFailedLoad(config, error);
	}
	state.verbose = config.verbose;
	const log = createLogger({stream: io.stderr, level: logLevelOf(config)});
	for (const warning of loaded?.warnings ?? []) log.warn(warning);
	const signal = io.signal ?? new AbortController().signal;

	if (command) return runCommand(command, {io, config, argv: commandArgv, signal});
	if (!run.batch) warnAboutBatchOnlyFlags(run, log);
	if (run.demo) {
		const {runDemo} = await import('../demo.js');
		return runDemo({loaded: loaded!, run, io, signal, log});
	}
	if (run.batch) {
		const {runBatch} = await import('../batch/run.js');
		return runBatch({config, run, io, signal, log});
	}
	const {runInteractive} = await import('./interactive.js');
	return runInteractive(config, io);
}

/**
 * Run a subcommand and turn the two faults every writing command can meet
 * into their own answers instead of "internal error": a signal that stopped
 * it (130/143, as batch mode) and a full disk (74, naming the disk).
 */
async function runCommand(command: Command, context: CommandContext): Promise<number> {
	try {
		return await command.run(context);
	} catch (error) {
		const interrupted = interruptedExitCode(context.signal);
		// An MjError the command chose (a full disk it named, a usage error) keeps its code; anything thrown by the abort is the interruption.
		if (interrupted !== undefined && !(error instanceof MjError)) {
			context.io.stderr.write(`mj-tui: ${command.name}: ${(context.signal.reason as Error).message}; what was finished is kept, run it again to continue\n`);
			return interrupted;
		}
		if (!(error instanceof MjError) && isDiskFull(error)) {
			throw diskFullError(diskOf(error, context.config.archive), error, {
				folder: 'the folder',
				stopped: `mj-tui ${command.name} stopped`,
				hint: 'Free some space there and run the command again; what it finished is kept, and no half-written file was left.',
			});
		}
		throw error;
	}
}

/** The folder a full-disk error was writing into (its `dest` or `path`), else the archive. */
function diskOf(error: unknown, archive: string): string {
	const {dest, path: written} = error as {dest?: unknown; path?: unknown};
	const file = typeof dest === 'string' ? dest : typeof written === 'string' ? written : undefined;
	return file ? path.dirname(file) : archive;
}

/**
 * Global flags typed after the subcommand (`mj-tui stats --archive x`,
 * `config show --json`), so they reach the config too. Only for a command
 * that declares its flags: then unknown flags are rejected here and the
 * names it defines stay its own (export's --format is not the download
 * format). A command without declared flags parses all of its argv itself.
 */
function globalFlagsAfterCommand(name: string, argv: readonly string[], command: Command): Record<string, unknown> {
	if (!command.flags) return {};
	const own: FlagDefinitions = command.flags;
	const definitions: FlagDefinitions = {...globalFlags, ...own};
	const parsed = parseArgv(argv, definitions);
	if (parsed.unknown.length > 0) throw unknownFlagError(parsed.unknown, definitions, `for mj-tui ${name}`);
	// --help and --version after a subcommand are the command's business.
	return Object.fromEntries(Object.entries(parsed.flags).filter(([flag]) => Object.hasOwn(globalFlags, flag) && !Object.hasOwn(own, flag) && flag !== 'help' && flag !== 'version'));
}

function warnAboutBatchOnlyFlags(run: RunOptions, log: {warn(message: string): void}): void {
	const ignored = [
		run.full && '--full',
		run.since !== undefined && '--since',
		run.until !== undefined && '--until',
		run.types.length > 0 && '--type',
		run.limit !== undefined && '--limit',
		!run.download && '--no-download',
	].filter(Boolean);
	if (ignored.length > 0) log.warn(`${ignored.join(', ')} only apply with --batch; the interactive app ignores them`);
}
