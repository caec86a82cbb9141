/**
 * The one place an error reaches the user: `mj-tui: <message>` plus the hint,
 * redacted and stripped of terminal controls; the stack only with --verbose.
 */
import {ExitCode, MjError, exitCodeOf, type ExitCodeValue} from '../core/errors.js';
import {safeText} from '../core/log.js';

/** Print `error` to `stream` and return its exit code. */
export function reportError(stream: NodeJS.WritableStream, error: unknown, options: {verbose: boolean}): ExitCodeValue {
	const code = exitCodeOf(error);
	const message = error instanceof Error ? error.message : String(error);
	const lines = [`mj-tui: ${code === ExitCode.software && !(error instanceof MjError) ? `internal error: ${message}` : message}`];
	if (error instanceof MjError && error.hint) lines.push(`  hint: ${error.hint}`);
	if (options.verbose) {
		if (error instanceof Error && error.stack) lines.push(error.stack);
		let cause = error instanceof Error ? error.cause : undefined;
		while (cause) {
			lines.push(`caused by: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`);
			cause = cause instanceof Error ? cause.cause : undefined;
		}
	} else if (!(error instanceof MjError)) {
		lines.push('  hint: run again with --verbose for the details, and report it if it persists');
	}
	stream.write(`${safeText(lines.join('\n'))}\n`);
	return code;
}
