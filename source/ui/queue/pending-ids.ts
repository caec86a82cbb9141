/**
 * Every pending file's id in one order, as a compact array (4 bytes a file:
 * a queue of 500,000 files costs 2 MB, not 500,000 objects), with a lookup
 * from id to position for keeping the selection on its file.
 */
export class PendingIds {
	readonly ids: Int32Array;
	/** Positions in `ids`, ordered by the id there: binary search finds an id's position. */
	readonly #byId: Int32Array;

	constructor(ids: Int32Array) {
		this.ids = ids;
		this.#byId = Int32Array.from(ids.keys()).sort((a, b) => ids[a]! - ids[b]!);
	}

	/** Where `id` is in `ids`, or -1. */
	positionOf(id: number): number {
		let low = 0;
		let high = this.#byId.length - 1;
		while (low <= high) {
			const middle = (low + high) >>> 1;
			const position = this.#byId[middle]!;
			const here = this.ids[position]!;
			if (here === id) return position;
			if (here < id) low = middle + 1;
			else high = middle - 1;
		}
		return -1;
	}
}
