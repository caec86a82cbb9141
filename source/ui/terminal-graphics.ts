/**
 * Pictures written outside Ink's text model. Kitty images are sent once
 * (their placeholders are text in the frame) and deleted on quit. Sixel and
 * iTerm2 pictures, and half-block rows, are drawn after the frame, at their box's
 * cell (cursor saved and restored, so Ink's relative moves stay right): a new
 * picture right after the frame that lays out its blanks (so pictures show up
 * while the user scrolls), and all of them again once frames stop arriving,
 * because Ink rewrites a changed line whole, which erases what was drawn over it. The UI clears a picture by rendering
 * different blanks under it, so Ink rewrites those lines (see PreviewBox).
 */
import type {FramePacer} from './frame-pacer.js';

/**
 * A picture drawn over the frame: one escape drawn at the box's top-left cell
 * (sixel, iTerm2), or text rows each drawn at its own row from there (half
 * blocks). `locate` says that 0-based cell when drawn (undefined: not on screen).
 */
export interface Overlay {
	escape: string | readonly string[];
	locate: () => {column: number; row: number} | undefined;
}

/** What the preview components need from the terminal; tests and the bench use `noGraphics`. */
export interface GraphicsOutput {
	/** Send a kitty image once (by its id). */
	transmit(imageId: number, setup: string, teardown: string): void;
	/** The pictures to keep drawn over the frame now (an empty list stops drawing). */
	setOverlays(overlays: Overlay[]): void;
}

export const noGraphics: GraphicsOutput = {transmit() {}, setOverlays() {}};

/** Quiet time after the last frame before overlays are drawn again: scrolling does not resend pictures each frame. */
const redrawAfterMs = 120;

/** What the graphics output needs of the paced frame stream. */
type Frames = Pick<FramePacer, 'flush' | 'onFrame' | 'afterFrameSince' | 'writes'>;

export class TerminalGraphics implements GraphicsOutput {
	readonly #frames: Frames;
	readonly #stdout: {write(text: string): unknown};
	readonly #sent = new Map<number, string>();
	#overlays: Overlay[] = [];
	#timer: NodeJS.Timeout | undefined;
	#cancelSoon: (() => void) | undefined;
	/** Pictures handed over and not drawn yet. */
	#fresh: Overlay[] = [];
	/** Frames written when the overlays were last drawn: a quiet-time redraw with no frame since has nothing to repair. */
	#drawnAtWrites = -1;
	readonly #stopListening: () => void;

	constructor(frames: Frames, stdout: {write(text: string): unknown}) {
		this.#frames = frames;
		this.#stdout = stdout;
		this.#stopListening = frames.onFrame(() => {
			if (this.#overlays.length > 0) this.#scheduleRedraw();
		});
	}

	transmit(imageId: number, setup: string, teardown: string): void {
		if (this.#sent.has(imageId)) return;
		this.#sent.set(imageId, teardown);
		this.#direct(setup);
	}

	setOverlays(overlays: Overlay[]): void {
		const previous = this.#overlays;
		this.#overlays = overlays;
		const added = overlays.filter((overlay) => !previous.some((old) => sameOverlay(old, overlay)));
		this.#fresh = [...this.#fresh.filter((waiting) => overlays.some((overlay) => sameOverlay(overlay, waiting))), ...added];
		if (added.length === 0) return;
		// New pictures only, after the frame with their blanks (or an interval, when the commit drew nothing new); not
		// after the quiet time: frames keep coming while the user scrolls. The quiet-time redraw repairs the others.
		this.#cancelSoon?.();
		this.#cancelSoon = this.#frames.afterFrameSince(this.#frames.writes, () => {
			this.#cancelSoon = undefined;
			const fresh = this.#fresh;
			this.#fresh = [];
			this.#draw(fresh);
		});
	}

	/** Stop drawing; the escapes that free what the terminal keeps (kitty images), for the caller to write before leaving the screen. */
	close(): string {
		clearTimeout(this.#timer);
		this.#cancelSoon?.();
		this.#stopListening();
		this.#overlays = [];
		this.#fresh = [];
		const teardown = [...this.#sent.values()].join('');
		this.#sent.clear();
		return teardown;
	}

	#scheduleRedraw(): void {
		clearTimeout(this.#timer);
		this.#timer = setTimeout(() => {
			if (this.#frames.writes !== this.#drawnAtWrites) this.#draw(this.#overlays);
		}, redrawAfterMs);
	}

	#draw(overlays: readonly Overlay[]): void {
		// Save the cursor, draw each picture at its cell, restore: Ink's next frame moves relative to where it left the cursor.
		let pictures = '';
		for (const overlay of overlays) {
			const at = overlay.locate();
			if (at) pictures += placed(overlay.escape, at);
		}
		if (!pictures) return;
		this.#direct(`\u001B7${pictures}\u001B8`);
		if (overlays === this.#overlays) this.#drawnAtWrites = this.#frames.writes;
	}

	#direct(text: string): void {
		// Held frame writes go first: the picture belongs after the frame it sits on.
		this.#frames.flush();
		this.#stdout.write(text);
	}
}

/** Cursor to the 0-based cell (CUP counts from 1). */
const cursorTo = (row: number, column: number) => `\u001B[${row + 1};${column + 1}H`;

/** The escape at `at`, or each row at its own line from `at` down (absolute moves: right-margin wrapping never shifts a row). */
function placed(escape: string | readonly string[], at: {column: number; row: number}): string {
	if (typeof escape === 'string') return cursorTo(at.row, at.column) + escape;
	return escape.map((line, index) => cursorTo(at.row + index, at.column) + line).join('');
}

function sameOverlay(a: Overlay, b: Overlay): boolean {
	return a.locate === b.locate && a.escape === b.escape;
}
