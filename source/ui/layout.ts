/**
 * Where each pane goes for a terminal size. The frame is always rows - 1
 * high (at full height Ink clears the screen every frame). Wide terminals show
 * jobs and details side by side over the queue; small ones show one pane at a
 * time behind a tab bar.
 */
import type {Pane} from './keys.js';

export interface Rect {
	width: number;
	height: number;
}

export interface Layout {
	mode: 'wide' | 'narrow';
	frameHeight: number;
	/** Height of the area between the tab bar (narrow) and the status line. */
	contentHeight: number;
	panes: Record<Pane, Rect>;
}

export const minColumns = 40;
export const minRows = 10;

export function layoutFor(columns: number, rows: number): Layout {
	const width = Math.max(minColumns, columns);
	const frameHeight = Math.max(minRows, rows) - 1;
	// Status line and footer take one line each.
	const available = frameHeight - 2;
	if (width >= 120 && rows >= 30) {
		const top = Math.ceil(available * 0.6);
		const jobsWidth = Math.floor(width * 0.6);
		return {
			mode: 'wide',
			frameHeight,
			contentHeight: available,
			panes: {
				jobs: {width: jobsWidth, height: top},
				details: {width: width - jobsWidth - 1, height: top},
				queue: {width, height: available - top},
			},
		};
	}
	const pane = {width, height: available - 1};
	return {mode: 'narrow', frameHeight, contentHeight: available - 1, panes: {jobs: pane, details: pane, queue: pane}};
}

export const paneOrder: readonly Pane[] = ['jobs', 'details', 'queue'];
export const paneTitles: Record<Pane, string> = {jobs: 'Jobs', details: 'Details', queue: 'Queue'};
