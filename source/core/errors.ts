/** Exit codes follow sysexits(3), so scripts and cron can tell failures apart. */
export const ExitCode = {
	ok: 0,
	/** Some items (files, pages) failed; the rest succeeded. */
	someFailed: 1,
	usage: 64,
	/** Malformed data from the service or on disk. */
	dataError: 65,
	/** An input file that does not exist or cannot be read. */
	noInput: 66,
	/** The service is unreachable or blocks us (Cloudflare challenge). */
	unavailable: 69,
	software: 70,
	ioError: 74,
	/** Try again later: another mj-tui is writing the archive. */
	tempFailure: 75,
	/** Authentication failed or expired; or no permission to read a file. */
	auth: 77,
	/** No permission (same code as auth: sysexits' EX_NOPERM). */
	noPermission: 77,
	config: 78,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * An error meant for the user: a message that says what and where, an
 * optional hint that says what to do, and the exit code it maps to.
 * Messages must never contain secrets; callers pass text through redact().
 */
export class MjError extends Error {
	readonly exitCode: ExitCodeValue;
	readonly hint?: string;

	constructor(message: string, options: {exitCode: ExitCodeValue; hint?: string; cause?: unknown}) {
		super(message, {cause: options.cause});
		this.name = 'MjError';
		this.exitCode = options.exitCode;
		this.hint = options.hint;
	}
}

/** The exit code for any thrown value: MjError's own, else 70 (internal error). */
export function exitCodeOf(error: unknown): ExitCodeValue {
	return error instanceof MjError ? error.exitCode : ExitCode.software;
}
