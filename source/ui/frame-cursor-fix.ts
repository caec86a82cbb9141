/**
 * Ink 6.8's incremental renderer moves the cursor up one line too few before
 * each frame whenever the previous frame ended with a newline, which it always
 * does below full height: every frame would land one row lower than the last
 * (seen in tmux; Ink ≥7 is a major we may not take). Keeping the cursor on the
 * frame's last line, by dropping the final newline or next-line move of each
 * frame write, makes its arithmetic land on the first line again.
 */

const nextLine = '\u001B[E';
// Synchronized-output markers Ink may put around a frame.
const endSync = '\u001B[?2026l';

/** Drop the trailing line feed (or cursor-next-line) that ends a frame, keeping a closing sync marker. */
export function keepCursorOnLastLine(chunk: string): string {
	let tail = '';
	let body = chunk;
	if (body.endsWith(endSync)) {
		tail = endSync;
		body = body.slice(0, -endSync.length);
	}
	if (body.endsWith('\n')) return body.slice(0, -1) + tail;
	if (body.endsWith(nextLine)) return body.slice(0, -nextLine.length) + tail;
	return chunk;
}
