/**
 * One spinner tick for the whole screen. It runs only while something is busy
 * (sync, active transfers), so an idle app wakes up for nothing.
 */
import React, {createContext, useContext, useEffect, useState, type ReactNode} from 'react';
import {Text} from 'ink';

const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const TickContext = createContext(0);

/** Provide the tick; `active` starts and stops the timer. */
export function TickProvider({active, intervalMs = 120, children}: {active: boolean; intervalMs?: number; children: ReactNode}) {
	const [tick, setTick] = useState(0);
	useEffect(() => {
		if (!active) return;
		const timer = setInterval(() => setTick((value) => value + 1), intervalMs);
		return () => clearInterval(timer);
	}, [active, intervalMs]);
	return <TickContext.Provider value={tick}>{children}</TickContext.Provider>;
}

/** A spinner glyph driven by the shared tick. */
export function Spinner({color}: {color?: string}) {
	const tick = useContext(TickContext);
	return <Text color={color}>{frames[tick % frames.length]}</Text>;
}
