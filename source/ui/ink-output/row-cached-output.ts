/**
 * A drop-in for Ink 6.8's `Output` (ink/build/output.js), the class that turns
 * one frame's text writes into the frame's string, that remembers rows across
 * frames. scripts/bundle.mjs puts it in Ink's place in the installed bundle.
 *
 * Why: Ink builds a new Output for every frame and rebuilds every cell of the
 * 200x60 screen as objects (tokenize, styled chars, the diff of styles from
 * cell to cell), so a frame costs the same whatever moved; on one slow core
 * that was most of a key's CPU, and the garbage it left was most of the rest.
 * A row of the frame is a function of the terminal width and the writes that
 * land on it, in order (column, text): this class keys each row by exactly
 * that and builds it Ink's way only when the key is new. The tokenised lines
 * and widths are kept across frames too. What is kept is what the last two
 * frames used (see text-memo.ts), so memory stays bounded by two frames.
 *
 * Byte-identical to Ink's Output by construction: a row that is built runs
 * Ink's own steps (the same cells, the same libraries, passed in by the
 * bundle from Ink's own dependencies; only the style diff between two equally
 * styled cells, always empty, is skipped), and clipping is Ink's code, line
 * for line. test/ui/ink-output.test.ts pins the Ink version and output.js this
 * copies, and compares both classes on real frames of the app.
 */
import {GenerationMemo} from './text-memo.js';

/** One style of a cell, as @alcalzone/ansi-tokenize reduces them. */
interface AnsiCode {
	code: string;
	endCode: string;
}

/** One styled cell, as @alcalzone/ansi-tokenize builds it. */
interface StyledChar {
	type: 'char';
	value: string;
	fullWidth: boolean;
	styles: AnsiCode[];
}

/** The libraries Ink's output.js imports, taken from Ink's own dependencies (versions differ from the app's). */
export interface OutputLibraries {
	sliceAnsi: (text: string, start: number, end?: number) => string;
	stringWidth: (text: string) => number;
	tokenize: (text: string) => unknown[];
	styledCharsFromTokens: (tokens: any[]) => StyledChar[];
	diffAnsiCodes: (from: AnsiCode[], to: AnsiCode[]) => AnsiCode[];
	ansiCodesToString: (codes: AnsiCode[]) => string;
}

type Transformer = (line: string, index: number) => string;
interface Clip {
	x1?: number;
	x2?: number;
	y1?: number;
	y2?: number;
}
type Operation = {type: 'write'; x: number; y: number; text: string; transformers: Transformer[]} | {type: 'clip'; clip: Clip} | {type: 'unclip'};

