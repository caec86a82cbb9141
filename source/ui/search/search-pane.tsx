/**
 * The search line and its hits, drawn where the jobs table was. Matched terms
 * (marked \u0001…\u0002 by the archive) are shown bold; everything else from
 * the prompt is stripped of terminal controls first.
 */
import React from 'react';
import {Box, Text} from 'ink';
import type {SearchHit} from '../../core/archive/store.js';
import {stripTerminalControls} from '../../core/terminal-text.js';
import {formatJobDate, formatJobType} from '../jobs-table/job-columns.js';
import {windowTop} from '../queue/use-queue-state.js';
import type {Theme} from '../theme.js';
import type {SearchState} from './use-search-state.js';

/** Snippet pieces, alternating plain and matched, each safe to draw on one line. */
export function snippetParts(snippet: string): Array<{text: string; match: boolean}> {
	const parts: Array<{text: string; match: boolean}> = [];
	let match = false;
	for (const piece of snippet.split(/([\u0001\u0002])/)) {
		if (piece === '\u0001') match = true;
		else if (piece === '\u0002') match = false;
		else if (piece) parts.push({text: stripTerminalControls(piece).replace(/\s+/g, ' '), match});
	}
	return parts;
}

function HitRow({hit, selected, theme, width}: {hit: SearchHit; selected: boolean; theme: Theme; width: number}) {
	return (
		<Box height={1} width={width}>
			<Text wrap="truncate-end" inverse={selected}>
				{selected ? '› ' : '  '}
				{formatJobDate(hit.job.enqueuedAt)} <Text color={theme.accent}>{formatJobType(hit.job).padEnd(10).slice(0, 10)}</Text>{' '}
				{snippetParts(hit.snippet).map((part, index) => (
					<Text key={index} bold={part.match} underline={part.match} color={part.match ? theme.warn : undefined}>
						{part.text}
					</Text>
				))}
			</Text>
		</Box>
	);
}

/**
 * The visible hits. Memoised: a typed letter changes only the search line, so
 * its frame (drawn before the query runs) skips re-rendering every hit row.
 */
const HitList = React.memo(function HitList({hits, index, height, theme, width}: {hits: SearchHit[]; index: number; height: number; theme: Theme; width: number}) {
	const top = windowTop(Math.max(0, index - height + 1), index, height, hits.length);
	return (
		<Box flexDirection="column" height={height}>
			{hits.slice(top, top + height).map((hit, offset) => (
				<HitRow key={hit.job.id} hit={hit} selected={top + offset === index} theme={theme} width={width} />
			))}
		</Box>
	);
});

export function SearchPane({state, width, height, theme}: {state: SearchState; width: number; height: number; theme: Theme}) {
	const listHeight = Math.max(1, height - 2);
	const typing = state.query !== state.resultsFor;
	const status = state.error
		? state.error
		: !state.query.trim()
			? 'type words, "a phrase", prefix*, --ar 16:9, --v 7'
			: typing
				? '…'
				: `${state.hits.length}${state.hits.length >= searchLimit ? '+' : ''} hits`;
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Box height={1}>
				<Text wrap="truncate-end">
					<Text color={theme.accent} bold>
						/
					</Text>
					{state.query}
					{state.open ? <Text inverse> </Text> : null}
					<Text color={state.error ? theme.error : theme.muted}>{`  ${status}`}</Text>
				</Text>
			</Box>
			<HitList hits={state.hits} index={state.index} height={listHeight} theme={theme} width={width} />
			<Text color={theme.muted} wrap="truncate-end">
				{state.hits.length ? `hit ${state.index + 1} of ${state.hits.length} · Enter opens · Esc closes` : ' '}
			</Text>
		</Box>
	);
}

/** Most hits fetched per query; enough to browse, small enough to stay fast. */
export const searchLimit = 200;
