/** The `?` overlay, generated from the key table; sections flow into columns to fit the screen. */
import React from 'react';
import {Box, Text} from 'ink';
import {bindingsIn, helpSections} from '../keys.js';
import type {Theme} from '../theme.js';

interface HelpLine {
	title?: string;
	label?: string;
	description?: string;
}

/** Help as lines: a title per section, then its keys. */
export function helpLines(): HelpLine[] {
	const lines: HelpLine[] = [];
	for (const section of helpSections) {
		lines.push({title: section.title});
		for (const binding of bindingsIn(section.scope)) lines.push({label: binding.label, description: binding.description});
	}
	return lines;
}

export function HelpOverlay({width, height, theme}: {width: number; height: number; theme: Theme}) {
	const lines = helpLines();
	const bodyHeight = Math.max(1, height - 1);
	const columnCount = Math.max(1, Math.ceil(lines.length / bodyHeight));
	const columnWidth = Math.floor(width / columnCount);
	const columns: HelpLine[][] = [];
	for (let index = 0; index < lines.length; index += bodyHeight) columns.push(lines.slice(index, index + bodyHeight));
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text bold color={theme.accent}>
				Keys (? or Esc closes)
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
									<Text color={theme.accent}>{line.label!.padEnd(8)}</Text>
									{line.description}
								</Text>
							),
						)}
					</Box>
				))}
			</Box>
		</Box>
	);
}
