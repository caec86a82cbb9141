/** `v`: the selected job's picture on the whole screen, one image at a time (`[`/`]`); Esc returns. */
import React from 'react';
import {Box, Text} from 'ink';
import type {JobFile} from '../../core/archive/images.js';
import type {Job} from '../../core/job.js';
import type {PreviewService} from '../../core/preview/preview-service.js';
import {toSingleLine} from '../../core/terminal-text.js';
import {PaneTitle} from '../pane-chrome.js';
import type {GraphicsOutput} from '../terminal-graphics.js';
import type {Theme} from '../theme.js';
import {LivePreview} from './preview-box.js';
import {pictureFiles, previewFiles, selectedPicture} from './use-preview.js';

export interface PictureViewerProps {
	job: Job | undefined;
	images: readonly JobFile[];
	fileIndex: number;
	previews: PreviewService | undefined;
	graphics: GraphicsOutput;
	width: number;
	height: number;
	theme: Theme;
}

export function PictureViewer({job, images, fileIndex, previews, graphics, width, height, theme}: PictureViewerProps) {
	const rows = Math.max(1, height - 1);
	const files = previewFiles(job, images);
	const pictures = pictureFiles(files);
	const shown = selectedPicture(files, fileIndex);
	const position = shown ? `image ${pictures.indexOf(shown) + 1} of ${pictures.length}` : 'no image';
	const why = !job ? 'No job selected.' : !previews ? 'Previews are off (preview: off, or NO_COLOR).' : pictures.length === 0 ? 'This job has no images.' : undefined;
	return (
		<Box flexDirection="column" width={width} height={height}>
			<PaneTitle title="Picture" focused theme={theme} extra={job ? `${toSingleLine(job.id)} · ${position}` : undefined} />
			{why ? <Text color={theme.muted}>{why}</Text> : <LivePreview previews={previews} images={images} fileIndex={fileIndex} box={{columns: width, rows}} active sideBySide={false} job={job} theme={theme} graphics={graphics} />}
		</Box>
	);
}
