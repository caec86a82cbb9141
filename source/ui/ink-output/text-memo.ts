/**
 * Caches for the pure text functions Ink runs on every frame (a string's
 * width, its tokens), kept across frames: most of a frame is the previous
 * frame's strings. Bounded by generations: what the current and the previous
 * generation used is kept, anything older is dropped.
 */

/** A cache of what the current and the previous generation used; `turn()` starts a new generation. */
export class GenerationMemo<V> {
	#current = new Map<string, V>();
	#previous = new Map<string, V>();

	/** The value for `key`, computed once per two generations at most. */
	get(key: string, compute: (key: string) => V): V {
		let value = this.#current.get(key);
		if (value !== undefined) return value;
		value = this.#previous.get(key);
		if (value === undefined) value = compute(key);
		this.#current.set(key, value);
		return value;
	}

	/** Entries used in the current generation. */
	get size(): number {
		return this.#current.size;
	}

	/** Start a new generation: what the last one did not use is dropped at the next turn. */
	turn(): void {
		this.#previous = this.#current;
		this.#current = new Map();
	}
}

/**
 * `fn` (a pure function of one string) remembered for the last
 * `generationSize` to 2x that many distinct strings: for callers with no frame
 * to turn on (Ink's layout measures text from inside Yoga).
 */
export function memoiseText<V>(fn: (text: string) => V, generationSize: number): (text: string) => V {
	const memo = new GenerationMemo<V>();
	return (text) => {
		if (memo.size >= generationSize) memo.turn();
		return memo.get(text, fn);
	};
}
