/**
 * One file over HTTP into its partial, done right: resume with Range +
 * If-Range, refuse ranges that do not continue the partial, check the
 * length and the kind of content; with hashWhileReceiving, SHA-256 as bytes
 * are written. Reading a partial back to hash it (hasher.ts), making it
 * durable (fsync) and moving it to its final path are the engine's and
 * finalise.ts's job, after the transfer has handed its slot on.
 */
import {createHash, type Hash} from 'node:crypto';
import fs from 'node:fs';
import {Writable} from 'node:stream';
import type {Dispatcher} from 'undici';
import {isRetryableNetworkError, isRetryableStatus} from '../retry-policy.js';
import {isCloudflareChallenge} from '../midjourney/cloudflare.js';
import {acceptedKinds, detectContentKind, headBytesNeeded, looksLikeHtml} from './content-check.js';
import {loadUndici} from './undici-loader.js';
import type {PartialState} from '../archive/images.js';
import {payOut, type RateLimiter} from './rate-limit.js';
import {writeAll} from './write-all.js';

/** Why a transfer did not complete, and what the engine should do about it. */
export type TransferFailureKind =
	/** Worth another try (5xx, 408, 429, network error, stall, truncation, bad range). */
	| 'retry'
	/** Will not get better by retrying (404, wrong content, ...). */
	| 'fatal'
	/** 401/403 from the server. */
	| 'auth'
	/** Cloudflare's challenge page instead of the file. */
	| 'cloudflare'
	/** Stopped on purpose (pause, cancel, stop); the partial is kept. */
	| 'aborted';

export class TransferError extends Error {
	readonly kind: TransferFailureKind;
	readonly status?: number;
	/** The error response's headers (the retry policy reads Retry-After). */
	readonly headers?: Record<string, string | string[] | undefined>;

	constructor(kind: TransferFailureKind, message: string, options: {status?: number; headers?: Record<string, string | string[] | undefined>; cause?: unknown} = {}) {
		super(message, {cause: options.cause});
		this.name = 'TransferError';
		this.kind = kind;
		this.status = options.status;
		this.headers = options.headers;
	}
}

export interface TransferInput {
	url: string;
	/** images.variant: decides which kinds of content are acceptable. */
	variant: string;
	/** Absolute path of the partial file. */
	partPath: string;
	/** Validators and size saved from an earlier attempt, for resuming. */
	resume: {etag: string | null; lastModified: string | null; totalBytes: number | null} | null;
	headers: Record<string, string>;
	/** Hash the body's bytes as they are written (a fresh file only), saving the read-back afterwards (see hasher.ts). */
	hashWhileReceiving?: boolean;
}

export interface TransferContext {
	agent: Dispatcher;
	limiter: RateLimiter;
	stallTimeoutMs: number;
	/** Aborting stops the transfer; the partial stays. `signal.reason` explains why. */
	signal: AbortSignal;
	/** Headers arrived with a body worth keeping: persist the validators before writing. */
	onPartial(state: Omit<PartialState, 'partPath'>): void;
	/** The response status arrived (before the body): the auth preflight listens here. */
	onStatus?(status: number): void;
	/** Bytes written to the partial (called per chunk, must be cheap). `reset` = the partial restarted from 0. */
	onBytes(n: number, reset?: boolean): void;
	/** The size of the whole file, once known. */
	onTotal(total: number | null): void;
}

export interface TransferResult {
	bytes: number;
	/** The partial, left open after a complete body so it is synced without opening it again; the caller closes it. */
	fd?: number;
	/** Bytes fetched over the network this time (the rest came from the partial). */
	fetched: number;
	/** SHA-256 of the whole file, hashed as it was written (hashWhileReceiving, a file fetched from byte 0). */
	sha256?: string;
}

