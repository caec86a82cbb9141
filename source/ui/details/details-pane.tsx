/**
 * The selected job in full: its fields, its pictures (the preview, when on), the prompt (wrapped, as many lines as
 * it needs or a fair share when space is short), then a part that scrolls with
 * the cursor: the Family section (parent and children) and every file with its
 * path, size, sha256 and status. Network text is stripped of terminal
 * controls; the prompt keeps its line breaks.
 */
import React, {useRef} from 'react';
import {Box, Text} from 'ink';
import type {JobFile} from '../../core/archive/images.js';
import type {JobLike} from '../../core/archive/likes.js';
import type {Job} from '../../core/job.js';
import {stripTerminalControls, toSingleLine} from '../../core/terminal-text.js';
import {formatBytes} from '../../core/units.js';
import {formatJobDate} from '../jobs-table/job-columns.js';
import {fitEnd, fitMiddle, wrapText} from '../text-fit.js';
import type {Theme} from '../theme.js';
import {FamilyHeading, FamilyRow} from './family-section.js';
import type {FamilyLine} from './use-family.js';

/** The one-line fields above the prompt: Job, Type, Size, Params; a job the account liked has a Liked line besides. */
const fieldRows = 4;

export interface DetailsPaneProps {
	job: Job | undefined;
	/** The account's like of the job, if it ever liked it (likes.ts). */
	like?: JobLike | undefined;
	/** The job's parent and children (use-family.ts). */
	family: readonly FamilyLine[];
	images: readonly JobFile[];
	/** The selected line: family lines first, then files. */
	row: number;
	width: number;
	height: number;
	theme: Theme;
	focused: boolean;
	/** The picture, drawn under the fields in `previewRows` lines (see previewRowsFor). */
	preview?: React.ReactNode;
	previewRows?: number;
}

function formatParameters(job: Job): string {
	const words = Object.entries(job.parameters).map(([name, value]) => (value === true ? `--${name}` : `--${name} ${value}`));
	return toSingleLine(words.join(' ')) || '(none)';
}

/** The Liked field: `yes · by Ada (@ada)`, `yes · your own job`, `withdrawn · by @ada` (a withdrawn like still names the author). */
export function likeText(like: JobLike): string {
	const name = like.authorName ? toSingleLine(like.authorName) : '';
	const username = like.authorUsername ? `@${toSingleLine(like.authorUsername)}` : '';
	const author = name && username ? `${name} (${username})` : name || username;
	const state = like.likedNow ? 'yes' : 'withdrawn';
	if (like.own === true) return `${state} · your own job`;
	return author ? `${state} · by ${author}` : state;
}

function statusColour(status: string, theme: Theme): string | undefined {
	if (status === 'done') return theme.ok;
	if (status === 'failed') return theme.error;
	return theme.warn;
}

function Field({name, children, theme}: {name: string; children: React.ReactNode; theme: Theme}) {
	return (
		<Box height={1}>
			<Text wrap="truncate-end">
				<Text color={theme.muted}>{name.padEnd(8)}</Text>
				{children}
			</Text>
		</Box>
	);
}

/** A file's first line: `› #0 png done 1.2 MiB (2 tries) last error`, or its sha256 once done. */
function FileStatusLine({image, selected, focused, theme}: {image: JobFile; selected: boolean; focused: boolean; theme: Theme}) {
	const size = image.bytes ?? image.totalBytes;
	return (
		<Text wrap="truncate-end" inverse={selected && focused}>
			{selected ? '› ' : '  '}#{image.index} {toSingleLine(image.variant)} <Text color={statusColour(image.status, theme)}>{toSingleLine(image.status)}</Text>
			{size === null ? '' : ` ${formatBytes(size)}`}
			{image.attempts > 1 ? ` (${image.attempts} tries)` : ''}
			{image.lastError && image.status !== 'done' ? <Text color={theme.error}>{` ${toSingleLine(image.lastError)}`}</Text> : null}
			{image.sha256 ? <Text color={theme.muted}>{` sha256 ${toSingleLine(image.sha256)}`}</Text> : null}
		</Text>
	);
}

/** A file's second line: its path, shortened in the middle so `_0.png` and `_1.png` stay apart. */
function filePathText(image: JobFile, width: number): string {
	return `   ${image.path ? fitMiddle(toSingleLine(image.path), width - 3) : '(not downloaded)'}`;
}

/** One line of the scrolling part; `item` is the selectable line it belongs to, if any. */
interface ListLine {
	key: string;
	node: React.ReactNode;
	item?: number;
}

