/**
 * The engine's snapshots as a plain external store for useSyncExternalStore.
 * The engine may call back often; the UI re-renders at most once per flush
 * interval (2.5 Hz), never once per downloaded chunk. Each redraw costs Ink
 * 10-20 ms at 200x60 whatever changed: with 16 transfers, 10 Hz took over a
 * third of a core, and going from 4 to 2.5 Hz (with the jobs table re-read
 * every 2 s instead of 1 s) took bench:tui's figure from 34-36 % to 21-23 %
 * in back-to-back runs. User actions still show at once through refresh().
 */
import {useEffect, useMemo, useSyncExternalStore} from 'react';
import type {DownloadControls, EngineSnapshot} from '../core/downloads/types.js';

export interface EngineStore {
	getSnapshot(): EngineSnapshot;
	subscribe(listener: () => void): () => void;
	/** Take a snapshot now (after a user action, so a pause shows at once). */
	refresh(): void;
	dispose(): void;
}

/** Wrap an engine; `flushMs` bounds how often subscribers hear about changes. */
export function createEngineStore(engine: Pick<DownloadControls, 'snapshot' | 'subscribe'>, flushMs = 400): EngineStore {
	let current = engine.snapshot();
	let pending: EngineSnapshot | undefined;
	let timer: NodeJS.Timeout | undefined;
	const listeners = new Set<() => void>();

	const flush = () => {
		timer = undefined;
		if (!pending) return;
		current = pending;
		pending = undefined;
		for (const listener of listeners) listener();
	};

	const unsubscribe = engine.subscribe((snapshot) => {
		pending = snapshot;
		timer ??= setTimeout(flush, flushMs);
	});

	return {
		getSnapshot: () => current,
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		refresh() {
			pending = engine.snapshot();
			if (timer) clearTimeout(timer);
			flush();
		},
		dispose() {
			unsubscribe();
			if (timer) clearTimeout(timer);
			timer = undefined;
			listeners.clear();
		},
	};
}

/** The engine's latest flushed snapshot for a component, and `refresh` to take one at once. */
export function useEngineSnapshot(engine: Pick<DownloadControls, 'snapshot' | 'subscribe'>) {
	const store = useMemo(() => createEngineStore(engine), [engine]);
	useEffect(() => () => store.dispose(), [store]);
	const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot);
	return {snapshot, refresh: store.refresh};
}
