import {Writable} from 'node:stream';
import test from 'ava';
import {BatchProgress, downloadLine, syncLine} from '../../source/batch/progress.js';
import type {EngineSnapshot} from '../../source/core/downloads/types.js';
import {createLogger, type LogLevel} from '../../source/core/log.js';
import {registerSecret} from '../../source/core/secrets.js';

class Sink extends Writable {
	text = '';
	constructor(readonly isTTY: boolean, readonly columns = 60) {
		super();
	}

	override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
		this.text += chunk.toString();
		callback();
	}
}

function snapshot(totals: Partial<EngineSnapshot['totals']>): EngineSnapshot {
	return {
		transfers: [],
		totals: {queued: 0, active: 0, paused: 0, held: 0, done: 0, failed: 0, canceled: 0, bytesDone: 0, bytesRemaining: 0, speed: 0, eta: null, ...totals},
		concurrency: 4,
		perHostConcurrency: 4,
		limitRate: 0,
		paused: false,
		stopping: false,
	};
}

test('the download line: files done of all, bytes, speed, ETA, and failures when there are any', t => {
	t.is(downloadLine(snapshot({done: 1200, queued: 30, active: 4, failed: 0, bytesDone: 5 * 1024 ** 2, speed: 3.4 * 1024 ** 2, eta: 65})), 'downloads: 1,200/1,234 files, 5.00 MiB, 3.40 MiB/s, ETA 1m05s');
	t.is(downloadLine(snapshot({done: 8, failed: 2, held: 1, bytesDone: 2048})), 'downloads: 8/11 files, 2.00 KiB, 0 B/s, ETA --, 2 failed, 1 held (host backing off)');
	t.is(syncLine({state: 'listing', page: 12, pages: 12, oddities: {}, jobsSeen: 12_000, jobsNew: 40, jobsUpdated: 3}), 'sync: page 12, 12,000 jobs seen, 40 new, 3 updated');
});

function progress(tty: boolean, level: LogLevel = 'normal') {
	const stream = new Sink(tty);
	let now = 0;
	const log = createLogger({stream, level, now: () => new Date(Date.UTC(2025, 0, 2, 3, 4, 5) + now)});
	const bar = new BatchProgress({stream, log, now: () => now, intervalMs: 1000});
	return {stream, bar, advance: (ms: number) => (now += ms)};
}

test('on a terminal the line is rewritten in place, cut to the width, and cleared before a note', t => {
	const {stream, bar, advance} = progress(true);
	bar.sync({state: 'listing', page: 1, pages: 1, oddities: {}, jobsSeen: 1000, jobsNew: 1000, jobsUpdated: 0});
	t.is(stream.text, '\r\u001B[2Ksync: page 1, 1,000 jobs seen, 1,000 new, 0 updated');
	advance(100);
	bar.sync({state: 'listing', page: 2, pages: 2, oddities: {}, jobsSeen: 2000, jobsNew: 2000, jobsUpdated: 0});
	t.is(stream.text.split('\r').length, 2, 'throttled: nothing written within the interval');
	advance(1000);
	bar.downloads(snapshot({done: 123_456, queued: 1_000_000, bytesDone: 123 * 1024 ** 3, speed: 5e6, eta: 99_999}));
	const last = stream.text.split('\r').at(-1)!.replace('\u001B[2K', '');
	t.is(last.length, 59);
	t.true(last.endsWith('…'));
	bar.note('sync: done');
	t.true(stream.text.endsWith('\r\u001B[2Ksync: done\n'));
});

test('off a terminal: timestamped lines at most once per interval, the latest state flushed at the end, nothing when quiet', t => {
	const {stream, bar, advance} = progress(false);
	bar.sync({state: 'listing', page: 1, pages: 1, oddities: {}, jobsSeen: 10, jobsNew: 10, jobsUpdated: 0});
	advance(500);
	bar.sync({state: 'listing', page: 2, pages: 2, oddities: {}, jobsSeen: 20, jobsNew: 20, jobsUpdated: 0});
	advance(600);
	bar.sync({state: 'listing', page: 3, pages: 3, oddities: {}, jobsSeen: 30, jobsNew: 30, jobsUpdated: 0});
	bar.downloads(snapshot({done: 1, queued: 1}));
	bar.finish();
	t.deepEqual(stream.text.trim().split('\n'), [
		'2025-01-02T03:04:05Z sync: page 1, 10 jobs seen, 10 new, 0 updated',
		'2025-01-02T03:04:06Z sync: page 3, 30 jobs seen, 30 new, 0 updated',
		'2025-01-02T03:04:06Z downloads: 1/2 files, 0 B, 0 B/s, ETA --',
	]);

	const quiet = progress(false, 'quiet');
	quiet.bar.sync({state: 'listing', page: 1, pages: 1, oddities: {}, jobsSeen: 1, jobsNew: 1, jobsUpdated: 0});
	quiet.bar.note('sync: done');
	quiet.bar.finish();
	t.is(quiet.stream.text, '');
});

test('the logger redacts secrets and strips terminal control sequences from every line, and honours the level', t => {
	const stream = new Sink(false);
	const secret = 'log-test-secret-value-0001';
	registerSecret(secret);
	const log = createLogger({stream, level: 'normal', now: () => new Date(0)});
	log.info(`token ${secret}\u001B]0;owned\u0007 here\nsecond \u001B[31mline`);
	log.verbose('hidden at normal');
	log.warn('careful');
	log.error('broken');
	t.deepEqual(stream.text.split('\n'), [
		'1970-01-01T00:00:00Z token [redacted] here',
		'1970-01-01T00:00:00Z second line',
		'1970-01-01T00:00:00Z warning: careful',
		'1970-01-01T00:00:00Z error: broken',
		'',
	]);
	const quietStream = new Sink(true);
	const quiet = createLogger({stream: quietStream, level: 'quiet'});
	quiet.info('no');
	quiet.warn('no');
	quiet.error('yes');
	t.is(quietStream.text, 'error: yes\n', 'no timestamp on a terminal; only errors when quiet');
});