/** Fetch `input.url` into its partial until complete (length and content checked); throws TransferError otherwise. */
export async function runTransfer(input: TransferInput, context: TransferContext): Promise<TransferResult> {
	context.signal.throwIfAborted();
	// Nothing to resume from: the sink creates the partial afresh ('w' truncates a leftover), no stat needed.
	let have = input.resume ? await partialSize(input.partPath) : 0;
	const validator = input.resume?.etag ?? input.resume?.lastModified ?? null;
	const knownTotal = input.resume?.totalBytes ?? null;
	// Without a validator the server cannot tell us whether the partial is still the same file.
	if (have > 0 && (validator === null || (knownTotal !== null && have > knownTotal))) {
		await fs.promises.truncate(input.partPath, 0);
		have = 0;
	}
	if (have > 0) {
		const head = await readHead(input.partPath);
		if (!acceptedKinds(input.variant).includes(detectContentKind(head))) {
			// What we kept is not the file we want (e.g. an older build's leftovers): start over.
			await fs.promises.truncate(input.partPath, 0);
			have = 0;
			return runTransfer({...input, resume: null}, context);
		}
	}
	context.onTotal(knownTotal);
	if (have > 0) context.onBytes(have, true);

	const headers: Record<string, string> = {...input.headers, 'accept-encoding': 'identity'};
	if (have > 0) {
		headers.range = `bytes=${have}-`;
		headers['if-range'] = validator!;
	}

	const controller = new AbortController();
	const onAbort = (): void => controller.abort(context.signal.reason);
	context.signal.addEventListener('abort', onAbort, {once: true});
	// Kept referenced (cleared below): a transfer waiting on a silent server must keep the process alive until it fires.
	const stall = setTimeout(() => controller.abort(new TransferError('retry', `stalled: no data for ${Math.round(context.stallTimeoutMs / 1000)}s`)), context.stallTimeoutMs);

	const {stream} = await loadUndici();
	let outcome: ResponseOutcome | undefined;
	let sink: FileSink | undefined;
	let errorSink: ErrorBodySink | undefined;
	try {
		await stream(
			input.url,
			{method: 'GET', headers, dispatcher: context.agent, signal: controller.signal, opaque: undefined},
			({statusCode, headers: responseHeaders}): Writable => {
				stall.refresh();
				context.onStatus?.(statusCode);
				outcome = readResponse(statusCode, responseHeaders as Record<string, string | string[] | undefined>, have, knownTotal);
				if (outcome.kind !== 'body') {
					errorSink = new ErrorBodySink();
					return errorSink;
				}
				// A 200 to a ranged request is the whole file: the sink starts over at 0, never appends.
				if (outcome.start === 0) have = 0;
				context.onTotal(outcome.total);
				context.onPartial({etag: outcome.etag, lastModified: outcome.lastModified, totalBytes: outcome.total});
				if (outcome.start === 0) context.onBytes(0, true);
				sink = new FileSink(input.partPath, outcome.start, acceptedKinds(input.variant), context, stall, controller.signal, input.hashWhileReceiving === true);
				return sink;
			},
		);
	} catch (error) {
		closeQuietly(sink?.openFd);
		throw classifyStreamError(error, controller.signal, context.signal);
	} finally {
		clearTimeout(stall);
		context.signal.removeEventListener('abort', onAbort);
	}

	if (!outcome) throw new TransferError('retry', 'no response');
	if (outcome.kind === 'error') {
		// A range that does not continue the partial: do not trust the partial either.
		if (outcome.error.status === 206) await fs.promises.rm(input.partPath, {force: true});
		throw outcome.error;
	}
	if (outcome.kind === 'error-body') throw errorFromBody(outcome.status, outcome.headers, errorSink?.body() ?? Buffer.alloc(0));
	if (outcome.kind === 'satisfied') {
		// 416: complete only if what we hold is exactly the whole file.
		const total = outcome.total ?? knownTotal;
		if (total !== null && have === total) return {bytes: have, fetched: 0};
		await fs.promises.rm(input.partPath, {force: true});
		throw new TransferError('retry', `HTTP 416 for a partial of ${have} bytes that is not the whole file; fetching it again`, {status: 416});
	}
	const written = sink!;
	// Keep the prefix of a truncated body: it is good data and the next try resumes after it.
	const problem =
		outcome.total !== null && written.offset !== outcome.total
			? new TransferError('retry', `truncated: got ${written.offset} of ${outcome.total} bytes`)
			: written.offset === 0
				? new TransferError('fatal', 'empty body')
				: undefined;
	if (problem) {
		closeQuietly(written.openFd);
		throw problem;
	}
	return {bytes: written.offset, fetched: written.offset - outcome.start, fd: written.openFd, sha256: written.sha256};
}

function closeQuietly(fd: number | undefined): void {
	if (fd !== undefined) fs.close(fd, () => {});
}

type ResponseOutcome =
	| {kind: 'body'; start: number; total: number | null; etag: string | null; lastModified: string | null}
	| {kind: 'satisfied'; total: number | null}
	| {kind: 'error-body'; status: number; headers: Record<string, string | string[] | undefined>}
	| {kind: 'error'; error: TransferError};

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
	const value = headers[name];
	return Array.isArray(value) ? value[0] : value;
}

