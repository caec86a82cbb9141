/**
 * The shared bandwidth cap (--limit-rate): a token bucket on an injected
 * clock, so the waits it hands out are checked exactly, not timed.
 */
import test from 'ava';
import {RateLimiter} from '../../../source/core/downloads/rate-limit.js';

function clocked(rate: number) {
	let now = 1000;
	const limiter = new RateLimiter(rate, () => now);
	return {limiter, advance: (ms: number) => (now += ms)};
}

test('unlimited (0) never asks anyone to wait', (t) => {
	const {limiter} = clocked(0);
	t.is(limiter.take(100 * 1024 ** 2), 0);
	t.is(limiter.take(100 * 1024 ** 2), 0);
});

test('at 100 KiB/s, 100 KiB more than the bucket holds costs one second', (t) => {
	const {limiter, advance} = clocked(100 * 1024);
	// The bucket starts empty and fills at the rate, up to a tenth of a second (min 16 KiB).
	advance(1000);
	t.is(limiter.take(16 * 1024), 0, 'the burst goes at once');
	t.is(limiter.take(100 * 1024), 1000, 'then the bucket is empty');
	t.is(limiter.take(50 * 1024), 1500, 'and the debt adds up');
});

test('waiting pays the debt: after the wait the next chunk goes at once', (t) => {
	const {limiter, advance} = clocked(64 * 1024);
	const wait = limiter.take(64 * 1024);
	t.is(wait, 1000);
	advance(wait);
	advance(250);
	t.is(limiter.take(16 * 1024), 0);
});

test('many transfers share one bucket: the rate is the total, not per transfer', (t) => {
	const {limiter} = clocked(1024 * 1024);
	const waits = [1, 2, 3, 4].map(() => limiter.take(256 * 1024));
	t.deepEqual(waits, [250, 500, 750, 1000]);
});

test('changing the rate live applies to the next chunk, and a lower rate drops the saved burst', (t) => {
	const {limiter, advance} = clocked(1024 * 1024);
	advance(5000);
	limiter.rate = 32 * 1024;
	t.is(limiter.rate, 32 * 1024);
	// Burst is now max(16 KiB, 3.2 KiB) = 16 KiB; 48 KiB leaves 32 KiB owed at 32 KiB/s.
	t.is(limiter.take(48 * 1024), 1000);
	limiter.rate = 0;
	t.is(limiter.take(1024 ** 3), 0, 'lifting the cap frees everyone at once');
});

test('a negative rate is taken as unlimited', (t) => {
	const {limiter} = clocked(-5);
	t.is(limiter.rate, 0);
	t.is(limiter.take(1_000_000), 0);
});
