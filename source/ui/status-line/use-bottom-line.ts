/**
 * What the bottom line says instead of key hints: a one-line notice (the
 * answer to the last key) or a question waiting for y/N.
 */
import {useCallback, useMemo, useState} from 'react';
import {errorLine} from '../error-line.js';
import type {CommandHandlers} from '../keys.js';
import {useSyncState} from '../use-sync-state.js';

export interface Notice {
	text: string;
	tone: 'info' | 'error';
}

export interface Confirmation {
	/** What is asked, without the thing it is about: `Cancel, keeping its partial file?`. */
	question: string;
	/** What it is about (a file name); shortened from the start to fit the line. */
	subject: string;
	run: () => void;
}

/** The notice and the open question, stable functions to set them, and the y/N keys' handlers. */
export function useBottomLine() {
	const [notice, setNotice] = useState<Notice | null>(null);
	const [confirmation, setConfirmation, confirmationRef] = useSyncState<Confirmation | null>(null);
	const info = useCallback((text: string) => setNotice({text, tone: 'info'}), []);
	const fail = useCallback((error: unknown) => setNotice({text: errorLine(error), tone: 'error'}), []);
	const clearNotice = useCallback(() => setNotice(null), []);
	const confirm = useCallback((question: string, subject: string, run: () => void) => setConfirmation({question, subject, run}), [setConfirmation]);
	/** Either answer closes the question; only yes runs it. */
	const confirmCommands = useMemo((): CommandHandlers => {
		const close = () => {
			const asked = confirmationRef.current;
			setConfirmation(null);
			return asked;
		};
		return {'confirm-yes': () => close()?.run(), 'confirm-no': close};
	}, [confirmationRef, setConfirmation]);
	return useMemo(
		() => ({notice, confirmation, confirmationRef, info, fail, clearNotice, confirm, confirmCommands}),
		[notice, confirmation, confirmationRef, info, fail, clearNotice, confirm, confirmCommands],
	);
}
