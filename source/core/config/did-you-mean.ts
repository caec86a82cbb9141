/**
 * "Did you mean ...?" for mistyped config keys, env variables, flags and
 * subcommands. Spelling variants (`page_size`, `page-size`, `PAGESIZE`) match
 * exactly; otherwise the closest name within a small edit distance wins.
 */

const fold = (name: string): string => name.toLowerCase().replace(/[-_\s]/g, '');

/** Levenshtein distance; names here are short, so the plain two-row version is plenty. */
function distance(a: string, b: string): number {
	let previous = Array.from({length: b.length + 1}, (_, index) => index);
	for (let i = 1; i <= a.length; i++) {
		const current = [i];
		for (let j = 1; j <= b.length; j++) {
			current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
		}
		previous = current;
	}
	return previous[b.length]!;
}

/** The candidate `name` most likely meant, or undefined when none is close. */
export function didYouMean(name: string, candidates: readonly string[]): string | undefined {
	const folded = fold(name);
	let best: string | undefined;
	let bestDistance = Math.max(2, Math.floor(folded.length / 3)) + 1;
	for (const candidate of candidates) {
		const d = distance(folded, fold(candidate));
		if (d < bestDistance) {
			best = candidate;
			bestDistance = d;
		}
	}
	return best;
}
