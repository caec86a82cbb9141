/**
 * Bytes per second averaged over the last few seconds, from samples taken at
 * snapshot time (~10 Hz), never per chunk.
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
		while (this.#samples.length > 2 && now - this.#samples[0]!.t > this.#windowMs) this.#samples.shift();
		const first = this.#samples[0]!;
		const elapsed = (now - first.t) / 1000;
		return elapsed > 0.2 ? Math.max(0, (bytes - first.bytes) / elapsed) : 0;
	}

	/** Forget history (e.g. the partial restarted from zero). */
	reset(): void {
		this.#samples = [];
	}
}
