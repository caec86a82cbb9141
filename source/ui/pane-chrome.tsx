/** The pieces around the panes: a pane's title line, the tab bar of small screens, and where the panes go. */
import React, {type ReactNode} from 'react';
import {Box, Text} from 'ink';
import type {Pane} from './keys.js';
import {paneOrder, paneTitles, type Layout} from './layout.js';
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

/** Wide screens: jobs and details side by side over the queue; small ones: the tab bar and the `shown` pane. */
export function Panes({layout, shown, theme, jobs, details, queue}: {layout: Layout; shown: Pane; theme: Theme} & Record<Pane, ReactNode>) {
	if (layout.mode === 'wide') {
		return (
			<Box flexDirection="column">
				<Box height={layout.panes.jobs.height}>
					{jobs}
					<Box width={1} />
					{details}
				</Box>
				{queue}
			</Box>
		);
	}
	return (
		<Box flexDirection="column">
			<TabBar focus={shown} theme={theme} />
			{shown === 'jobs' ? jobs : shown === 'details' ? details : queue}
		</Box>
	);
}
