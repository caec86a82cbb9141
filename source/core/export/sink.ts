/**
 * Buffered writing with backpressure: text collects into ~256 KiB chunks and
 * each chunk waits for the stream to drain, so a slow disk slows the export
 * down instead of filling memory. Secrets are redacted per chunk (one pass
 * over 256 KiB costs far less than one per record); a chunk is cut after its
 * last line break and the rest carried over, and since no secret holds a line
 * break, none can straddle two chunks unredacted.
 */
import {once} from 'node:events';
import {createWriteStream, type WriteStream} from 'node:fs';
import {rename, rm} from 'node:fs/promises';
import {redact} from '../secrets.js';
import {temporaryPathFor} from '../temp-files.js';

const flushAt = 256 * 1024;

export class ExportSink {
	readonly #stream: WriteStream;
	readonly #temporary: string;
	readonly #target: string;
	#pending: string[] = [];
	#pendingLength = 0;

	/** Writes go to a temp beside `target` (see temp-files.ts) and appear at `target` only when complete. */
	constructor(target: string) {
		this.#target = target;
		this.#temporary = temporaryPathFor(target, 'export');
		this.#stream = createWriteStream(this.#temporary);
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
		if (cut === 0) return;
		if (!this.#stream.write(redact(text.slice(0, cut)))) await once(this.#stream, 'drain');
	}

	/** Flush, close and move into place. */
	async close(): Promise<void> {
		await this.#flush(true);
		await new Promise<void>((resolve, reject) => {
			this.#stream.once('error', reject);
			this.#stream.end(() => resolve());
		});
		await rename(this.#temporary, this.#target);
	}

	/** Give up: remove the partial output. */
	async abort(): Promise<void> {
		this.#stream.destroy();
		await rm(this.#temporary, {force: true});
	}
}
