/**
 * Word wrapping to terminal cells, for text that must be read in full (help
 * descriptions, the message box) rather than cut with an ellipsis.
 */
import {fitEnd, textWidth} from './text-fit.js';

/** `text` as lines of at most `width` cells, broken between words; a word longer than a line is cut into pieces. */
export function wrapWords(text: string, width: number): string[] {
	if (width <= 0) return [];
	const lines: string[] = [];
	for (const paragraph of text.split('\n')) {
		let line = '';
		for (const word of paragraph.split(/\s+/).filter(Boolean)) {
			const candidate = line ? `${line} ${word}` : word;
			if (textWidth(candidate) <= width) {
				line = candidate;
				continue;
			}
			if (line) lines.push(line);
			line = word;
			// A URL or path wider than the line: hard breaks, so nothing is lost.
			while (textWidth(line) > width) {
				const piece = fitEnd(line, width + 1).slice(0, -1);
				lines.push(piece);
				line = line.slice(piece.length);
			}
		}
		lines.push(line);
	}
	return lines;
}
