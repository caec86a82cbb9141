/**
 * A one-line text field's editing, as a pure function of the key pressed:
 * typing (and pastes) append, Backspace deletes, Ctrl-U clears, Ctrl-W deletes
 * a word. Pasted control characters are dropped.
 */
import type {Key} from 'ink';
import {toSingleLine} from '../../core/terminal-text.js';

/** The text after this key, or undefined when the key is not an edit. */
export function editLine(text: string, input: string, key: Key): string | undefined {
	if (key.backspace || key.delete) return text.slice(0, -1);
	if (key.ctrl && input === 'u') return '';
	if (key.ctrl && input === 'w') return text.replace(/\s*\S+\s*$/, '');
	if (key.ctrl || key.meta || key.escape || key.return || key.tab || key.upArrow || key.downArrow) return undefined;
	if (!input) return undefined;
	const typed = toSingleLine(input) || (input.includes(' ') ? ' ' : '');
	return typed ? text + typed : undefined;
}
