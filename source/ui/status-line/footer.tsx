/** The footer: the focused pane's key hints from the key table, or a prompt/notice in their place. */
import React from 'react';
import {Text} from 'ink';
import {hintsFor, type KeyScope} from '../keys.js';
import type {Theme} from '../theme.js';

/** Hints kept whatever the width: how to learn the other keys, and how to leave. */
const pinned = new Set(['help', 'quit']);

/** Hints as `key word` pairs, as many as fit in `width`; `? help` and `q quit` always end the line when the scope has them. */
export function footerText(scope: KeyScope, width: number): string {
	const hints = hintsFor(scope).map(({label, hint}) => ({text: `${label} ${hint}`, pinned: pinned.has(hint)}));
	const tail = hints.filter((hint) => hint.pinned).map((hint) => hint.text);
	const room = width - tail.reduce((sum, text) => sum + text.length + 2, 0);
	const shown: string[] = [];
	let used = 0;
	for (const hint of hints) {
		if (hint.pinned) continue;
		const cost = hint.text.length + (shown.length ? 2 : 0);
		if (used + cost > room) break;
		shown.push(hint.text);
		used += cost;
	}
	return [...shown, ...tail].join('  ');
}

export function Footer({scope, width, theme}: {scope: KeyScope; width: number; theme: Theme}) {
	return (
		<Text color={theme.muted} wrap="truncate-end">
			{footerText(scope, width)}
		</Text>
	);
}
