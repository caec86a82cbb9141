/**
 * Which pictures the preview shows and what is ready of them. The files to
 * show are handed to the preview service after the frame (an effect), and
 * the hook re-renders when one is ready: a key never waits for a picture.
 */
import {useEffect, useMemo, useState} from 'react';
import type {JobFile} from '../../core/archive/images.js';
import type {Job} from '../../core/job.js';
import {fitCells, type CellBox} from '../../core/preview/picture.js';
import type {PreviewResult, PreviewService} from '../../core/preview/preview-service.js';

/** One picture in the preview: the file, its box of cells, and what is ready (undefined while it is being made). */
export interface PreviewSlot {
	file: JobFile;
	box: CellBox;
	result: PreviewResult | undefined;
}

/** Narrowest picture worth showing beside the others; below it, one at a time. */
const minSideBySideColumns = 16;

/** The files that are pictures: images, and the grid composite only when a job has nothing else. */
export function pictureFiles(images: readonly JobFile[]): JobFile[] {
	const stills = images.filter((image) => image.variant !== 'mp4' && image.variant !== 'grid');
	return stills.length > 0 ? stills : images.filter((image) => image.variant === 'grid');
}

/**
 * The files a job's preview can show: its rows in the images table, or, for a
 * job none are planned for yet, one not-downloaded image per batch slot (their
 * thumbnails come from the CDN).
 */
export function previewFiles(job: Job | undefined, images: readonly JobFile[]): readonly JobFile[] {
	if (images.length > 0 || !job) return images;
	const count = Math.max(0, Math.min(Math.floor(job.batchSize ?? 0) || 0, 16));
	return Array.from({length: count}, (_, index) => ({id: -1 - index, index, variant: 'png', url: '', path: null, bytes: null, totalBytes: null, sha256: null, status: 'not planned', attempts: 0, lastError: null}));
}

/** Rows the preview needs for `job`'s pictures in `box` (their aspect is the job's width and height): no more than the box, and no blank rows under a wide picture. */
export function previewRowsNeeded(job: Job | undefined, images: readonly JobFile[], box: CellBox, cell: {width: number; height: number}): number {
	const slots = previewLayout(previewFiles(job, images), 0, box, true);
	if (!job?.width || !job.height || slots.length === 0) return box.rows;
	return Math.min(box.rows, fitCells({width: job.width, height: job.height}, slots[0]!.box, cell).rows);
}

/** The picture file the selected file stands for: itself, or the picture with its index (a video's still). */
export function selectedPicture(images: readonly JobFile[], fileIndex: number): JobFile | undefined {
	const pictures = pictureFiles(images);
	const selected = images[fileIndex];
	return pictures.find((file) => file === selected) ?? pictures.find((file) => file.index === selected?.index) ?? pictures[0];
}

/** The slots for a box: every picture side by side when each still gets `minSideBySideColumns`, else the selected one. */
export function previewLayout(images: readonly JobFile[], fileIndex: number, box: CellBox, sideBySide: boolean): Array<{file: JobFile; box: CellBox}> {
	if (box.columns < 1 || box.rows < 1) return [];
	const pictures = pictureFiles(images);
	const each = Math.floor((box.columns - (pictures.length - 1)) / pictures.length);
	if (sideBySide && pictures.length > 1 && each >= minSideBySideColumns) return pictures.map((file) => ({file, box: {columns: each, rows: box.rows}}));
	const file = selectedPicture(images, fileIndex);
	return file ? [{file, box}] : [];
}

export interface PreviewOptions {
	previews: PreviewService | undefined;
	images: readonly JobFile[];
	fileIndex: number;
	box: CellBox;
	/** False while the preview is not on screen: nothing is made for it. */
	active: boolean;
	sideBySide: boolean;
	job: Job | undefined;
}

/** The slots to draw now; re-renders as pictures become ready. */
export function usePreview({previews, images, fileIndex, box, active, sideBySide, job}: PreviewOptions): PreviewSlot[] {
	const jobId = job?.id;
	const files = useMemo(() => previewFiles(job, images), [job, images]);
	const [, setReady] = useState(0);
	const layout = useMemo(
		() => (previews && active ? previewLayout(files, fileIndex, box, sideBySide).map((slot) => ({...slot, file: {...slot.file, jobId: jobId ?? ''}})) : []),
		[previews, active, files, fileIndex, box.columns, box.rows, sideBySide, jobId],
	);
	useEffect(() => {
		// Only a preview on screen says what it wants: the full-screen viewer and the pane never take the service from each other.
		if (!previews || !active) return;
		previews.want(layout, () => setReady((count) => count + 1));
	}, [previews, active, layout]);
	return layout.map(({file, box: slotBox}) => ({file, box: slotBox, result: previews?.peek(file, slotBox)}));
}
