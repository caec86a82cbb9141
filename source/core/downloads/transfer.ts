/**
 * One file over HTTP into its partial, done right: resume with Range +
 * If-Range, refuse ranges that do not continue the partial, check the
 * length and the kind of content; with hashWhileReceiving, SHA-256 as bytes
 * are written. Reading a partial back to hash it (hasher.ts), making it
 * durable (fsync) and moving it to its final path are the engine's and
 * finalise.ts's job, after the transfer has handed its slot on.
 */
import fs from 'node:fs';
import {Writable} from 'node:stream';
import {isRetryableNetworkError, isRetryableStatus} from '../retry-policy.js';
import {isCloudflareChallenge} from '../midjourney/cloudflare.js';
import {acceptedKinds, detectContentKind, headBytesNeeded, looksLikeHtml} from './content-check.js';
import {loadUndici} from './undici-loader.js';
import {FileSink} from './file-sink.js';
import {TransferError, type TransferContext} from './transfer-context.js';

export {TransferError, type TransferContext, type TransferFailureKind} from './transfer-context.js';

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
