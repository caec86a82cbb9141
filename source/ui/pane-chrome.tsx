/** The small pieces around the panes: a pane's title line and the tab bar of small screens. */
import React from 'react';
import {Box, Text} from 'ink';
import type {Pane} from './keys.js';
import {paneOrder, paneTitles} from './layout.js';
import type {Theme} from './theme.js';

/** A pane's name (inverse when focused) and a note such as its position. */
export function PaneTitle({title, focused, theme, extra}: {title: string; focused: boolean; theme: Theme; extra?: string}) {
	return (
		<Box height={1}>
			<Text wrap="truncate-end">
				<Text bold inverse={focused} color={focused ? undefined : theme.accent}>
					{` ${title} `}
				</Text>
				{extra ? <Text color={theme.muted}>{` ${extra}`}</Text> : null}
			</Text>
		</Box>
	);
}

/** One pane at a time on small screens: which one, and how to switch. */
export function TabBar({focus, theme}: {focus: Pane; theme: Theme}) {
	return (
		<Box height={1}>
			<Text wrap="truncate-end">
				{paneOrder.map((pane) => (
					<Text key={pane} bold={pane === focus} inverse={pane === focus} color={pane === focus ? undefined : theme.muted}>
						{` ${paneTitles[pane]} `}
					</Text>
				))}
				<Text color={theme.muted}> Tab switches</Text>
			</Text>
		</Box>
	);
}
