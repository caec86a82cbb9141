/**
 * A message read in full: a bordered box over the panes with the wrapped
 * text, scrolled by the message keys, and how to move and close it at the
 * bottom (from the key table).
 */
import React from 'react';
import {Box, Text} from 'ink';
import {hintsFor} from '../keys.js';
import {fitEnd} from '../text-fit.js';
import type {Theme} from '../theme.js';
import {messageLines, type MessageBoxState} from './use-message-box.js';

/** Lines of text the box shows at `height` (border, title and key line take four). */
export function messageBodyHeight(height: number): number {
	return Math.max(1, height - 4);
}

const keysLine = hintsFor('message')
	.map((hint) => `${hint.label} ${hint.hint}`)
	.join(' · ');

export function MessageBox({box, width, height, theme}: {box: MessageBoxState; width: number; height: number; theme: Theme}) {
	const inner = Math.max(10, width - 4);
	const lines = messageLines(box.message.text, width);
	const body = messageBodyHeight(height);
	const top = Math.min(box.top, Math.max(0, lines.length - body));
	const shown = lines.slice(top, top + body);
	const position = lines.length > body ? `${top + 1}–${top + shown.length} of ${lines.length} lines · ` : '';
	return (
		<Box flexDirection="column" width={width} height={height} borderStyle="round" borderColor={theme.error} paddingX={1}>
			<Text bold color={theme.error} wrap="truncate-end">
				{fitEnd(box.message.title, inner)}
			</Text>
			<Box flexDirection="column" height={body}>
				{shown.map((line, index) => (
					<Text key={top + index}>{line || ' '}</Text>
				))}
			</Box>
			<Text color={theme.muted} wrap="truncate-end">
				{fitEnd(`${position}${keysLine}`, inner)}
			</Text>
		</Box>
	);
}
