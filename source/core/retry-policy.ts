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
