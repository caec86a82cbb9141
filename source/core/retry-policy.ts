/**
 * When to retry a request and how long to wait, shared by the API client and
 * the download engine so both are equally polite to the service.
 */

/** HTTP statuses worth another try: timeouts, rate limits and server errors. */
export function isRetryableStatus(status: number): boolean {
	return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/** Network-level failures (reset, refused, timeout, DNS hiccup) worth another try. */
export function isRetryableNetworkError(error: unknown): boolean {
	const code = (error as {code?: string; cause?: {code?: string}})?.code ?? (error as {cause?: {code?: string}})?.cause?.code;
	return (
		typeof code === 'string' &&
		['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED'].includes(code)
	);
}

/**
 * Exponential backoff with full jitter: a random delay in [0, min(cap, base·2^attempt)].
 * `attempt` counts from 0 for the first retry.
 */
export function backoffDelay(attempt: number, options: {baseMs?: number; capMs?: number; random?: () => number} = {}): number {
	const {baseMs = 500, capMs = 30_000, random = Math.random} = options;
	return Math.round(random() * Math.min(capMs, baseMs * 2 ** attempt));
}

/**
 * Milliseconds a `Retry-After` header asks us to wait (seconds or an HTTP date),
 * capped at `capMs`; undefined when absent or unreadable.
 */
export function retryAfterDelay(header: string | string[] | null | undefined, capMs: number, now = Date.now()): number | undefined {
	const value = Array.isArray(header) ? header[0] : header;
	if (!value) return undefined;
	const seconds = Number(value.trim());
	const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - now;
	if (!Number.isFinite(ms)) return undefined;
	return Math.min(Math.max(0, Math.round(ms)), capMs);
}

/** What to do after a failed try. */
export type RetryDecision =
	/** Try again after `delayMs`; `holdHost`: the server asked everyone to back off (429, 503, Retry-After). */
	| {action: 'retry'; delayMs: number; holdHost: boolean}
	| {action: 'fail'};

export interface FailedTry {
	/** The HTTP status, when a response arrived. */
	status?: number;
	/** The response headers (only Retry-After is read). */
	headers?: Record<string, string | string[] | undefined>;
	/** The thrown error, when no response arrived. */
	error?: unknown;
	/** The caller's own verdict, when it knows better than status and error (a stall, a truncated body, a bad range). */
	transient?: boolean;
	/** Which retry this would be, from 0: the failed tries before this one. */
	attempt: number;
	/** How many retries are allowed in all. */
	retries: number;
	/** The longest wait a Retry-After may ask for. */
	retryAfterCapMs: number;
	/** The longest backoff (default 30 s). */
	backoffCapMs?: number;
	random?: () => number;
	now?: number;
}

/**
 * The one retry decision of mj-tui (API client and download engine): retry
 * timeouts, rate limits, server and network errors until `retries` are used,
 * waiting what Retry-After asks (capped) or an exponential backoff with jitter.
 */
export function decideRetry(failure: FailedTry): RetryDecision {
	const {status} = failure;
	const retryable = failure.transient ?? (status === undefined ? isRetryableNetworkError(failure.error) : isRetryableStatus(status));
	if (!retryable || failure.attempt >= failure.retries) return {action: 'fail'};
	const header = failure.headers?.['retry-after'];
	const asked = retryAfterDelay(header, failure.retryAfterCapMs, failure.now);
	const delayMs = asked ?? backoffDelay(failure.attempt, {capMs: failure.backoffCapMs, random: failure.random});
	return {action: 'retry', delayMs, holdHost: asked !== undefined || status === 429 || status === 503};
}
