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

/** Steps at which bytes held back by the rate cap are counted (about ten a second). */
const payOutStepMs = 100;

/**
 * Hand `bytes` to `count` in even steps over `waitMs`, then call `done`; every byte is counted before it.
 * Once `aborted()` the rest is counted at the next step and `done` follows at once (a pause does not wait out the cap).
 */
export function payOut(bytes: number, waitMs: number, count: (bytes: number) => void, done: () => void, aborted: () => boolean = () => false): void {
	const steps = Math.max(1, Math.ceil(waitMs / payOutStepMs));
	let paid = 0;
	let step = 0;
	const next = () => {
		step = aborted() ? steps : step + 1;
		const due = Math.round((bytes * step) / steps);
		count(due - paid);
		paid = due;
		if (step < steps) setTimeout(next, waitMs / steps);
		else done();
	};
	setTimeout(next, waitMs / steps);
}
