/**
 * A one-line text field's editing, as a pure function of the key pressed.
 * The editing keys (Backspace, Ctrl-W, Ctrl-U) are commands of the key table,
 * so `?` lists them; every other key types (pastes too), minus control
 * characters.
 */
import type {Key} from 'ink';
import {stripTerminalControls} from '../../core/terminal-text.js';
import type {Command} from '../keys.js';

const edits: Partial<Record<Command, (text: string) => string>> = {
	'delete-char': (text) => text.slice(0, -1),
	'delete-word': (text) => text.replace(/\s*\S+\s*$/, ''),
	'clear-line': () => '',
};

/** The text after this key (`command` is what the key table made of it), or undefined when the key changes nothing. */
export function editLine(text: string, command: Command | undefined, input: string, key: Key): string | undefined {
	if (command) return edits[command]?.(text);
	if (key.ctrl || key.meta || key.escape || key.return || key.tab || key.upArrow || key.downArrow) return undefined;
	if (!input) return undefined;
	// A paste arrives as one input: its spaces (and line breaks, as spaces) stay where they were, so words stay apart.
	const typed = stripTerminalControls(input.replace(/\s+/g, ' '));
	return typed ? text + typed : undefined;
}
