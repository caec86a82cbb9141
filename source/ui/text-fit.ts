/**
 * Fitting text to a column before Ink sees it. Ink can truncate by itself,
 * but it does so by re-tokenizing every styled string on every frame, which
 * was most of a frame's cost at 200x60; text that already fits skips that.
 * Widths follow the terminal's rules closely enough; where they differ, Ink's
 * own truncation (still set on the Text) catches the rest.
 */

const printableAscii = /^[\u0020-\u007E]*$/;

/** Cells one code point takes: 0 for combining marks and zero-width, 2 for East Asian wide and emoji. */
function cellsOf(codePoint: number): number {
	if ((codePoint >= 0x0300 && codePoint <= 0x036f) || (codePoint >= 0x200b && codePoint <= 0x200f) || (codePoint >= 0xfe00 && codePoint <= 0xfe0f)) return 0;
	if (
		(codePoint >= 0x1100 && codePoint <= 0x115f) ||
		(codePoint >= 0x2e80 && codePoint <= 0xa4cf) ||
		(codePoint >= 0xac00 && codePoint <= 0xd7a3) ||
		(codePoint >= 0xf900 && codePoint <= 0xfaff) ||
		(codePoint >= 0xfe30 && codePoint <= 0xfe4f) ||
		(codePoint >= 0xff00 && codePoint <= 0xff60) ||
		(codePoint >= 0xffe0 && codePoint <= 0xffe6) ||
		(codePoint >= 0x1f300 && codePoint <= 0x1faff) ||
		(codePoint >= 0x20000 && codePoint <= 0x3fffd)
	) {
		return 2;
	}
	return 1;
}

/** Terminal cells a single-line string takes. */
export function textWidth(text: string): number {
	if (printableAscii.test(text)) return text.length;
	let width = 0;
	for (const character of text) width += cellsOf(character.codePointAt(0)!);
	return width;
}

/** `text` cut to at most `width` cells, ending in an ellipsis when cut. */
export function fitEnd(text: string, width: number): string {
	if (width <= 0) return '';
	if (printableAscii.test(text)) return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
	if (textWidth(text) <= width) return text;
	let used = 0;
	let result = '';
	for (const character of text) {
		const cells = cellsOf(character.codePointAt(0)!);
		if (used + cells > width - 1) break;
		result += character;
		used += cells;
	}
	return `${result}…`;
}

/** `text` cut from the start to at most `width` cells (file names: the end is what tells them apart). */
export function fitStart(text: string, width: number): string {
	if (width <= 0) return '';
	if (printableAscii.test(text)) return text.length <= width ? text : `…${text.slice(text.length - width + 1)}`;
	if (textWidth(text) <= width) return text;
	const characters = [...text];
	let used = 0;
	let start = characters.length;
	while (start > 0) {
		const cells = cellsOf(characters[start - 1]!.codePointAt(0)!);
		if (used + cells > width - 1) break;
		used += cells;
		start--;
	}
	return `…${characters.slice(start).join('')}`;
}

/**
 * `text` cut in the middle to at most `width` cells: the start (a folder) and
 * the end (`_0.png` vs `_1.png`) both stay, so paths that differ only in their
 * last characters remain distinguishable.
 */
export function fitMiddle(text: string, width: number): string {
	if (width <= 0) return '';
	if (textWidth(text) <= width) return text;
	if (width <= 2) return fitStart(text, width);
	// The end tells files apart: it gets the larger half.
	const tail = fitStart(text, Math.ceil((width - 1) / 2) + 1).slice(1);
	const head = fitEnd(text, width - textWidth(tail));
	return `${head}${tail}`;
}

/**
 * `text` broken into lines of at most `width` cells: at spaces where it can,
 * inside a word longer than a line where it must; its own line breaks are kept.
 */
export function wrapText(text: string, width: number): string[] {
	const lines: string[] = [];
	const room = Math.max(1, width);
	for (const paragraph of text.split('\n')) {
		let line = '';
		let used = 0;
		for (const word of paragraph.split(' ')) {
			const cells = textWidth(word);
			if (used > 0 && used + 1 + cells <= room) {
				line += ` ${word}`;
				used += 1 + cells;
				continue;
			}
			if (used > 0) lines.push(line);
			line = '';
			used = 0;
			for (const character of word) {
				const size = cellsOf(character.codePointAt(0)!);
				if (used + size > room) {
					lines.push(line);
					line = '';
					used = 0;
				}
				line += character;
				used += size;
			}
		}
		lines.push(line);
	}
	return lines;
}
