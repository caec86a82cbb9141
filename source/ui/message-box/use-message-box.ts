/**
 * The message box's state: a message too long for one line (a sync that
 * failed for want of a token, downloads stopped by the CDN) opens it by
 * itself once; `!` opens the last one again. Scrolling is by lines of the
 * wrapped text, clamped when drawn.
 */
import {useEffect, useMemo, useRef} from 'react';
import type {CommandHandlers} from '../keys.js';
import {useSyncState} from '../use-sync-state.js';
import {wrapWords} from '../wrap-text.js';

export interface Message {
	title: string;
	/** The whole text; paragraphs separated by blank lines. */
	text: string;
}

export interface MessageBoxState {
	message: Message;
	/** First wrapped line shown. */
	top: number;
}

/** The message's lines in a box `width` wide (border and padding take four columns). */
export function messageLines(text: string, width: number): string[] {
	return wrapWords(text, Math.max(10, width - 4));
}

/** Longer than this many cells, a message opens the box rather than living in the status line alone. */
export function needsBox(text: string, width: number): boolean {
	return text.length > width - 20 || text.includes('\n');
}

/** Opens for each new `latest` message that needs it; `info` answers `!` when there is nothing to show. */
/** `width` is the box's, `pageHeight` its lines of text. */
export function useMessageBox(latest: Message | undefined, width: number, pageHeight: number, info: (text: string) => void) {
	const [box, setBox, boxRef] = useSyncState<MessageBoxState | null>(null);
	const last = useRef<Message | undefined>(undefined);
	useEffect(() => {
		if (!latest || latest.text === last.current?.text) return;
		last.current = latest;
		if (needsBox(latest.text, width)) setBox({message: latest, top: 0});
	}, [latest, width, setBox]);

	return useMemo(() => {
		const scroll = (delta: number) => () => {
			const open = boxRef.current;
			if (!open) return;
			const last = Math.max(0, messageLines(open.message.text, width).length - pageHeight);
			const top = Math.max(0, Math.min(last, open.top + delta));
			if (top !== open.top) setBox({...open, top});
		};
		/** Keys while the box is open. */
		const commands: CommandHandlers = {
			'message-down': scroll(1),
			'message-up': scroll(-1),
			'message-page-down': scroll(Math.max(1, pageHeight - 1)),
			'message-page-up': scroll(-Math.max(1, pageHeight - 1)),
			'message-close': () => setBox(null),
		};
		/** `!` anywhere: the last message again. */
		const show = () => (last.current ? setBox({message: last.current, top: 0}) : info('no message to show'));
		return {box, boxRef, commands, show};
	}, [box, boxRef, setBox, width, pageHeight, info]);
}
