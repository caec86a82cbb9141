/** Any thrown value as one safe line for the status line: no stack, no secrets, no escapes. */
import {MjError} from '../core/errors.js';
import {redact} from '../core/secrets.js';
import {toSingleLine} from '../core/terminal-text.js';

export function errorLine(error: unknown): string {
	const message = error instanceof Error ? error.message : String(error);
	const hint = error instanceof MjError && error.hint ? ` (${error.hint})` : '';
	return toSingleLine(redact(message + hint)) || 'unknown error';
}

/** Any thrown value as text to read in full (the message box): the message, then its hint as a paragraph; no secrets, no escapes. */
export function errorText(error: unknown): string {
	const message = error instanceof Error ? error.message : String(error);
	return messageText(message, error instanceof MjError ? error.hint : undefined);
}

/** A message and its hint as paragraphs, each stripped of secrets and terminal controls. */
export function messageText(message: string, hint?: string): string {
	return [message, hint].filter(Boolean).map((part) => toSingleLine(redact(part!))).join('\n\n') || 'unknown error';
}
