/**
 * The jobs table: only the visible rows are rendered, each one line of text
 * fitted to fixed-width columns (columns that truncate with an ellipsis).
 */
import React, {memo} from 'react';
import {Box, Text} from 'ink';
import type {Job} from '../../core/job.js';
import {fitEnd, textWidth} from '../text-fit.js';
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

export interface JobRowProps {
	job: Job;
	columns: JobColumns;
	selected: boolean;
	focused: boolean;
	active: boolean;
	theme: Theme;
	width: number;
}

/** One row's column texts, each already fitted to its column. */
function rowTexts({job, columns, active}: Pick<JobRowProps, 'job' | 'columns' | 'active'>) {
	const files = formatFiles(job.files);
	return {
		date: formatJobDate(job.enqueuedAt, columns.date < 16),
		type: columns.type > 0 ? fitEnd(formatJobType(job), columns.type) : '',
		prompt: fitEnd(formatPrompt(job), columns.prompt),
		files: fitEnd(active ? `↓${files.text}` : files.text, columns.files),
		tone: files.tone,
	};
}

const printableAscii = /^[\u0020-\u007E]*$/;

/**
 * A row is one line of text with styled spans, padded with plain spaces to
 * the column edges: one layout node instead of eleven (a box and a text per
 * column). That was most of the first frame's layout and of a page turn's
 * work, and it draws the same cells as the boxed row. Only where the cell
 * count of a text is a guess (anything but printable ASCII in the type or
 * prompt, or a table too narrow for its columns) does the boxed row, laid out
 * by Ink, draw it instead.
 */
export const JobRow = memo(function JobRow(props: JobRowProps) {
	const {columns, selected, focused, theme, width} = props;
	const texts = rowTexts(props);
	const fitsWidth = 2 + columns.date + columns.type + columns.prompt + columns.files + (columns.type ? 3 : 2) <= width;
	if (!fitsWidth || !printableAscii.test(texts.type) || !printableAscii.test(texts.prompt)) return <BoxedJobRow {...props} />;
	const inverse = selected && focused;
	const gap = (text: string, cells: number) => ' '.repeat(Math.max(0, cells - textWidth(text)));
	return (
		<Text wrap="truncate-end">
			<Text inverse={inverse} bold={selected}>
				{selected ? '›' : ' '}{' '}
			</Text>
			<Text inverse={inverse}>{texts.date} </Text>
			{gap(`${texts.date} `, columns.date + 1)}
			{columns.type > 0 ? (
				<>
					<Text inverse={inverse} color={theme.accent}>
						{texts.type}
					</Text>
					{gap(texts.type, columns.type + 1)}
				</>
			) : null}
			<Text inverse={inverse}>{texts.prompt}</Text>
			{gap(texts.prompt, columns.prompt + 1)}
			<Text inverse={inverse} color={toneColour(texts.tone, theme)}>
				{texts.files}
			</Text>
		</Text>
	);
});

/** The row as fixed-width boxes that Ink lays out and truncates: for text whose width only Ink knows. */
export function BoxedJobRow(props: JobRowProps) {
	const {columns, selected, focused, theme} = props;
	const texts = rowTexts(props);
	const inverse = selected && focused;
	return (
		<Box height={1}>
			<Box width={2} flexShrink={0}>
				<Text inverse={inverse} bold={selected}>{selected ? '›' : ' '} </Text>
			</Box>
			<Box width={columns.date + 1} flexShrink={0}>
				<Text inverse={inverse} wrap="truncate-end">{texts.date} </Text>
			</Box>
			{columns.type > 0 ? (
				<Box width={columns.type + 1} flexShrink={0} paddingRight={1}>
					<Text inverse={inverse} color={theme.accent} wrap="truncate-end">
						{texts.type}
					</Text>
				</Box>
			) : null}
			<Box width={columns.prompt + 1} flexShrink={0} paddingRight={1}>
				<Text inverse={inverse} wrap="truncate-end">
					{texts.prompt}
				</Text>
			</Box>
			<Box width={columns.files} flexShrink={0}>
				<Text inverse={inverse} color={toneColour(texts.tone, theme)} wrap="truncate-end">
					{texts.files}
				</Text>
			</Box>
		</Box>
	);
}

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
				// Keyed by job: a one-line scroll re-renders no row (the rows' props stay the same), and a row is
				// one layout node, so a page turn's new rows are cheap to mount.
				rows.map((job) => (
					<JobRow
						key={job.id}
						job={job}
						columns={columns}
						selected={job.id === selectedId}
						focused={focused}
						active={activeJobIds?.has(job.id) ?? false}
						theme={theme}
						width={width}
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