/** Decide from status and headers what to do with the body. */
function readResponse(status: number, headers: Record<string, string | string[] | undefined>, have: number, knownTotal: number | null): ResponseOutcome {
	const contentType = header(headers, 'content-type');
	const etag = header(headers, 'etag') ?? null;
	const lastModified = header(headers, 'last-modified') ?? null;
	const length = header(headers, 'content-length');
	if (status === 200 || status === 206) {
		if ((contentType ?? '').toLowerCase().includes('text/html')) return {kind: 'error-body', status, headers};
	}
	if (status === 200) {
		return {kind: 'body', start: 0, total: length === undefined ? null : Number(length), etag, lastModified};
	}
	if (status === 206) {
		const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header(headers, 'content-range') ?? '');
		if (!range) return {kind: 'error', error: new TransferError('retry', 'HTTP 206 without a readable Content-Range', {status})};
		const start = Number(range[1]);
		if (start !== have) {
			return {kind: 'error', error: new TransferError('retry', `server sent bytes from ${start} when asked for ${have}; refused`, {status})};
		}
		const total = range[3] === '*' ? knownTotal : Number(range[3]);
		return {kind: 'body', start, total, etag, lastModified};
	}
	if (status === 416) {
		const range = /^bytes \*\/(\d+)$/.exec(header(headers, 'content-range') ?? '');
		return {kind: 'satisfied', total: range ? Number(range[1]) : null};
	}
	return {kind: 'error-body', status, headers};
}

/** The error for a response we did not write: auth, Cloudflare, retryable or final. */
function errorFromBody(status: number, headers: Record<string, string | string[] | undefined>, body: Buffer): TransferError {
	const reason = `HTTP ${status}`;
	// One detector for the whole app: the client meets the same page on the API.
	if (isCloudflareChallenge(body.toString('utf8'), headers)) return new TransferError('cloudflare', `${reason}: Cloudflare challenge page instead of the file`, {status});
	if (status === 401 || status === 403) return new TransferError('auth', `${reason}: the CDN refused access`, {status});
	if (status === 200 || status === 206 || looksLikeHtml(body)) return new TransferError('fatal', `${reason}: an HTML page instead of the file; not saved`, {status});
	if (isRetryableStatus(status)) return new TransferError('retry', reason, {status, headers});
	return new TransferError('fatal', reason + (status === 404 ? ': not found on the CDN' : ''), {status});
}

/** Turn whatever stream() threw into a TransferError. */
function classifyStreamError(error: unknown, own: AbortSignal, outer: AbortSignal): TransferError {
	if (error instanceof TransferError) return error;
	if (outer.aborted) return new TransferError('aborted', String((outer.reason as Error)?.message ?? outer.reason ?? 'aborted'), {cause: error});
	if (own.aborted && own.reason instanceof TransferError) return own.reason;
	if (isRetryableNetworkError(error) || (error as {code?: string})?.code === 'UND_ERR_ABORTED') {
		const code = (error as {code?: string}).code ?? (error as {cause?: {code?: string}}).cause?.code;
		return new TransferError('retry', `network error: ${code}`, {cause: error});
	}
	if ((error as {code?: string})?.code?.startsWith('E')) {
		// Disk errors (ENOSPC, EACCES) will not heal by retrying at once.
		return new TransferError('fatal', `disk error: ${(error as Error).message}`, {cause: error});
	}
	return new TransferError('retry', `network error: ${(error as Error)?.message ?? String(error)}`, {cause: error});
}

async function partialSize(file: string): Promise<number> {
	try {
		return (await fs.promises.stat(file)).size;
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
		throw error;
	}
}

/** The first bytes of a file (for the content check). */
export async function readHead(file: string): Promise<Buffer> {
	const handle = await fs.promises.open(file, 'r');
	try {
		const {buffer, bytesRead} = await handle.read(Buffer.alloc(headBytesNeeded), 0, headBytesNeeded, 0);
		return buffer.subarray(0, bytesRead);
	} finally {
		await handle.close();
	}
}

/** Keeps the first bytes of an error response (to tell a Cloudflare page from an API error). */
class ErrorBodySink extends Writable {
	#chunks: Buffer[] = [];
	#size = 0;

	body(): Buffer {
		return Buffer.concat(this.#chunks);
	}

	override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
		if (this.#size < 64 * 1024) {
			this.#chunks.push(chunk);
			this.#size += chunk.length;
		}
		callback();
	}
}

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
class FileSink extends Writable {
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
