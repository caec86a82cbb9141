/** The `?` overlay, generated from the key table; sections flow into columns to fit the screen. */
import React from 'react';
import {Box, Text} from 'ink';
import {bindingsIn, helpSections, type KeyScope} from '../keys.js';
import {wrapWords} from '../wrap-text.js';
import type {Theme} from '../theme.js';

interface HelpLine {
	title?: string;
	label?: string;
	description?: string;
}

/** Help as lines: a title per section, then its keys; `first` sections lead. */
export function helpLines(first: readonly KeyScope[] = []): HelpLine[] {
	const ordered = [...helpSections].sort((a, b) => rank(a.scope, first) - rank(b.scope, first));
	const lines: HelpLine[] = [];
	for (const section of ordered) {
		lines.push({title: section.title});
		for (const binding of bindingsIn(section.scope)) lines.push({label: binding.label, description: binding.description});
	}
	return lines;
}

function rank(scope: KeyScope, first: readonly KeyScope[]): number {
	const index = first.indexOf(scope);
	return index >= 0 ? index - first.length : 0;
}

/** How help closes, as the key table says (`?/Esc/q`). */
const closeKeys = bindingsIn('help').find((binding) => binding.command === 'help-close')?.label ?? '?';

/** Columns need room for a key and most of a description. */
const minColumnWidth = 40;

/**
 * The keys everywhere and in the focused pane come first; other sections follow
 * while they fit in columns wide enough to read (on a small screen, press ? in
 * another pane for its keys).
 */
export function HelpOverlay({width, height, theme, scope}: {width: number; height: number; theme: Theme; scope: KeyScope}) {
	const bodyHeight = Math.max(1, height - 1);
	const entries = helpLines(['global', scope]);
	// As few columns as the lines need (wider ones read better), as many as fit.
	const columnCount = Math.max(1, Math.min(Math.floor(width / minColumnWidth), Math.ceil(entries.length / bodyHeight)));
	const columnWidth = Math.floor(width / columnCount);
	// Descriptions wrap under their key instead of being cut: every word of help can be read.
	const all = entries.flatMap((line): HelpLine[] => {
		if (line.title) return [line];
		const [first = '', ...more] = wrapWords(line.description!, Math.max(10, columnWidth - 9));
		return [{...line, description: first}, ...more.map((description) => ({label: '', description}))];
	});
	// Cut at a section boundary, so no section is shown half.
	const capacity = columnCount * bodyHeight;
	let shown = all.length;
	if (shown > capacity) {
		shown = 0;
		for (let index = 0; index <= all.length; index++) {
			if ((index === all.length || all[index]!.title) && index <= capacity) shown = index;
		}
		// The keys everywhere and of the focused pane always show, cut only by the screen itself.
		const focusedEnd = all.findIndex((line, index) => index > 0 && line.title !== undefined && all.slice(1, index).some((l) => l.title));
		shown = Math.max(shown, Math.min(capacity, focusedEnd < 0 ? all.length : focusedEnd));
	}
	const lines = all.slice(0, shown);
	const columns: HelpLine[][] = [];
	for (let index = 0; index < lines.length; index += bodyHeight) columns.push(lines.slice(index, index + bodyHeight));
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text bold color={theme.accent} wrap="truncate-end">
				Keys ({closeKeys} closes){shown < all.length ? ' · other panes: press ? there' : ''}
			</Text>
			<Box>
				{columns.map((column, columnIndex) => (
					<Box key={columnIndex} flexDirection="column" width={columnWidth}>
						{column.map((line, index) =>
							line.title ? (
								<Text key={index} bold underline wrap="truncate-end">
									{line.title}
								</Text>
							) : (
								<Text key={index} wrap="truncate-end">
									<Text color={theme.accent}>{line.label!.padEnd(8)}</Text> {line.description}
								</Text>
							),
						)}
					</Box>
				))}
			</Box>
		</Box>
	);
}
