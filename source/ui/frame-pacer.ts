/**
 * The stream Ink draws into: caps frames reaching the terminal at `maxFps`
 * (a true throttle), and knows when a frame last went out.
 *
 * Ink 6.8's own `maxFps` is not a throttle: es-toolkit's compat throttle it
 * uses restarts its wait on every call, so a commit 50 ms after a frame is
 * drawn a whole interval after that commit (a typed letter waited 67-83 ms
 * behind the previous query's hits). So Ink runs with a short interval that
 * only merges the commits of one burst, and frames are paced here instead: a
 * write goes out at once when the last one is an interval old, otherwise it
 * is held and goes out, joined with any later writes, an interval after the
 * last one. Writes are only ever joined, never dropped, so Ink's incremental
 * frames stay exact.
 *
 * A key's frame is paced only against the frames of earlier keys, not
 * against frames no key caused (a picture arriving, a progress tick): behind
 * one of those a key waited up to a whole interval, the tail of scrolling with
 * previews on. So keys held down still reach the terminal at `maxFps`, and a
 * key never waits for the background's frames.
 *
 * Knowing when a frame is out lets main-thread work wait for it (search runs
 * its query after the typed letter is on the terminal, see afterFrameSince).
 */
import {keepCursorOnLastLine} from './frame-cursor-fix.js';

/** Frames per second that reach the terminal: inside the 10-15 an SSH link is happy with. */
export const maxFps = 15;

/** What Ink itself is given: short enough to add no visible wait, long enough to merge one burst of commits. */
export const inkMaxFps = 100;

/** When frames reach the terminal: what main-thread work waits on. */
export interface FrameSignal {
	/** Writes that reached the terminal so far. */
	readonly writes: number;
	/** Run `callback` once a write newer than `seenWrites` is out; returns a cancel function. */
	afterFrameSince(seenWrites: number, callback: () => void): () => void;
}

/** For a renderer with no paced terminal (ink-testing-library): nothing to wait for. */
export const unpacedFrames: FrameSignal = {
	writes: 0,
	afterFrameSince(_seenWrites, callback) {
		const timer = setTimeout(callback, 0);
		return () => clearTimeout(timer);
	},
};

export class FramePacer implements FrameSignal {
	writes = 0;
	/** The stream to hand Ink: `stdout` with writes corrected (frame-cursor-fix.ts) and paced. */
	readonly stream: NodeJS.WriteStream;
	readonly #stdout: NodeJS.WriteStream;
	readonly #intervalMs: number;
	#pending: string[] = [];
	#lastWriteAt = Number.NEGATIVE_INFINITY;
	/** When the last frame answering a key went out, and when a key was last read. */
	#lastKeyFrameAt = Number.NEGATIVE_INFINITY;
	#keyReadAt = Number.NEGATIVE_INFINITY;
	#timer: NodeJS.Timeout | undefined;
	/** When the held frames are due (performance.now()). */
	#due = 0;
	readonly #waiting = new Set<() => void>();
	readonly #frameListeners = new Set<() => void>();

	constructor(stdout: NodeJS.WriteStream, fps = maxFps) {
		this.#stdout = stdout;
		this.#intervalMs = Math.ceil(1000 / fps);
		const write = (chunk: unknown, encodingOrCallback?: unknown, callback?: unknown) => {
			const done = [encodingOrCallback, callback].find((argument) => typeof argument === 'function') as (() => void) | undefined;
			this.#write(typeof chunk === 'string' ? keepCursorOnLastLine(chunk) : String(chunk));
			if (done) queueMicrotask(done);
			return true;
		};

		this.stream = withMethod(stdout, 'write', write);
	}

	/**
	 * Ink's stdin, seen through this pacer: each chunk Ink reads is a key (or
	 * a paste), and the frame that follows answers it (see the class comment).
	 */
	watchInput(stdin: NodeJS.ReadStream): NodeJS.ReadStream {
		const read = (size?: number) => {
			const chunk = stdin.read(size) as unknown;
			if (chunk !== null) this.#keyReadAt = performance.now();
			return chunk;
		};
		return withMethod(stdin, 'read', read);
	}

	/** Write everything held now (before anything else is written to the terminal directly: a resize's clear, leaving the screen). */
	flush(): void {
		clearTimeout(this.#timer);
		this.#timer = undefined;
		if (this.#pending.length === 0) return;
		const text = this.#pending.join('');
		this.#pending = [];
		this.#send(text);
	}

	/**
	 * Run `callback` once a write newer than `seenWrites` is on the terminal:
	 * at once when one already is, else after the next one. A commit that
	 * changed nothing on screen writes nothing, so an interval later it runs
	 * anyway. Returns a cancel function.
	 */
	afterFrameSince(seenWrites: number, callback: () => void): () => void {
		let timer: NodeJS.Timeout | undefined;
		const run = () => {
			this.#waiting.delete(run);
			clearTimeout(timer);
			timer = setTimeout(callback, 0);
		};

		if (this.writes > seenWrites) {
			timer = setTimeout(callback, 0);
		} else {
			this.#waiting.add(run);
			timer = setTimeout(run, this.#intervalMs + 10);
		}

		return () => {
			this.#waiting.delete(run);
			clearTimeout(timer);
		};
	}

	/** Run `listener` after every write that reaches the terminal (pictures drawn over the frame redraw then); returns a remove function. */
	onFrame(listener: () => void): () => void {
		this.#frameListeners.add(listener);
		return () => this.#frameListeners.delete(listener);
	}

	/** A key read since the last frame went out: the next frame answers it. */
	get #answersKey(): boolean {
		return this.#keyReadAt > this.#lastWriteAt;
	}

	#write(text: string): void {
		this.#pending.push(text);
		const now = performance.now();
		const since = this.#answersKey ? this.#lastKeyFrameAt : this.#lastWriteAt;
		// Ink writes one frame as a few chunks in one go: even with no wait they go out together, a turn later.
		const wait = Math.max(0, since + this.#intervalMs - now);
		if (this.#timer && this.#due <= now + wait) return;
		clearTimeout(this.#timer);
		this.#due = now + wait;
		this.#timer = setTimeout(() => this.flush(), wait);
	}

	#send(text: string): void {
		this.#stdout.write(text);
		const now = performance.now();
		if (this.#answersKey) this.#lastKeyFrameAt = now;
		this.#lastWriteAt = now;
		this.writes++;
		for (const wake of [...this.#waiting]) wake();
		for (const listener of this.#frameListeners) listener();
	}
}

/** `target` with one method replaced; every other property is the target's own (methods bound to it, as Ink and Node expect of a stream). */
function withMethod<T extends object>(target: T, name: PropertyKey, method: (...args: never[]) => unknown): T {
	return new Proxy(target, {
		get(object, property) {
			if (property === name) return method;
			const value = Reflect.get(object, property, object) as unknown;
			return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(object) : value;
		},
	});
}
