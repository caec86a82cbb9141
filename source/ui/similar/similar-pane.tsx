/**
 * The "more like this" list, drawn where the jobs table was: distance (bits
 * of 64 that differ), the image's job date, index and prompt, nearest first.
 */
import React from 'react';
import {Box, Text} from 'ink';
import {stripTerminalControls} from '../../core/terminal-text.js';
import {formatJobDate} from '../jobs-table/job-columns.js';
import {windowTop} from '../queue/use-queue-state.js';
import {fitEnd} from '../text-fit.js';
import type {Theme} from '../theme.js';
import type {SimilarState} from './use-similar.js';

export function SimilarPane({state, width, height, theme}: {state: SimilarState; width: number; height: number; theme: Theme}) {
	const listHeight = Math.max(1, height - 2);
	const top = windowTop(Math.max(0, state.index - listHeight + 1), state.index, listHeight, state.results.length);
	const visible = state.results.slice(top, top + listHeight);
	const status = state.error ?? (state.loading ? 'looking…' : state.results.length ? `${state.results.length} similar image${state.results.length === 1 ? '' : 's'}` : 'no similar image in the archive');
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Box height={1}>
				<Text wrap="truncate-end">
					<Text color={theme.accent} bold>More like this</Text>
					<Text>{` ${fitEnd(state.prompt ?? '', Math.max(10, width - 40))}`}</Text>
					<Text color={state.error ? theme.error : theme.muted}>{`  ${status}`}</Text>
				</Text>
			</Box>
			<Box flexDirection="column" height={listHeight}>
				{visible.map((image, offset) => {
					const selected = top + offset === state.index;
					return (
						<Box key={image.imageId} height={1} width={width}>
							<Text wrap="truncate-end" inverse={selected}>
								{selected ? '› ' : '  '}
								<Text color={theme.accent}>{String(image.distance).padStart(2)}</Text>
								{` ${formatJobDate(image.enqueuedAt)} #${image.index} ${stripTerminalControls(image.prompt ?? '').replace(/\s+/g, ' ')}`}
							</Text>
						</Box>
					);
				})}
			</Box>
			<Text color={theme.muted} wrap="truncate-end">
				{state.results.length ? `${state.index + 1} of ${state.results.length} · distance = bits of 64 that differ · Enter opens · Esc closes` : ' '}
			</Text>
		</Box>
	);
}
