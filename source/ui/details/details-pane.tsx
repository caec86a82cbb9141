/**
 * The selected job in full: prompt (wrapped), parameters, dimensions, parent,
 * and each file with its path, size, sha256 and status. Network text is
 * stripped of terminal controls; the prompt keeps its line breaks.
 */
import React from 'react';
import {Box, Text} from 'ink';
import type {JobFile} from '../../core/archive/images.js';
import type {Job} from '../../core/job.js';
import {stripTerminalControls, toSingleLine} from '../../core/terminal-text.js';
import {formatBytes} from '../../core/units.js';
import {formatJobDate} from '../jobs-table/job-columns.js';
import {windowTop} from '../queue/use-queue-state.js';
import type {Theme} from '../theme.js';

export interface DetailsPaneProps {
	job: Job | undefined;
	images: readonly JobFile[];
	/** Selected file (for `o`). */
	fileIndex: number;
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

function FileLines({image, selected, focused, theme}: {image: JobFile; selected: boolean; focused: boolean; theme: Theme}) {
	const size = image.bytes ?? image.totalBytes;
	return (
		<Box flexDirection="column" height={2}>
			<Text wrap="truncate-end" inverse={selected && focused}>
				{selected ? '› ' : '  '}#{image.index} {toSingleLine(image.variant)} <Text color={statusColour(image.status, theme)}>{toSingleLine(image.status)}</Text>
				{size === null ? '' : ` ${formatBytes(size)}`}
				{image.attempts > 1 ? ` (${image.attempts} tries)` : ''}
				{image.lastError && image.status !== 'done' ? <Text color={theme.error}>{` ${toSingleLine(image.lastError)}`}</Text> : null}
			</Text>
			<Text wrap="truncate-end" color={theme.muted}>
				{'   '}
				{image.path ? toSingleLine(image.path) : '(not downloaded)'}
				{image.sha256 ? ` sha256 ${toSingleLine(image.sha256)}` : ''}
			</Text>
		</Box>
	);
}

/** Lines the preview gets in a pane `height` high: at most half, and only what leaves the fields, 3 prompt lines and 2 files; none below 4. */
export function previewRowsFor(height: number, files: number): number {
	const rows = Math.min(height - 5 - 3 - 1 - Math.min(files, 2) * 2, Math.floor(height / 2));
	return rows >= 4 ? rows : 0;
}

/** Lines the prompt may use: what is left after the fields and at least two files. */
function promptLines(height: number, files: number): number {
	return Math.max(1, height - 7 - Math.min(files, 2) * 2);
}

export function DetailsPane({job, images, fileIndex, width, height: paneHeight, theme, focused, preview, previewRows = 0}: DetailsPaneProps) {
	const height = paneHeight - (preview ? previewRows : 0);
	if (!job) {
		return (
			<Box width={width} height={paneHeight}>
				<Text color={theme.muted}>No job selected.</Text>
			</Box>
		);
	}
	const prompt = stripTerminalControls(job.prompt || job.fullCommand).replace(/\t/g, ' ');
	const maxPromptLines = promptLines(height, images.length);
	const filesHeight = Math.max(0, height - 6 - maxPromptLines);
	const visibleFiles = Math.max(0, Math.floor(filesHeight / 2));
	const top = windowTop(0, fileIndex, Math.max(1, visibleFiles), images.length);
	const done = images.filter((image) => image.status === 'done').length;
	const failed = images.filter((image) => image.status === 'failed').length;
	return (
		<Box flexDirection="column" width={width} height={paneHeight}>
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
			<Field name="Parent" theme={theme}>
				{job.parentId ? `${toSingleLine(job.parentId)}${job.parentGrid === null ? '' : ` (image ${job.parentGrid})`}` : '-'}
			</Field>
			<Field name="Params" theme={theme}>
				{formatParameters(job)}
			</Field>
			{preview}
			<Box height={maxPromptLines} overflow="hidden" flexShrink={0}>
				<Text wrap="wrap">{prompt}</Text>
			</Box>
			<Text bold>
				Files {images.length ? `(${done}/${images.length} done${failed ? `, ${failed} failed` : ''})` : '(none known yet: d queues them)'}
			</Text>
			{images.slice(top, top + visibleFiles).map((image, offset) => (
				<FileLines key={image.id} image={image} selected={top + offset === fileIndex} focused={focused} theme={theme} />
			))}
		</Box>
	);
}
