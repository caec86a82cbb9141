/** Any thrown value as one safe line for the status line: no stack, no secrets, no escapes. */
import {MjError} from '../core/errors.js';
import {redact} from '../core/secrets.js';
import {toSingleLine} from '../core/terminal-text.js';

export function errorLine(error: unknown): string {
	const message = error instanceof Error ? error.message : String(error);
	const hint = error instanceof MjError && error.hint ? ` (${error.hint})` : '';
	return toSingleLine(redact(message + hint)) || 'unknown error';
}
