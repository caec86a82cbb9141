/**
 * Unicode half blocks: each cell shows two stacked pixels, `▀` in the upper
 * pixel's colour over the lower pixel's colour as background. The rows are
 * plain text with SGR colours, written over the frame at their cells (not
 * through Ink, which would re-tokenise every cell on every frame); tmux keeps
 * them in its grid.
 */
import type {ColourDepth, RgbImage} from './renderers.js';

export const upperHalfBlock = '▀';

/** A cell's two pixels. */
export interface HalfBlockCell {
	top: [number, number, number];
	bottom: [number, number, number];
}

/** The cells of an image `width` pixels wide and 2 x rows high (an odd last row repeats its pixel row). */
export function halfBlockCells(image: RgbImage): HalfBlockCell[][] {
	const rows: HalfBlockCell[][] = [];
	for (let y = 0; y < image.height; y += 2) {
		const row: HalfBlockCell[] = [];
		const lower = Math.min(y + 1, image.height - 1);
		for (let x = 0; x < image.width; x++) row.push({top: pixelAt(image, x, y), bottom: pixelAt(image, x, lower)});
		rows.push(row);
	}
	return rows;
}

function pixelAt(image: RgbImage, x: number, y: number): [number, number, number] {
	const offset = (y * image.width + x) * 3;
	return [image.data[offset]!, image.data[offset + 1]!, image.data[offset + 2]!];
}

const cubeLevels = [0, 95, 135, 175, 215, 255];

function nearestLevel(value: number): number {
	let best = 0;
	for (let index = 1; index < cubeLevels.length; index++) if (Math.abs(cubeLevels[index]! - value) < Math.abs(cubeLevels[best]! - value)) best = index;
	return best;
}

/** The xterm 256-colour index nearest to an RGB colour (the 6x6x6 cube or the grey ramp, whichever is closer). */
export function nearest256([red, green, blue]: readonly [number, number, number]): number {
	const [r, g, b] = [nearestLevel(red), nearestLevel(green), nearestLevel(blue)];
	const cube = 16 + 36 * r + 6 * g + b;
	const cubeDistance = (cubeLevels[r]! - red) ** 2 + (cubeLevels[g]! - green) ** 2 + (cubeLevels[b]! - blue) ** 2;
	const greyStep = Math.max(0, Math.min(23, Math.round(((red + green + blue) / 3 - 8) / 10)));
	const grey = 8 + greyStep * 10;
	const greyDistance = (grey - red) ** 2 + (grey - green) ** 2 + (grey - blue) ** 2;
	return greyDistance < cubeDistance ? 232 + greyStep : cube;
}

function colourCode(rgb: readonly [number, number, number], depth: ColourDepth, layer: 38 | 48): string {
	return depth === 'truecolor' ? `${layer};2;${rgb[0]};${rgb[1]};${rgb[2]}` : `${layer};5;${nearest256(rgb)}`;
}

/** One text line per cell row: colours change only where a cell differs from the one before; each line ends with a reset. */
export function halfBlockLines(image: RgbImage, depth: ColourDepth): string[] {
	return halfBlockCells(image).map((row) => {
		let line = '';
		let previous = '';
		for (const cell of row) {
			const style = `${colourCode(cell.top, depth, 38)};${colourCode(cell.bottom, depth, 48)}`;
			if (style !== previous) line += `\u001B[${style}m`;
			previous = style;
			line += upperHalfBlock;
		}
		return `${line}\u001B[0m`;
	});
}
