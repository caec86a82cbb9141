/**
 * SQLite FTS5's `unicode61 remove_diacritics 2` tokenizer (the archive's
 * jobs_fts) in plain TypeScript, for search where there is no SQLite: the
 * HTML gallery. Text splits into tokens at separators; each character of a
 * token is case- and accent-folded (`Zürich` → `zurich`), combining accents
 * vanish. The per-code-point table is measured from SQLite itself
 * (scripts/unicode61-table.ts), so both sides agree character for character.
 */
import {unicode61Runs} from './unicode61-table.js';

const separator = -1;
/** A token character that folds to nothing (a combining accent). */
const removed = -2;
const bmpSize = 0x1_00_00;

/** Run starts and, per run, separator / removed / the fold delta. */
const runStarts: number[] = [];
const runKinds: number[] = [];
let start = 0;
for (let i = 0; i < unicode61Runs.length; i += 2) {
	start += unicode61Runs[i] as number;
	const kind = unicode61Runs[i + 1]!;
	runStarts.push(start);
	// A delta is an offset to another code point; the two markers sit outside any delta's range.
	runKinds.push(kind === 'S' ? separator : kind === 'R' ? removed : (kind as number) + 0x20_00_00);
}

/** What a code point becomes: separator, removed, or its folded code point. */
function foldOf(codePoint: number): number {
	let low = 0;
	let high = runStarts.length - 1;
	while (low < high) {
		const middle = (low + high + 1) >> 1;
		if (runStarts[middle]! <= codePoint) low = middle;
		else high = middle - 1;
	}

	const kind = runKinds[low]!;
	return kind < 0 ? kind : codePoint + kind - 0x20_00_00;
}

/** The Basic Multilingual Plane decoded once: nearly every character of a prompt is looked up in one array read. */
let bmp: Int32Array | undefined;

function foldedBmp(): Int32Array {
	if (!bmp) {
		// Filled run by run (a binary search per code point cost 5 ms of the first search).
		bmp = new Int32Array(bmpSize);
		for (let run = 0; run < runStarts.length && runStarts[run]! < bmpSize; run++) {
			const kind = runKinds[run]!;
			const end = Math.min(runStarts[run + 1] ?? bmpSize, bmpSize);
			for (let c = runStarts[run]!; c < end; c++) bmp[c] = kind < 0 ? kind : c + kind - 0x20_00_00;
		}
	}

	return bmp;
}

/** The tokens FTS5 would index for this text, folded, in order (empty tokens are skipped, as FTS5 does). */
export function unicode61Tokens(text: string): string[] {
	const table = foldedBmp();
	const tokens: string[] = [];
	// A token that folding leaves as it is (most of them) is sliced from the text, not built a character at a time.
	let start = -1;
	let folded: number[] | undefined;
	const end = (at: number) => {
		// Spread only short arrays into a call: a hostile prompt may hold one token of a million characters.
		const token = folded ? (folded.length <= 4096 ? String.fromCodePoint(...folded) : folded.map(codePoint => String.fromCodePoint(codePoint)).join('')) : text.slice(start, at);
		if (token !== '') tokens.push(token);
		start = -1;
		folded = undefined;
	};

	for (let i = 0; i < text.length; i++) {
		const at = i;
		let codePoint = text.charCodeAt(i);
		if (codePoint >= 0xd8_00 && codePoint <= 0xdb_ff && i + 1 < text.length) {
			const next = text.charCodeAt(i + 1);
			if (next >= 0xdc_00 && next <= 0xdf_ff) {
				codePoint = ((codePoint - 0xd8_00) << 10) + (next - 0xdc_00) + bmpSize;
				i++;
			}
		}

		// A lone surrogate is looked up as itself: the table gives surrogates U+FFFD's kind, which is what SQLite receives.
		const fold = codePoint < bmpSize ? table[codePoint]! : foldOf(codePoint);
		if (fold === separator) {
			if (start !== -1) end(at);
			continue;
		}

		if (start === -1) start = at;
		if (!folded && fold !== codePoint) folded = [...text.slice(start, at)].map(character => character.codePointAt(0)!);
		if (folded && fold !== removed) folded.push(fold);
	}

	if (start !== -1) end(text.length);
	return tokens;
}
