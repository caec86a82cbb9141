/**
 * The logger for batch mode and subcommands. Every line leaves through
 * redact() and stripTerminalControls(), so neither a token nor a hostile
 * prompt's escape sequences can reach the terminal or a log file. Lines get a
 * UTC timestamp when the stream is not a terminal (cron mail, CI logs).
 */
import {redact} from './secrets.js';
import {stripTerminalControls} from './terminal-text.js';

export type LogLevel = 'quiet' | 'normal' | 'verbose';

export interface Logger {
	readonly level: LogLevel;
	/** Always shown. */
	error(message: string): void;
	/** Hidden by --quiet. */
	warn(message: string): void;
	/** Hidden by --quiet. */
	info(message: string): void;
	/** Only with --verbose. */
	verbose(message: string): void;
}

export interface LoggerOptions {
	stream: NodeJS.WritableStream & {isTTY?: boolean};
	level: LogLevel;
	/** Default: when the stream is not a terminal. */
	timestamps?: boolean;
	/** For tests. */
	now?: () => Date;
}

/** Text that is safe to print: secrets redacted, terminal control sequences removed. */
export function safeText(text: string): string {
	return stripTerminalControls(redact(text));
}

/** The level a config asks for (--quiet wins over nothing, --verbose over normal). */
export function logLevelOf(config: {quiet: boolean; verbose: boolean}): LogLevel {
	if (config.quiet) return 'quiet';
	return config.verbose ? 'verbose' : 'normal';
}

/** A logger writing whole lines to `stream`. */
export function createLogger(options: LoggerOptions): Logger {
	const {stream, level} = options;
	const timestamps = options.timestamps ?? !stream.isTTY;
	const now = options.now ?? (() => new Date());
	const write = (prefix: string, message: string): void => {
		const stamp = timestamps ? `${now().toISOString().replace(/\.\d{3}Z$/, 'Z')} ` : '';
		const lines = safeText(message).split('\n');
		stream.write(lines.map(line => `${stamp}${prefix}${line}`).join('\n') + '\n');
	};
	return {
		level,
		error(message) {
			write('error: ', message);
		},
		warn(message) {
			if (level !== 'quiet') write('warning: ', message);
		},
		info(message) {
			if (level !== 'quiet') write('', message);
		},
		verbose(message) {
			if (level === 'verbose') write('', message);
		},
	};
}
