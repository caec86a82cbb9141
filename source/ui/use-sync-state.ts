/**
 * State that key handlers can read back at once. Keys can arrive faster than
 * React re-renders (a paste, a held key, tmux send-keys); a handler that read
 * the last render's state would act on a stale mode, e.g. type into the table
 * instead of the search line it just opened. These hooks keep a ref that is
 * updated synchronously with every change, next to the state that renders.
 */
import {useCallback, useRef, useState, type MutableRefObject} from 'react';

/** Like useReducer, plus a ref holding the latest state; unchanged results skip the re-render. `initial` may be a function, called once on mount. */
export function useSyncReducer<S, A>(reducer: (state: S, action: A) => S, initial: S | (() => S)): [S, (action: A) => void, MutableRefObject<S>] {
	const [state, setState] = useState(initial);
	const ref = useRef(state);
	const dispatch = useCallback(
		(action: A) => {
			const next = reducer(ref.current, action);
			if (next !== ref.current) {
				ref.current = next;
				setState(next);
			}
		},
		[reducer],
	);
	return [state, dispatch, ref];
}

/** Like useState, plus a ref holding the latest value. */
export function useSyncState<T>(initial: T): [T, (next: T | ((previous: T) => T)) => void, MutableRefObject<T>] {
	const [value, setValue] = useState(initial);
	const ref = useRef(value);
	const set = useCallback((next: T | ((previous: T) => T)) => {
		const resolved = typeof next === 'function' ? (next as (previous: T) => T)(ref.current) : next;
		if (Object.is(resolved, ref.current)) return;
		ref.current = resolved;
		setValue(resolved);
	}, []);
	return [value, set, ref];
}
