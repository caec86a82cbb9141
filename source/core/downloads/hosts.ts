/**
 * Per-host politeness: at most N transfers per host at once, and a hold on a
 * host that answered 429/503 with Retry-After (its concurrency lowered until
 * it proves healthy again), so one unhappy server does not get hammered while
 * others keep going.
 */

interface HostState {
	active: number;
	/** Current limit: the configured one, lowered after rate limiting. */
	limit: number;
	heldUntil: number;
	/** Successes since the last lowering; the limit climbs back one step per streak. */
	streak: number;
	waiters: Array<() => void>;
	timer?: NodeJS.Timeout;
}

const recoverAfterSuccesses = 8;

export class HostGate {
	#perHost: number;
	#hosts = new Map<string, HostState>();
	readonly #now: () => number;

	/** `now` is the clock (epoch ms), replaceable in tests. */
	constructor(perHost: number, now: () => number = Date.now) {
		this.#perHost = Math.max(1, perHost);
		this.#now = now;
	}

	get perHost(): number {
		return this.#perHost;
	}

	/** Change the per-host limit live; lowered hosts restart from the new value. */
	setPerHost(n: number): void {
		this.#perHost = Math.max(1, Math.floor(n));
		for (const state of this.#hosts.values()) {
			state.limit = this.#perHost;
			this.#wake(state);
		}
	}

	/** When the host may be asked again (epoch ms), or null when it is not held. */
	heldUntil(host: string): number | null {
		const state = this.#hosts.get(host);
		return state && state.heldUntil > this.#now() ? state.heldUntil : null;
	}

	/** How many transfers `host` may run at once now: 0 while held, else its limit (lowered after rate limiting). */
	capacityOf(host: string): number {
		const state = this.#hosts.get(host);
		if (!state) return this.#perHost;
		return state.heldUntil > this.#now() ? 0 : state.limit;
	}

	/** Wait for a slot on `host`; resolves with the release function, rejects when `signal` aborts. */
	async acquire(host: string, signal: AbortSignal): Promise<() => void> {
		const state = this.#state(host);
		while (!this.#free(state)) {
			signal.throwIfAborted();
			await new Promise<void>((resolve, reject) => {
				const wake = (): void => {
					signal.removeEventListener('abort', onAbort);
					resolve();
				};
				const onAbort = (): void => {
					state.waiters = state.waiters.filter((w) => w !== wake);
					reject(signal.reason);
				};
				state.waiters.push(wake);
				signal.addEventListener('abort', onAbort, {once: true});
			});
		}
		state.active++;
		let released = false;
		return () => {
			if (released) return;
			released = true;
			state.active--;
			this.#wake(state);
		};
	}

	/** The host asked us to back off for `ms`: hold it and halve its concurrency. */
	hold(host: string, ms: number): void {
		const state = this.#state(host);
		state.heldUntil = Math.max(state.heldUntil, this.#now() + ms);
		state.limit = Math.max(1, Math.floor(state.limit / 2));
		state.streak = 0;
		clearTimeout(state.timer);
		// Not unref'd: when every transfer waits on this host, this timer is all that keeps the process alive
		// (an unref'd one let Node exit 13 mid-run). close() clears it.
		state.timer = setTimeout(() => this.#wake(state), Math.max(0, state.heldUntil - this.#now()) + 1);
	}

	/** A transfer from `host` went well: after a streak, give back one slot. */
	succeeded(host: string): void {
		const state = this.#state(host);
		if (state.limit >= this.#perHost) return;
		if (++state.streak >= recoverAfterSuccesses) {
			state.streak = 0;
			state.limit++;
			this.#wake(state);
		}
	}

	/** Forget timers (engine shutdown). */
	close(): void {
		for (const state of this.#hosts.values()) clearTimeout(state.timer);
	}

	#state(host: string): HostState {
		let state = this.#hosts.get(host);
		if (!state) {
			state = {active: 0, limit: this.#perHost, heldUntil: 0, streak: 0, waiters: []};
			this.#hosts.set(host, state);
		}
		return state;
	}

	#free(state: HostState): boolean {
		return state.active < state.limit && state.heldUntil <= this.#now();
	}

	#wake(state: HostState): void {
		// Wake everyone: each re-checks in acquire()'s loop, so no slot is handed out twice.
		const waiters = state.waiters;
		state.waiters = [];
		for (const wake of waiters) wake();
	}
}
