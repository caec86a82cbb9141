/** A fixed-width progress bar drawn with block characters (readable without colour). */
import React from 'react';
import {Text} from 'ink';

export function progressCells(fraction: number, width: number): {filled: string; empty: string} {
	const clamped = Math.max(0, Math.min(1, Number.isFinite(fraction) ? fraction : 0));
	const filled = Math.round(clamped * width);
	return {filled: '█'.repeat(filled), empty: '░'.repeat(width - filled)};
}

export function ProgressBar({fraction, width, color}: {fraction: number; width: number; color?: string}) {
	const cells = progressCells(fraction, width);
	return (
		<Text>
			<Text color={color}>{cells.filled}</Text>
			<Text dimColor>{cells.empty}</Text>
		</Text>
	);
}