/** An SGR code (colours, bold, inverse...) as tokenize reads one. */
const sgrCode = /\u001B\[[0-9;]*m/g;
/**
 * Characters that are each a grapheme of their own next to any other of them
 * and one cell wide (not full width): printable ASCII and the app's box
 * drawing and marks (· – — … › ↓ ✓ ✗).
 */
export const plainText = /^[\u0020-\u007E\u00B7\u2013\u2014\u2026\u203A\u2193\u2500-\u257F\u2713\u2717]*$/;

/** Same codes in the same order: the style diff between two such cells is empty. */
function sameStyles(one: AnsiCode[], other: AnsiCode[]): boolean {
	if (one === other) return true;
	if (one.length !== other.length) return false;
	for (let index = 0; index < one.length; index++) {
		if (one[index]!.code !== other[index]!.code || one[index]!.endCode !== other[index]!.endCode) return false;
	}
	return true;
}

/** What lands on one row: [column, line, column, line, ...] in write order. */
type RowWrites = Array<number | string>;

/** Build the Output class Ink's renderer uses, over Ink's own libraries. */
export function rowCachedOutput(libraries: OutputLibraries) {
	const {sliceAnsi, stringWidth, tokenize, styledCharsFromTokens, diffAnsiCodes, ansiCodesToString} = libraries;
	const styledChars = new GenerationMemo<StyledChar[]>();
	const widths = new GenerationMemo<number>();
	const blockWidths = new GenerationMemo<number>();
	const rowStrings = new GenerationMemo<string>();
	// Cells are only ever read (Ink replaces cells, never edits them), so one blank serves every empty cell.
	const blank: StyledChar = {type: 'char', value: ' ', fullWidth: false, styles: []};

	const widthOf = (text: string) => widths.get(text, stringWidth);
	const styledCharsOf = (line: string) => styledChars.get(line, (text) => styledCharsFromTokens(plainTokens(text) ?? tokenize(text)));

	// ansi-tokenize walks a line grapheme by grapheme (Intl.Segmenter), the largest cost of a row that is new.
	// The app's lines are mostly plain characters between SGR codes, where each character is its own grapheme
	// and one cell wide: for those the tokens are built directly, the same tokens tokenize gives.
	const charTokens = new Map<string, {type: 'char'; value: string; fullWidth: boolean}>();
	const codeTokens = new Map<string, unknown[]>();
	const plainTokens = (line: string): unknown[] | undefined => {
		const tokens: unknown[] = [];
		let from = 0;
		const addText = (text: string) => {
			if (!plainText.test(text)) return false;
			for (const value of text) {
				let token = charTokens.get(value);
				if (!token) charTokens.set(value, (token = {type: 'char', value, fullWidth: false}));
				tokens.push(token);
			}
			return true;
		};
		for (const match of line.matchAll(sgrCode)) {
			if (!addText(line.slice(from, match.index))) return undefined;
			const code = match[0];
			let codes = codeTokens.get(code);
			if (!codes) {
				// An SGR code's tokens depend on the code alone; the few the app uses are kept.
				if (codeTokens.size > 256) codeTokens.clear();
				codeTokens.set(code, (codes = tokenize(code)));
			}
			tokens.push(...codes);
			from = match.index + code.length;
		}
		return addText(line.slice(from)) ? tokens : undefined;
	};
	const widestLine = (text: string) =>
		blockWidths.get(text, () => {
			let lineWidth = 0;
			for (const line of text.split('\n')) lineWidth = Math.max(lineWidth, widthOf(line));
			return lineWidth;
		});

	/** Ink's row: blank cells, each write's styled chars placed from its column, wide characters padded. */
	const buildRow = (width: number, writes: RowWrites): string => {
		const row: Array<StyledChar | undefined> = [];
		for (let x = 0; x < width; x++) row.push(blank);
		for (let index = 0; index < writes.length; index += 2) {
			let offsetX = writes[index] as number;
			for (const character of styledCharsOf(writes[index + 1] as string)) {
				row[offsetX] = character;
				const characterWidth = Math.max(1, widthOf(character.value));
				if (characterWidth > 1) {
					for (let fill = 1; fill < characterWidth; fill++) {
						row[offsetX + fill] = {type: 'char', value: '', fullWidth: false, styles: character.styles};
					}
				}
				offsetX += characterWidth;
			}
		}
		// See https://github.com/vadimdemedes/ink/pull/564#issuecomment-1637022742
		return charsToString(row.filter((item): item is StyledChar => item !== undefined)).trimEnd();
	};

	/**
	 * ansi-tokenize's styledCharsToString, without its work where a cell has the
	 * same styles as the one before (most cells): there the diff it would
	 * compute (three Sets and two arrays per cell) is empty, since every code of
	 * each side is matched in the other.
	 */
	const charsToString = (chars: StyledChar[]): string => {
		let text = '';
		for (let index = 0; index < chars.length; index++) {
			const char = chars[index]!;
			if (index === 0) {
				text += ansiCodesToString(char.styles);
			} else {
				const before = chars[index - 1]!.styles;
				if (!sameStyles(before, char.styles)) text += ansiCodesToString(diffAnsiCodes(before, char.styles));
			}
			text += char.value;
			if (index === chars.length - 1) text += ansiCodesToString(diffAnsiCodes(char.styles, []));
		}
		return text;
	};

	return class RowCachedOutput {
		width: number;
		height: number;
		operations: Operation[] = [];

		constructor(options: {width: number; height: number}) {
			this.width = options.width;
			this.height = options.height;
		}

		write(x: number, y: number, text: string, options: {transformers: Transformer[]}): void {
			if (!text) return;
			this.operations.push({type: 'write', x, y, text, transformers: options.transformers});
		}

		clip(clip: Clip): void {
			this.operations.push({type: 'clip', clip});
		}

		unclip(): void {
			this.operations.push({type: 'unclip'});
		}

		get(): {output: string; height: number} {
			for (const memo of [styledChars, widths, blockWidths, rowStrings]) memo.turn();
			const rows: RowWrites[] = [];
			for (let y = 0; y < this.height; y++) rows.push([]);
			const clips: Clip[] = [];
			for (const operation of this.operations) {
				if (operation.type === 'clip') clips.push(operation.clip);
				if (operation.type === 'unclip') clips.pop();
				if (operation.type === 'write') this.#place(operation, clips.at(-1), rows);
			}

			const output = rows.map((writes) => {
				// The key is exact (each line's length keeps it unambiguous): the width and every (column, line) in order.
				let key = String(this.width);
				for (let index = 0; index < writes.length; index += 2) {
					const line = writes[index + 1] as string;
					key += `\u0000${writes[index]},${line.length},${line}`;
				}
				return rowStrings.get(key, () => buildRow(this.width, writes));
			});
			return {output: output.join('\n'), height: rows.length};
		}

		/** Ink's clipping and line placement, recording each line's column on its row instead of drawing it. */
		#place(operation: Extract<Operation, {type: 'write'}>, clip: Clip | undefined, rows: RowWrites[]): void {
			const {text, transformers} = operation;
			let {x, y} = operation;
			let lines = text.split('\n');
			if (clip) {
				const clipHorizontally = typeof clip.x1 === 'number' && typeof clip.x2 === 'number';
				const clipVertically = typeof clip.y1 === 'number' && typeof clip.y2 === 'number';
				// Outside the clip altogether: nothing to draw.
				if (clipHorizontally) {
					const width = widestLine(text);
					if (x + width < clip.x1! || x > clip.x2!) return;
				}
				if (clipVertically) {
					const height = lines.length;
					if (y + height < clip.y1! || y > clip.y2!) return;
				}
				if (clipHorizontally) {
					lines = lines.map((line) => {
						const from = x < clip.x1! ? clip.x1! - x : 0;
						const width = widthOf(line);
						const to = x + width > clip.x2! ? clip.x2! - x : width;
						return sliceAnsi(line, from, to);
					});
					if (x < clip.x1!) x = clip.x1!;
				}
				if (clipVertically) {
					const from = y < clip.y1! ? clip.y1! - y : 0;
					const height = lines.length;
					const to = y + height > clip.y2! ? clip.y2! - y : height;
					lines = lines.slice(from, to);
					if (y < clip.y1!) y = clip.y1!;
				}
			}

			// As in Ink, a line that falls outside the frame does not advance to the next row.
			let offsetY = 0;
			for (let [index, line] of lines.entries()) {
				const row = rows[y + offsetY];
				if (!row) continue;
				for (const transformer of transformers) line = transformer(line, index);
				row.push(x, line);
				offsetY++;
			}
		}
	};
}
