/**
 * Bytes per second over the last few seconds, from samples taken at snapshot
 * time (~10 Hz), never per chunk. The speed is what moved inside the window,
 * so it falls to zero once nothing has moved for a window's length, however
 * long ago the last sample was taken.
 */
export class SpeedMeter {
	readonly #windowMs: number;
	#samples: Array<{t: number; bytes: number}> = [];

	constructor(windowMs = 3000) {
		this.#windowMs = windowMs;
	}

	/** Record the running byte count at `now`; returns the current speed. */
	sample(bytes: number, now = performance.now()): number {
		const last = this.#samples.at(-1);
		if (!last || now - last.t >= 50) this.#samples.push({t: now, bytes});
		const start = now - this.#windowMs;
		// Keep one sample at or before the window's start: the count there is read off the line from it to the next.
		while (this.#samples.length > 2 && this.#samples[1]!.t <= start) this.#samples.shift();
		const first = this.#samples[0]!;
		if (now - first.t < 200) return 0;
		const from = Math.max(first.t, start);
		const elapsed = (now - from) / 1000;
		return Math.max(0, (bytes - this.#bytesAt(from)) / elapsed);
	}

	/** The count at time `t` (within the samples), assuming bytes arrived evenly between two samples. */
	#bytesAt(t: number): number {
		const [first, second] = this.#samples;
		if (!second || t <= first!.t) return first!.bytes;
		if (t >= second.t) return second.bytes;
		return first!.bytes + ((second.bytes - first!.bytes) * (t - first!.t)) / (second.t - first!.t);
	}

	/** Forget history (e.g. the partial restarted from zero). */
	reset(): void {
		this.#samples = [];
	}
}
