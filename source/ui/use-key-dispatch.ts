/**
 * The one key dispatcher. Every key goes through the key table for the place
 * that has the keys now (quitting, a confirmation, help, the filter or search
 * line, else the focused pane), and the command it names is looked up in that
 * place's handlers, then the global ones. On a text line, keys that name no
 * handler edit the text.
 */
import {useCallback, useRef} from 'react';
import {useInput, type Key} from 'ink';
import {commandFor, keyOf, type Command, type CommandHandlers, type KeyScope, type Pane} from './keys.js';
import {paneOrder} from './layout.js';

export interface KeyRouting {
	/** Where keys go now; `quitting` takes only the quit keys. */
	place: () => KeyScope | 'quitting';
	handlers: Record<KeyScope, CommandHandlers>;
	/** Text lines: what a key that runs no handler does to the text. */
	editors: Partial<Record<KeyScope, (command: Command | undefined, input: string, key: Key) => void>>;
	/** Before a key reaches a pane: the last notice goes. */
	clearNotice: () => void;
	/** A handler that threw: shown as one line, the app goes on. */
	fail: (error: unknown) => void;
}

const isPane = (place: string): place is Pane => (paneOrder as readonly string[]).includes(place);

/** Route Ink's keys by `routing`; the latest routing is read when a key arrives, so the input handler never changes identity. */
export function useKeyDispatch(routing: KeyRouting): void {
	const latest = useRef(routing);
	latest.current = routing;
	const handleInput = useCallback((input: string, key: Key): void => {
		const {place, handlers, editors, clearNotice, fail} = latest.current;
		const where = place();
		// Over a slow link several keystrokes arrive in one read and Ink hands them over as one string;
		// outside a text line each is a key of its own.
		if (input.length > 1 && !key.ctrl && !key.meta && !(where !== 'quitting' && editors[where])) {
			for (const character of input) handleInput(character, keyOf(character));
			return;
		}
		// The quit binding's Ctrl-C works everywhere but in a confirmation, text lines included (where q types).
		const quits = commandFor(input, key, 'global') === 'quit';
		if (where === 'quitting') {
			if (quits) handlers.global.quit?.();
			return;
		}
		try {
			if (where !== 'confirm' && quits && key.ctrl) return handlers.global.quit?.();
			if (isPane(where)) clearNotice();
			const command = commandFor(input, key, where);
			const handler = command && (handlers[where][command] ?? handlers.global[command]);
			if (handler) handler();
			else editors[where]?.(command, input, key);
		} catch (error) {
			fail(error);
		}
	}, []);
	useInput(handleInput);
}
