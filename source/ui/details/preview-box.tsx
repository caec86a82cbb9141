/**
 * The pictures of a preview, side by side in a box of cells. Kitty
 * placeholders are text lines in the frame. Sixel and iTerm2 pictures, and
 * half blocks (whose cell-by-cell colours Ink would re-tokenise on every
 * frame), are drawn over blank cells after the frame (terminal-graphics.ts); the
 * blanks differ from picture to picture (and from an empty box), so Ink
 * rewrites those lines, erasing the old picture, whenever what is under it
 * changes.
 */
import React, {useEffect, useMemo, useRef} from 'react';
import {Box, Text, type DOMElement} from 'ink';
import {toSingleLine} from '../../core/terminal-text.js';
import type {GraphicsOutput, Overlay} from '../terminal-graphics.js';
import type {Theme} from '../theme.js';
import {usePreview, type PreviewOptions, type PreviewSlot} from './use-preview.js';

export interface PreviewBoxProps {
	slots: readonly PreviewSlot[];
	rows: number;
	width: number;
	theme: Theme;
	graphics: GraphicsOutput;
}

/** Braille blank: shows nothing, and is not whitespace, so Ink keeps it (trailing spaces are trimmed). */
const blank = '\u2800';

/** The cell where an Ink element sits on screen now (its layout, summed up the tree; the frame starts at the top-left cell). */
function screenCell(element: DOMElement | null): {column: number; row: number} | undefined {
	if (!element?.yogaNode) return undefined;
	let column = 0;
	let row = 0;
	for (let node: DOMElement | undefined = element; node?.yogaNode; node = node.parentNode) {
		column += node.yogaNode.getComputedLeft();
		row += node.yogaNode.getComputedTop();
	}
	return {column, row};
}

function Slot({slot, theme, graphics, boxRef}: {slot: PreviewSlot; theme: Theme; graphics: GraphicsOutput; boxRef: (element: DOMElement | null) => void}) {
	const {result} = slot;
	const picture = result && 'picture' in result ? result.picture : undefined;
	useEffect(() => {
		if (picture?.kind === 'lines') graphics.transmit(picture.kitty.imageId, picture.kitty.setup, picture.kitty.teardown);
	}, [picture, graphics]);
	if (!result || 'message' in result) {
		return (
			<Box width={slot.box.columns} height={slot.box.rows}>
				<Text color={theme.muted} wrap="wrap">{`#${slot.file.index} ${result ? toSingleLine(result.message) : 'loading picture…'}`}</Text>
			</Box>
		);
	}
	if (picture!.kind !== 'lines') {
		// Two looks of blank, by the picture: a new picture's blanks differ from the last one's, so Ink rewrites the lines under it.
		const dim = picture!.bytes % 2 === 0;
		const row = blank.repeat(picture!.columns);
		return (
			<Box ref={boxRef} flexDirection="column" width={picture!.columns} height={picture!.rows}>
				{Array.from({length: picture!.rows}, (_, line) => (
					<Text key={line} dimColor={dim}>
						{row}
					</Text>
				))}
			</Box>
		);
	}
	return (
		<Box flexDirection="column" width={picture!.columns} height={picture!.rows}>
			{picture!.lines.map((line, number) => (
				<Text key={number} wrap="truncate-end">
					{line}
				</Text>
			))}
		</Box>
	);
}

/** The preview's pictures in one row of `rows` lines. */
export function PreviewBox({slots, rows, width, theme, graphics}: PreviewBoxProps) {
	const elements = useRef<Array<DOMElement | null>>([]);
	// Stable per slot: the graphics output asks where each box is when it draws, after Ink laid the frame out.
	const slotRefs = useMemo(
		() =>
			Array.from({length: 8}, (_, index) => (element: DOMElement | null) => {
				elements.current[index] = element;
			}),
		[],
	);
	const locators = useMemo(() => Array.from({length: 8}, (_, index) => () => screenCell(elements.current[index] ?? null)), []);
	const overlays: Overlay[] = [];
	slots.forEach((slot, index) => {
		const picture = slot.result && 'picture' in slot.result ? slot.result.picture : undefined;
		const locate = locators[index];
		if (!picture || !locate || picture.kind === 'lines') return;
		overlays.push({escape: picture.kind === 'overlay' ? picture.escape : picture.lines, locate});
	});
	// After every commit: the output compares with what it draws and redraws only on a change.
	useEffect(() => {
		graphics.setOverlays(overlays);
	});
	useEffect(
		() => () => {
			graphics.setOverlays([]);
		},
		[graphics],
	);
	return (
		<Box height={rows} width={width} columnGap={1} overflow="hidden" flexShrink={0}>
			{slots.map((slot, index) => (
				<Slot key={`${slot.file.id}:${index}`} slot={slot} theme={theme} graphics={graphics} boxRef={slotRefs[index % slotRefs.length]!} />
			))}
		</Box>
	);
}

/**
 * The preview of what `options` selects, re-rendered on its own as pictures
 * arrive: a picture becoming ready redraws this box, not the whole app.
 */
export function LivePreview({theme, graphics, ...options}: PreviewOptions & {theme: Theme; graphics: GraphicsOutput}) {
	const slots = usePreview(options);
	return <PreviewBox slots={slots} rows={options.box.rows} width={options.box.columns} theme={theme} graphics={graphics} />;
}
