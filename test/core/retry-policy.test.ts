/**
 * The one retry decision the API client and the download engine share:
 * status, headers, attempt and error in; retry after N ms (holding the host
 * or not) or fail out. Table-driven, with a fixed clock and random source.
 */
import test from 'ava';
import {decideRetry, type FailedTry, type RetryDecision} from '../../source/core/retry-policy.js';

const now = Date.UTC(2026, 0, 1, 12, 0, 0);
/** Half of the backoff window, always: full jitter made deterministic. */
const half = () => 0.5;
const base: FailedTry = {attempt: 0, retries: 3, retryAfterCapMs: 10_000, random: half, now};
const networkError = (code: string) => Object.assign(new Error(code), {code});

const cases: Array<[string, Partial<FailedTry>, RetryDecision]> = [
	['500 is retried after backoff, the host not held', {status: 500}, {action: 'retry', delayMs: 250, holdHost: false}],
	['502 on the third retry waits longer (500 ms · 2² · jitter)', {status: 502, attempt: 2}, {action: 'retry', delayMs: 1000, holdHost: false}],
	['503 without Retry-After holds the host', {status: 503}, {action: 'retry', delayMs: 250, holdHost: true}],
	['429 without Retry-After holds the host', {status: 429}, {action: 'retry', delayMs: 250, holdHost: true}],
	['429 with Retry-After: 2 waits exactly 2 s', {status: 429, headers: {'retry-after': '2'}}, {action: 'retry', delayMs: 2000, holdHost: true}],
	['Retry-After as an HTTP date', {status: 503, headers: {'retry-after': new Date(now + 3000).toUTCString()}}, {action: 'retry', delayMs: 3000, holdHost: true}],
	['Retry-After beyond the cap is capped', {status: 429, headers: {'retry-after': '3600'}}, {action: 'retry', delayMs: 10_000, holdHost: true}],
	['an unreadable Retry-After falls back to backoff, still holding on 429', {status: 429, headers: {'retry-after': 'soon'}}, {action: 'retry', delayMs: 250, holdHost: true}],
	['500 with Retry-After holds the host too (the server asked)', {status: 500, headers: {'retry-after': '1'}}, {action: 'retry', delayMs: 1000, holdHost: true}],
	['408 is retried', {status: 408}, {action: 'retry', delayMs: 250, holdHost: false}],
	['404 fails at once', {status: 404}, {action: 'fail'}],
	['401 fails at once', {status: 401}, {action: 'fail'}],
	['the last allowed retry is still a retry', {status: 500, attempt: 2, retries: 3}, {action: 'retry', delayMs: 1000, holdHost: false}],
	['retries used up: fail', {status: 500, attempt: 3, retries: 3}, {action: 'fail'}],
	['no retries configured: fail', {status: 503, retries: 0}, {action: 'fail'}],
	['a reset connection is retried', {error: networkError('ECONNRESET')}, {action: 'retry', delayMs: 250, holdHost: false}],
	['an undici socket error in the cause is retried', {error: Object.assign(new Error('fetch failed'), {cause: {code: 'UND_ERR_SOCKET'}})}, {action: 'retry', delayMs: 250, holdHost: false}],
	['an unknown error is not retried', {error: new Error('bug')}, {action: 'fail'}],
	['the caller knows better: a stall is transient', {transient: true, error: new Error('stalled')}, {action: 'retry', delayMs: 250, holdHost: false}],
	['the caller knows better: HTML instead of the file is final, even on 200', {transient: false, status: 200}, {action: 'fail'}],
	['a bad range (206) the caller calls transient is retried', {transient: true, status: 206}, {action: 'retry', delayMs: 250, holdHost: false}],
	['the backoff cap bounds late retries', {status: 500, attempt: 10, retries: 20, backoffCapMs: 4000}, {action: 'retry', delayMs: 2000, holdHost: false}],
];

for (const [name, input, expected] of cases) {
	test(name, (t) => {
		t.deepEqual(decideRetry({...base, ...input}), expected);
	});
}

test('jitter spreads the wait over the whole window, never beyond it', (t) => {
	const at = (random: number) => decideRetry({...base, status: 500, attempt: 1, random: () => random});
	t.deepEqual(at(0), {action: 'retry', delayMs: 0, holdHost: false});
	t.deepEqual(at(0.999_999), {action: 'retry', delayMs: 1000, holdHost: false});
});
