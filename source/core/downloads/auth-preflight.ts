/**
 * The CDN's access check: until one file proves that the CDN lets us in, files
 * go one at a time, so a refused cookie costs one request and one clear error
 * instead of thousands of failed files. A challenge page later in the run
 * puts the engine back to one at a time until a file comes through again.
 */
export class AuthPreflight<Who> {
	#state: 'unchecked' | 'checking' | 'ok' = 'unchecked';
	#checker: Who | undefined;
	#waiters: Array<() => void> = [];

	/**
	 * Wait until `who` may start: at once when access is proven, as the checker
	 * when nobody checks, else after the current check. False when `stopped()` turned true meanwhile.
	 */
	async clear(who: Who, stopped: () => boolean): Promise<boolean> {
		while (this.#state !== 'ok') {
			if (stopped()) return false;
			if (this.#state === 'unchecked') {
				this.#state = 'checking';
				this.#checker = who;
				return true;
			}
			await new Promise<void>((resolve) => this.#waiters.push(resolve));
		}
		return true;
	}

	/** True when `who` is the file checking access now. */
	isChecker(who: Who): boolean {
		return this.#state === 'checking' && this.#checker === who;
	}

	/** A file came through (or the server answered in a way that is not a refusal): everyone may go. */
	passed(): void {
		if (this.#state !== 'ok') this.#end('ok');
	}

	/** The check ended without proof (stopped, failed otherwise): the next file checks again; waiters wake. */
	reset(): void {
		this.#end('unchecked');
	}

	/** `who` finished; if it was checking and proved nothing, hand the check on. */
	finished(who: Who): void {
		if (this.isChecker(who)) this.reset();
	}

	/** Back to one file at a time until one comes through (after a challenge page). */
	recheck(): void {
		if (this.#state === 'ok') this.#state = 'unchecked';
	}

	/** Forget a proven access (the user fixed a cookie and resumes): the next file checks afresh. */
	restart(): void {
		if (this.#state !== 'checking') this.#state = 'unchecked';
	}

	#end(state: 'ok' | 'unchecked'): void {
		this.#state = state;
		this.#checker = undefined;
		for (const wake of this.#waiters.splice(0)) wake();
	}
}

/**
 * Challenge pages on the CDN: one URL answered with Cloudflare's page is that
 * file's problem (it is retried, then fails); `limit` distinct URLs in a row
 * without a file coming through means the host blocks us, and the run stops.
 */
export class ChallengeWatch {
	readonly #urls = new Set<string>();

	constructor(readonly limit = 3) {}

	/** Count a challenge on `url`; true when challenges now persist across the host. */
	challenged(url: string): boolean {
		this.#urls.add(url);
		return this.#urls.size >= this.limit;
	}

	/** A file came through: the streak is broken. */
	succeeded(): void {
		this.#urls.clear();
	}
}
