/**
 * The global bandwidth cap (`--limit-rate`): one token bucket shared by every
 * transfer, changeable while running. Writers ask how long to wait before
 * handing on a chunk; waiting holds back the socket (TCP backpressure), so
 * the cap applies to what comes over the network, not only to the disk.
 */
export class RateLimiter {
	#rate: number;
	#tokens = 0;
	readonly #now: () => number;
	#last: number;

	/** `bytesPerSecond` 0 = unlimited; `now` is the clock (ms), replaceable in tests. */
	constructor(bytesPerSecond: number, now: () => number = () => performance.now()) {
		this.#rate = Math.max(0, bytesPerSecond);
		this.#now = now;
		this.#last = now();
	}

	get rate(): number {
		return this.#rate;
	}

	set rate(bytesPerSecond: number) {
		this.#refill();
		this.#rate = Math.max(0, bytesPerSecond);
		this.#tokens = Math.min(this.#tokens, this.#burst());
	}

	/** Take `bytes` from the bucket; returns the ms to wait before going on (0 = go now). */
	take(bytes: number): number {
		if (this.#rate === 0) return 0;
		this.#refill();
		this.#tokens -= bytes;
		return this.#tokens >= 0 ? 0 : Math.ceil((-this.#tokens / this.#rate) * 1000);
	}

	// A tenth of a second of burst keeps the rate smooth without starving small chunks.
	#burst(): number {
		return Math.max(16 * 1024, this.#rate / 10);
	}

	#refill(): void {
		const now = this.#now();
		this.#tokens = Math.min(this.#burst(), this.#tokens + ((now - this.#last) / 1000) * this.#rate);
		this.#last = now;
	}
}
