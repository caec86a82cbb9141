/**
 * Pictures made recently, by (file content, cell box, renderer): a bounded
 * LRU in memory, so stepping back to a job shows its picture at once.
 */

/** A bounded least-recently-used map that also caps the summed `weight` of its values. */
export class PictureCache<Value> {
	readonly #entries = new Map<string, {value: Value; weight: number}>();
	readonly #maxEntries: number;
	readonly #maxWeight: number;
	#weight = 0;

	constructor(maxEntries: number, maxWeight: number) {
		this.#maxEntries = maxEntries;
		this.#maxWeight = maxWeight;
	}

	/** The value under `key` (now the most recently used), if cached. */
	get(key: string): Value | undefined {
		const entry = this.#entries.get(key);
		if (!entry) return undefined;
		this.#entries.delete(key);
		this.#entries.set(key, entry);
		return entry.value;
	}

	/** Keep `value`; the least recently used go until both bounds hold (a value heavier than the bound is not kept). */
	set(key: string, value: Value, weight: number): void {
		this.delete(key);
		if (weight > this.#maxWeight) return;
		this.#entries.set(key, {value, weight});
		this.#weight += weight;
		for (const [oldest, entry] of this.#entries) {
			if (this.#entries.size <= this.#maxEntries && this.#weight <= this.#maxWeight) break;
			this.#entries.delete(oldest);
			this.#weight -= entry.weight;
		}
	}

	delete(key: string): void {
		const entry = this.#entries.get(key);
		if (!entry) return;
		this.#entries.delete(key);
		this.#weight -= entry.weight;
	}

	get size(): number {
		return this.#entries.size;
	}
}
