/**
 * Buffered writing with backpressure: text collects into ~256 KiB chunks and
 * each chunk waits for the stream to drain, so a slow disk slows the export
 * down instead of filling memory.
 */
import {once} from 'node:events';
import {createWriteStream, type WriteStream} from 'node:fs';
import {rename, rm} from 'node:fs/promises';
import {redact} from '../secrets.js';

const flushAt = 256 * 1024;

export class ExportSink {
	readonly #stream: WriteStream;
	readonly #temporary: string;
	readonly #target: string;
	#pending: string[] = [];
	#pendingLength = 0;

	/** Writes go to `<target>.tmp` and appear at `target` only when complete. */
	constructor(target: string) {
		this.#target = target;
		this.#temporary = `${target}.tmp`;
		this.#stream = createWriteStream(this.#temporary);
	}

	/** Queue text; resolves at once unless a chunk is waiting for the disk. Secrets are redacted on the way out. */
	async write(text: string): Promise<void> {
		// Per write (one record), so a secret can never straddle two chunks unredacted.
		const safe = redact(text);
		this.#pending.push(safe);
		this.#pendingLength += safe.length;
		if (this.#pendingLength >= flushAt) await this.#flush();
	}

	async #flush(): Promise<void> {
		if (this.#pending.length === 0) return;
		const chunk = this.#pending.join('');
		this.#pending = [];
		this.#pendingLength = 0;
		if (!this.#stream.write(chunk)) await once(this.#stream, 'drain');
	}

	/** Flush, fsync-close and move into place. */
	async close(): Promise<void> {
		await this.#flush();
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
