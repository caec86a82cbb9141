/**
 * Leaving the app: the first q stops transfers (keeping partials) and waits for
 * them; a second q or Ctrl-C while they stop leaves at once.
 */
import {useCallback} from 'react';
import {useApp} from 'ink';
import type {DownloadControls} from '../core/downloads/types.js';
import {useSyncState} from './use-sync-state.js';

/** `quitting` is true while transfers stop; `onQuit` hears whether the user forced the way out; `beforeStop` ends other work (a sync). */
export function useQuit(engine: DownloadControls, beforeStop: () => void, onQuit?: (forced: boolean) => void) {
	const {exit} = useApp();
	const [quitting, setQuitting, quittingRef] = useSyncState(false);
	const quit = useCallback(() => {
		if (quittingRef.current) {
			// Second request: leave now; mount.tsx stops the engine without waiting.
			onQuit?.(true);
			exit();
			return;
		}
		setQuitting(true);
		beforeStop();
		const leave = () => {
			onQuit?.(false);
			exit();
		};
		engine.stop().then(leave, leave);
	}, [quittingRef, setQuitting, beforeStop, engine, exit, onQuit]);
	return {quitting, quittingRef, quit};
}
