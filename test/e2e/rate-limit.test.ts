/**
 * CDN 429s with Retry-After through the installed binary: on one file, on
 * many, and across the whole host for a while. The run waits them out and
 * gets every file (exit 0, the JSON summary, archive invariants); a held host
 * must never let the process drain into Node's silent exit 13.
 */
import test from 'ava';
import {assertComplete, assertRun, faultRun, requireBuiltBin} from '../helpers/fault-run.js';

test.before(requireBuiltBin);

test('a 429 with Retry-After: 1 on one file: waited out, every file, exit 0', async t => {
	const run = await faultRun(t, {faults: [{kind: 'rate-limit', retryAfterSeconds: 1, route: 'cdn', count: 1}]});
	assertRun(t, run, 0);
	t.like(run.summary, {exitCode: 0, failed: 0});
	assertComplete(t, run.scene);
});

test('429s on many files at once: every file, exit 0', async t => {
	const run = await faultRun(t, {faults: [{kind: 'rate-limit', retryAfterSeconds: 1, route: 'cdn', count: 8}]});
	assertRun(t, run, 0);
	assertComplete(t, run.scene);
	const limited = run.scene.standIn.requests().filter(entry => entry.route === 'cdn' && entry.status === 429).length;
	t.is(limited, 8, 'the stand-in did answer 429 eight times');
});

test('the whole CDN host answers 429 for two seconds mid-run: every file, exit 0', async t => {
	const run = await faultRun(t, {faults: [{kind: 'rate-limit', retryAfterSeconds: 1, route: 'cdn', after: 4, forSeconds: 2}]});
	assertRun(t, run, 0);
	assertComplete(t, run.scene);
});