/** The first line to show so that lines first..last stay in view, moving as little as possible from `top`. */
function scrollTop(top: number, first: number, last: number, height: number, count: number): number {
	let next = top;
	if (last >= next + height) next = last - height + 1;
	if (first < next) next = first;
	return Math.max(0, Math.min(next, Math.max(0, count - height)));
}

/** Lines the preview gets in a pane `height` high: at most half, and only what leaves the fields, 3 prompt lines and 2 files; none below 4. */
export function previewRowsFor(height: number, files: number): number {
	const rows = Math.min(height - 5 - 3 - 1 - Math.min(files, 2) * 2, Math.floor(height / 2));
	return rows >= 4 ? rows : 0;
}

/** Rows the prompt gets: all it needs when everything fits, else at least a third of the room (and two lines). */
function promptRows(promptLines: number, listLines: number, room: number): number {
	return Math.min(promptLines, Math.max(Math.min(2, promptLines), room - listLines, Math.floor(room / 3)));
}

export function DetailsPane({job, like, family, images, row, width, height, theme, focused, preview, previewRows = 0}: DetailsPaneProps) {
	const scroll = useRef<{jobId: string | undefined; top: number}>({jobId: undefined, top: 0});
	if (!job) {
		return (
			<Box width={width} height={height}>
				<Text color={theme.muted}>No job selected.</Text>
			</Box>
		);
	}
	const cursor = Math.max(0, Math.min(row, family.length + images.length - 1));
	const done = images.filter((image) => image.status === 'done').length;
	const failed = images.filter((image) => image.status === 'failed').length;
	const lines: ListLine[] = [{key: 'family', node: <FamilyHeading lines={family} width={width} theme={theme} />}];
	family.forEach((line, index) => lines.push({key: `r${line.id}`, item: index, node: <FamilyRow line={line} selected={index === cursor} focused={focused} width={width} theme={theme} />}));
	lines.push({
		key: 'files',
		node: <Text bold wrap="truncate-end">Files {images.length ? `(${done}/${images.length} done${failed ? `, ${failed} failed` : ''})` : '(none known yet: d queues them)'}</Text>,
	});
	images.forEach((image, index) => {
		const item = family.length + index;
		lines.push({key: `s${image.id}`, item, node: <FileStatusLine image={image} selected={item === cursor} focused={focused} theme={theme} />});
		lines.push({key: `p${image.id}`, item, node: <Text wrap="truncate-end" color={theme.muted}>{filePathText(image, width)}</Text>});
	});

	const room = Math.max(0, height - fieldRows - (like ? 1 : 0) - (preview ? previewRows : 0));
	const wrapped = wrapText(stripTerminalControls(job.prompt || job.fullCommand).replace(/\t/g, ' '), width);
	const promptHeight = promptRows(wrapped.length, lines.length, room);
	const shownPrompt = wrapped.slice(0, promptHeight);
	if (promptHeight < wrapped.length && promptHeight > 0) shownPrompt[promptHeight - 1] = fitEnd(`${shownPrompt[promptHeight - 1]!} …`, width);
	const listHeight = room - promptHeight;
	const first = lines.findIndex((line) => line.item === cursor);
	const last = lines.findLastIndex((line) => line.item === cursor);
	const previous = scroll.current.jobId === job.id ? scroll.current.top : 0;
	// On the first line the heading above it shows too.
	const top = first < 0 || cursor === 0 ? 0 : scrollTop(previous, first, last, listHeight, lines.length);
	scroll.current = {jobId: job.id, top};
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Field name="Job" theme={theme}>
				{toSingleLine(job.id)} · {formatJobDate(job.enqueuedAt)}
			</Field>
			<Field name="Type" theme={theme}>
				{toSingleLine(job.jobType)} · {toSingleLine(job.eventType)}
				{job.isVideo ? ' · video' : ''}
			</Field>
			<Field name="Size" theme={theme}>
				{job.width}×{job.height} · batch {job.batchSize}
				{job.rating === null ? '' : ` · rating ${job.rating}`}
			</Field>
			<Field name="Params" theme={theme}>
				{formatParameters(job)}
			</Field>
			{like ? (
				<Field name="Liked" theme={theme}>
					{likeText(like)}
				</Field>
			) : null}
			{preview}
			{shownPrompt.map((text, index) => (
				<Text key={`prompt${index}`} wrap="truncate-end">
					{text || ' '}
				</Text>
			))}
			{lines.slice(top, top + listHeight).map((line) => (
				<Box key={line.key} height={1}>
					{line.node}
				</Box>
			))}
		</Box>
	);
}
