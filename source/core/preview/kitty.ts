/**
 * The kitty graphics protocol in Unicode-placeholder mode: the PNG is sent
 * once (APC `_G`, chunked base64, `a=T,U=1`: a virtual placement of
 * columns x rows cells), and the picture appears wherever the text shows
 * U+10EEEE cells whose foreground colour is the image id. The placeholders
 * are text in Ink's frame, so the picture moves, clears and diffs with it.
 */

/** Base64 characters per escape: the protocol's limit. */
const chunkSize = 4096;
const placeholder = String.fromCodePoint(0x10_ee_ee);

/**
 * Row and column diacritics (kitty's rowcolumn-diacritics.txt, its first 100
 * entries): the Nth encodes row (or column) N. Only a row's first cell carries
 * them; the following cells of a row inherit row and next column.
 */
const diacritics: readonly number[] = [
	0x0305, 0x030d, 0x030e, 0x0310, 0x0312, 0x033d, 0x033e, 0x033f, 0x0346, 0x034a, 0x034b, 0x034c, 0x0350, 0x0351, 0x0352, 0x0357, 0x035b, 0x0363, 0x0364, 0x0365,
	0x0366, 0x0367, 0x0368, 0x0369, 0x036a, 0x036b, 0x036c, 0x036d, 0x036e, 0x036f, 0x0483, 0x0484, 0x0485, 0x0486, 0x0487, 0x0592, 0x0593, 0x0594, 0x0595, 0x0597,
	0x0598, 0x0599, 0x059c, 0x059d, 0x059e, 0x059f, 0x05a0, 0x05a1, 0x05a8, 0x05a9, 0x05ab, 0x05ac, 0x05af, 0x05c4, 0x0610, 0x0611, 0x0612, 0x0613, 0x0614, 0x0615,
	0x0616, 0x0617, 0x0657, 0x0658, 0x0659, 0x065a, 0x065b, 0x065d, 0x065e, 0x06d6, 0x06d7, 0x06d8, 0x06d9, 0x06da, 0x06db, 0x06dc, 0x06df, 0x06e0, 0x06e1, 0x06e2,
	0x06e4, 0x06e7, 0x06e8, 0x06eb, 0x06ec, 0x0730, 0x0732, 0x0733, 0x0735, 0x0736, 0x073a, 0x073d, 0x073f, 0x0740, 0x0741, 0x0743, 0x0745, 0x0747, 0x0749, 0x074a,
];

/** Most cell rows a placeholder picture can have. */
export const kittyMaxRows = diacritics.length;

export interface KittyPlacement {
	/** 1..2^24-1: carried in the placeholders' 24-bit foreground colour. */
	imageId: number;
	columns: number;
	rows: number;
}

/** The escapes that send `png` and make a virtual placement of `columns` x `rows` cells (quiet: the terminal sends no answer). */
export function kittyTransmit(png: Buffer, {imageId, columns, rows}: KittyPlacement): string[] {
	const payload = png.toString('base64');
	const escapes: string[] = [];
	for (let offset = 0; offset < payload.length || offset === 0; offset += chunkSize) {
		const more = offset + chunkSize < payload.length ? 1 : 0;
		const control = offset === 0 ? `a=T,U=1,f=100,t=d,i=${imageId},c=${columns},r=${rows},q=2,m=${more}` : `m=${more}`;
		escapes.push(`\u001B_G${control};${payload.slice(offset, offset + chunkSize)}\u001B\\`);
	}
	return escapes;
}

/** Delete the image and free its data. */
export function kittyDelete(imageId: number): string {
	return `\u001B_Ga=d,d=I,i=${imageId},q=2\u001B\\`;
}

/** The text lines that show the placement: placeholders in the image id's colour. */
export function kittyPlaceholderLines({imageId, columns, rows}: KittyPlacement): string[] {
	if (rows > kittyMaxRows) throw new RangeError(`a kitty placeholder picture has at most ${kittyMaxRows} rows, not ${rows}`);
	const colour = `\u001B[38;2;${(imageId >> 16) & 255};${(imageId >> 8) & 255};${imageId & 255}m`;
	const lines: string[] = [];
	for (let row = 0; row < rows; row++) {
		const first = placeholder + String.fromCodePoint(diacritics[row]!, diacritics[0]!);
		lines.push(`${colour}${first}${placeholder.repeat(Math.max(0, columns - 1))}\u001B[39m`);
	}
	return lines;
}

/** Wrap an escape for tmux's passthrough (`allow-passthrough on`): inner escapes doubled. */
export function tmuxPassthrough(escape: string): string {
	return `\u001BPtmux;${escape.replaceAll('\u001B', '\u001B\u001B')}\u001B\\`;
}
