/**
 * iTerm2 inline images (also WezTerm): the whole file in one OSC 1337,
 * drawn at the cursor over `columns` x `rows` cells.
 */

/** The escape that draws `image` (any format the terminal decodes; PNG here) at the cursor. */
export function itermInlineImage(image: Buffer, {columns, rows}: {columns: number; rows: number}): string {
	return `\u001B]1337;File=inline=1;size=${image.length};width=${columns};height=${rows};preserveAspectRatio=1;doNotMoveCursor=1:${image.toString('base64')}\u0007`;
}
