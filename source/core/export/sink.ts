/**
 * Buffered writing with backpressure: text collects into ~256 KiB chunks and
 * each chunk waits for the stream to drain, so a slow disk slows the export
 * down instead of filling memory. Secrets are redacted per chunk (one pass
 * over 256 KiB costs far less than one per record); a chunk is cut after its
 * last line break and the rest carried over, and since no secret holds a line
 * break, none can straddle two chunks unredacted.
 */
import {once} from 'node:events';
import {createWriteStream, statSync} from 'node:fs';
import {rename, rm} from 'node:fs/promises';
import {redact} from '../secrets.js';
import {temporaryPathFor} from '../temp-files.js';

const flushAt = 256 * 1024;

/** `--out -`: the export goes to standard output. */
export const standardOutput = '-';

/**
 * True when `target` exists and is no regular file or folder (a FIFO, a
 * character device such as /dev/null or /dev/stdout): it is written to
 * directly, since renaming a temp over it would replace the device itself.
 */
export function isSpecialFile(target: string): boolean {
	const info = statSync(target, {throwIfNoEntry: false});
	return info !== undefined && !info.isFile() && !info.isDirectory();
}

export class ExportSink {
	readonly #stream: NodeJS.WritableStream;
	/** The temp renamed into place on close; undefined when writing straight to a FIFO, device or stdout. */
	readonly #temporary: string | undefined;
	readonly #target: string;
	readonly #ownsStream: boolean;
	readonly #signal: AbortSignal | undefined;
	#pending: string[] = [];
	#pendingLength = 0;
	/** A write that failed (a full disk, a reader gone): reported by the next write or close, never as an unhandled 'error'. */
	#failure: Error | undefined;

	/**
	 * A regular `target` is written through a temp beside it (see temp-files.ts) and appears only when complete;
	 * a FIFO or device is written directly; `stdout` (for `--out -`) is written and left open.
	 * `signal` stops a write that waits for a slow reader.
	 */
	constructor(target: string, options: {stdout?: NodeJS.WritableStream; signal?: AbortSignal} = {}) {
		this.#target = target;
		this.#signal = options.signal;
		if (target === standardOutput && options.stdout) {
			this.#stream = options.stdout;
			this.#ownsStream = false;
		} else {
			this.#temporary = isSpecialFile(target) ? undefined : temporaryPathFor(target, 'export');
			this.#stream = createWriteStream(this.#temporary ?? target);
			this.#ownsStream = true;
			this.#stream.on('error', error => {
				this.#failure ??= error;
			});
		}
	}

	/** Queue text; returns a promise only when a chunk must wait for the disk (await it), else undefined. */
	write(text: string): Promise<void> | undefined {
		this.#pending.push(text);
		this.#pendingLength += text.length;
		return this.#pendingLength >= flushAt ? this.#flush(false) : undefined;
	}

	async #flush(final: boolean): Promise<void> {
		const text = this.#pending.join('');
		const cut = final ? text.length : text.lastIndexOf('\n') + 1;
		this.#pending = cut < text.length ? [text.slice(cut)] : [];
		this.#pendingLength = text.length - cut;
		if (this.#failure) throw this.#failure;
		if (cut === 0) return;
		if (!this.#stream.write(redact(text.slice(0, cut)))) await once(this.#stream, 'drain', {signal: this.#signal});
	}

	/** Flush, close and move into place. */
	async close(): Promise<void> {
		await this.#flush(true);
		if (!this.#ownsStream) return;
		const stream = this.#stream;
		await new Promise<void>((resolve, reject) => {
			stream.once('error', reject);
			stream.end(() => resolve());
		});
		if (this.#failure) throw this.#failure;
		if (this.#temporary) await rename(this.#temporary, this.#target);
	}

	/** Give up: remove the partial output (a FIFO or device keeps what it was sent; stdout stays open). */
	async abort(): Promise<void> {
		if (!this.#ownsStream) return;
		(this.#stream as NodeJS.WritableStream & {destroy(): void}).destroy();
		if (this.#temporary) await rm(this.#temporary, {force: true});
	}
}
