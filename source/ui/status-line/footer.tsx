/** The footer: the focused pane's key hints from the key table, or a prompt/notice in their place. */
import React from 'react';
import {Text} from 'ink';
import {hintsFor, type KeyScope} from '../keys.js';
import type {Theme} from '../theme.js';

/** Hints as `key word` pairs, as many as fit in `width`. */
export function footerText(scope: KeyScope, width: number): string {
	let text = '';
	for (const {label, hint} of hintsFor(scope)) {
		const piece = `${text ? '  ' : ''}${label} ${hint}`;
		if (text.length + piece.length > width) break;
		text += piece;
	}
	return text;
}

export function Footer({scope, width, theme}: {scope: KeyScope; width: number; theme: Theme}) {
	return (
		<Text color={theme.muted} wrap="truncate-end">
			{footerText(scope, width)}
		</Text>
	);
}
