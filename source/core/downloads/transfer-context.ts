/**
 * What a transfer is handed (its context) and how it fails: shared by the
 * transfer (transfer.ts) and the partial file it writes into (file-sink.ts).
 */
import type {Dispatcher} from 'undici';
import type {PartialState} from '../archive/images.js';
import type {RateLimiter} from './rate-limit.js';

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
