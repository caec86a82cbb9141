/**
 * One spinner tick for the whole screen. The timer runs only while something
 * is busy and nothing else redraws (a sync with no transfers): while transfers
 * run, the engine's 2.5 Hz snapshots already redraw, and the glyph follows the
 * clock, so the spinner costs no frames of its own. An idle app wakes up for nothing.
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

/** A spinner glyph: the frame for this instant, redrawn whenever the screen is (the shared tick or a snapshot). */
export function Spinner({color}: {color?: string}) {
	useContext(TickContext);
	return <Text color={color}>{frames[Math.floor(Date.now() / 120) % frames.length]}</Text>;
}
