/**
 * What a preview can be drawn with, and the pixels the encoders take. The
 * renderer is chosen once at start (detect.ts) from the `preview` setting.
 */

/** The `preview` setting: a renderer, `auto` (ask the terminal), or `off`. */
export const previewModes = ['auto', 'kitty', 'iterm', 'sixel', 'blocks', 'off'] as const;
export type PreviewMode = (typeof previewModes)[number];

/** How a picture reaches the screen. */
export type Renderer = 'kitty' | 'iterm' | 'sixel' | 'blocks';

/** Colours half blocks may use: 24-bit, or the nearest of xterm's 256. */
export type ColourDepth = 'truecolor' | '256';

/** Raw pixels, three bytes (R, G, B) each, row by row. */
export interface RgbImage {
	width: number;
	height: number;
	data: Uint8Array;
}

/** A terminal cell's size in pixels (asked with `CSI 16 t`; 10x20 when the terminal does not say). */
export interface CellPixels {
	width: number;
	height: number;
}

export const defaultCellPixels: CellPixels = {width: 10, height: 20};

/** Where the renderer choice came from, in words for `--verbose` and the status line. */
export interface RendererChoice {
	renderer: Renderer | 'off';
	colour: ColourDepth;
	/** True inside tmux: graphics escapes travel wrapped for passthrough. */
	tmux: boolean;
	cell: CellPixels;
	reason: string;
}
