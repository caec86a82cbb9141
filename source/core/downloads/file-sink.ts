/**
 * The partial file a transfer's body goes into (transfer.ts makes one per
 * response worth keeping): first bytes checked before any reaches the disk,
 * batched writes at explicit offsets, the rate cap, and sha256 as the bytes
 * are written when asked.
 */
import {createHash, type Hash} from 'node:crypto';
import fs from 'node:fs';
import {Writable} from 'node:stream';
import {detectContentKind, headBytesNeeded} from './content-check.js';
import {payOut} from './rate-limit.js';
import {TransferError, type TransferContext} from './transfer-context.js';
import {writeAll} from './write-all.js';

/**
 * Received bytes are written in batches of this size: the socket delivers ~40-64 KiB at a time, and one
 * threadpool write per read made 25,000 write calls (and as many thread wake-ups) per GB on two busy cores.
 */
const writeBatch = 256 * 1024;
/** When the last write is older than this (a slow network), chunks are written as they arrive, not held back. */
const maxBatchAgeMs = 100;

/**
 * Writes the body into the partial at explicit offsets, checking its first
 * bytes before any reaches the disk. Chunks are collected into batches written with one writev, and there is no
 * await per chunk unless the rate cap asks for a pause. No fsync here:
 * finalise.ts syncs the partial before the rename, after the transfer has
 * handed its slot to the next file.
 */
export class FileSink extends Writable {
	/** Offset just past the last byte written. */
	offset: number;
	/** Set once the whole body is written: the fd, which the sink then no longer closes (see TransferResult.fd). */
	openFd: number | undefined;
	/** The whole file's SHA-256 once the body is written, when hashed while receiving. */
	sha256: string | undefined;
	/** `pending` until the first bytes are checked; a resumed partial was checked on disk. */
	kind: ReturnType<typeof detectContentKind> | 'pending' | 'checked';
	readonly #file: string;
	#fd = -1;
	readonly #accepted: readonly string[];
	readonly #context: TransferContext;
	readonly #stall: NodeJS.Timeout;
	readonly #signal: AbortSignal;
	/** Received, not written yet (the head may still turn out to be a page). */
	#batch: Buffer[] = [];
	#batchSize = 0;
	/** When the last write was issued; 0 so the first bytes go out at once. */
	#lastWrite = 0;
	readonly #hash: Hash | undefined; // fed each batch as written, from byte 0 only (a resumed prefix is on disk, not here)

	constructor(file: string, start: number, accepted: readonly string[], context: TransferContext, stall: NodeJS.Timeout, signal: AbortSignal, hash: boolean) {
		// Big enough to gather a batch while the previous one is written, small enough that the rate cap reaches the socket.
		super({highWaterMark: writeBatch});
		this.#signal = signal;
		this.#file = file;
		this.kind = start > 0 ? 'checked' : 'pending';
		this.offset = start;
		this.#accepted = accepted;
		this.#context = context;
		this.#stall = stall;
		this.#hash = hash && start === 0 ? createHash('sha256') : undefined;
	}

	/**
	 * Open the partial before the first write (Writable buffers until then).
	 * Asynchronous: creating files in a busy folder can take milliseconds,
	 * which a synchronous open would take from every other transfer.
	 */
	override _construct(callback: (error?: Error | null) => void): void {
		fs.open(this.#file, this.offset === 0 ? 'w' : 'r+', (error, fd) => {
			if (error) return callback(error);
			this.#fd = fd;
			if (this.offset === 0) return callback();
			fs.ftruncate(fd, this.offset, (truncateError) => callback(truncateError));
		});
	}

	override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
		this._writev([{chunk}], callback);
	}

	override _writev(chunks: Array<{chunk: Buffer}>, callback: (error?: Error | null) => void): void {
		// The response may be fully read while writes still drain (rate cap): an abort must stop them too.
		if (this.#signal.aborted) return callback(this.#abortError());
		this.#stall.refresh();
		for (const {chunk} of chunks) {
			this.#batch.push(chunk);
			this.#batchSize += chunk.length;
		}
		// Under a rate cap every chunk goes out at once, so the cap paces the socket chunk by chunk.
		const batching = this.#context.limiter.rate === 0 && performance.now() - this.#lastWrite < maxBatchAgeMs;
		if (batching && this.#batchSize < writeBatch) return callback();
		this.#writeBatch(callback);
	}

	override _final(callback: (error?: Error | null) => void): void {
		if (this.#signal.aborted) return callback(this.#abortError());
		const done = (error?: Error | null): void => {
			if (!error && this.#fd !== -1) {
				this.openFd = this.#fd;
				this.#fd = -1;
				this.sha256 = this.#hash?.digest('hex');
			}
			callback(error);
		};
		if (this.#batchSize === 0) return done();
		this.#writeBatch(done);
	}

	override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
		// _destroy runs only after a write in progress has called back, so the fd is free to close.
		if (this.#fd === -1) return callback(error);
		const close = (): void => fs.close(this.#fd, () => callback(error));
		// A body cut short (connection reset, truncation): bytes still gathered for the next batch are good data of
		// the file we want; on disk, the retry resumes after them instead of fetching them again. Not on an abort.
		const keep = error !== null && !this.#signal.aborted && this.#batchSize > 0 && (this.kind === 'checked' || this.#accepted.includes(this.kind));
		if (!keep) return close();
		const buffers = this.#batch;
		this.#batch = [];
		this.#batchSize = 0;
		writeAll(this.#fd, buffers, this.offset, close);
	}

	#abortError(): Error {
		return this.#signal.reason instanceof Error ? this.#signal.reason : new Error('aborted');
	}

	#checkHead(head: Buffer): TransferError | undefined {
		const kind = detectContentKind(head);
		this.kind = kind;
		if (this.#accepted.includes(kind)) return undefined;
		return kind === 'html'
			? new TransferError('fatal', 'got an HTML page (Cloudflare challenge?) instead of the file; not saved')
			: new TransferError('fatal', `content is ${kind}, expected ${this.#accepted.join('/')}; not saved`);
	}

	#writeBatch(callback: (error?: Error | null) => void): void {
		const buffers = this.#batch;
		const n = this.#batchSize;
		this.#batch = [];
		this.#batchSize = 0;
		// Hold the first bytes back until we know this is the file we want, not a page (a short body is checked at the end).
		if (this.kind === 'pending') {
			if (n < headBytesNeeded && !this.writableEnded) {
				this.#batch = buffers;
				this.#batchSize = n;
				return callback();
			}
			const error = this.#checkHead(Buffer.concat(buffers, Math.min(n, headBytesNeeded)));
			if (error) return callback(error);
		}
		const position = this.offset;
		this.#lastWrite = performance.now();
		for (const buffer of buffers) this.#hash?.update(buffer); // in file order: Writable serialises _writev
		writeAll(this.#fd, buffers, position, (error) => {
			if (error) return callback(error);
			this.offset = position + n;
			const wait = this.#context.limiter.take(n);
			if (wait === 0) {
				this.#context.onBytes(n);
				return callback();
			}
			// Under --limit-rate a small file is on disk at once and then waits for the cap: counting its bytes as
			// the cap lets them through shows real progress and speed, not "100% 0 B/s" for the whole wait.
			payOut(
				n,
				wait,
				(bytes) => this.#context.onBytes(bytes),
				() => {
					this.#stall.refresh();
					callback();
				},
				() => this.#signal.aborted,
			);
		});
	}
}
