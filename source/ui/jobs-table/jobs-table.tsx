/**
 * The jobs table: only the visible rows are rendered, each built from
 * fixed-width <Box> columns that truncate with an ellipsis.
 */
import React, {memo} from 'react';
import {Box, Text} from 'ink';
import type {Job} from '../../core/job.js';
import {fitEnd} from '../text-fit.js';
import type {Theme} from '../theme.js';
import {formatFiles, formatJobDate, formatJobType, formatPrompt, jobColumns, type FilesTone, type JobColumns} from './job-columns.js';
import {visibleRows, type JobsTableState} from './use-jobs-table-state.js';

export interface JobsTableProps {
	state: JobsTableState;
	width: number;
	theme: Theme;
	focused: boolean;
	/** Jobs with a transfer running now, marked with an arrow. */
	activeJobIds?: ReadonlySet<string>;
	/** What an empty table says (the first sync says how far it got). */
	emptyText?: string;
}

function toneColour(tone: FilesTone, theme: Theme): string | undefined {
	if (tone === 'complete') return theme.ok;
	if (tone === 'failed') return theme.error;
	if (tone === 'partial') return theme.warn;
	return theme.muted;
}

const JobRow = memo(function JobRow({job, columns, selected, focused, active, theme}: {job: Job; columns: JobColumns; selected: boolean; focused: boolean; active: boolean; theme: Theme}) {
	const files = formatFiles(job.files);
	const inverse = selected && focused;
	return (
		<Box height={1}>
			<Box width={2} flexShrink={0}>
				<Text inverse={inverse} bold={selected}>{selected ? '›' : ' '} </Text>
			</Box>
			<Box width={columns.date + 1} flexShrink={0}>
				<Text inverse={inverse} wrap="truncate-end">{formatJobDate(job.enqueuedAt, columns.date < 16)} </Text>
			</Box>
			{columns.type > 0 ? (
				<Box width={columns.type + 1} flexShrink={0} paddingRight={1}>
					<Text inverse={inverse} color={theme.accent} wrap="truncate-end">
						{fitEnd(formatJobType(job), columns.type)}
					</Text>
				</Box>
			) : null}
			<Box width={columns.prompt + 1} flexShrink={0} paddingRight={1}>
				<Text inverse={inverse} wrap="truncate-end">
					{fitEnd(formatPrompt(job), columns.prompt)}
				</Text>
			</Box>
			<Box width={columns.files} flexShrink={0}>
				<Text inverse={inverse} color={toneColour(files.tone, theme)} wrap="truncate-end">
					{fitEnd(active ? `↓${files.text}` : files.text, columns.files)}
				</Text>
			</Box>
		</Box>
	);
});

/** Header plus the visible window of rows. */
export function JobsTable({state, width, theme, focused, activeJobIds, emptyText = 'No jobs here yet. Press s to sync, or f to change the filter.'}: JobsTableProps) {
	const columns = jobColumns(width);
	const rows = visibleRows(state);
	const selectedId = state.rows[state.cursor]?.id;
	return (
		<Box flexDirection="column" width={width}>
			<Box height={1}>
				<Box width={2 + columns.date + 1} flexShrink={0}>
					<Text bold>{'  Date'}</Text>
				</Box>
				{columns.type > 0 ? (
					<Box width={columns.type + 1} flexShrink={0}>
						<Text bold>Type</Text>
					</Box>
				) : null}
				<Box width={columns.prompt + 1} flexShrink={0}>
					<Text bold>Prompt</Text>
				</Box>
				<Box width={columns.files} flexShrink={0}>
					<Text bold>Files</Text>
				</Box>
			</Box>
			{rows.length === 0 ? (
				<Text color={theme.muted}>{emptyText}</Text>
			) : (
				// Keyed by screen line, not job: a page turn then updates the rows' text in place instead of
				// unmounting and mounting a screenful of rows with their layout nodes (most of a PgDn's CPU).
				rows.map((job, line) => (
					<JobRow
						key={line}
						job={job}
						columns={columns}
						selected={job.id === selectedId}
						focused={focused}
						active={activeJobIds?.has(job.id) ?? false}
						theme={theme}
					/>
				))
			)}
		</Box>
	);
}

/** `1,201–1,240 of 1,000,000`: where the window sits in the filtered list. */
export function jobsPosition(state: JobsTableState): string {
	if (state.total === 0 || state.rows.length === 0) return '0 jobs';
	const from = state.offset + state.top + 1;
	const shown = state.offset + state.top + Math.min(state.height, state.rows.length - state.top);
	// Before the count arrives the position is still known; the total shows as an ellipsis.
	const to = Number.isNaN(state.total) ? shown : Math.min(shown, state.total);
	const total = Number.isNaN(state.total) ? '…' : state.total.toLocaleString('en-US');
	return `${from.toLocaleString('en-US')}–${to.toLocaleString('en-US')} of ${total}`;
}
