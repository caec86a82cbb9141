/**
 * Faults in one transfer through the installed binary: 503 twice, a TCP
 * reset, a truncated body, a stalled body. Each is retried (resuming what
 * arrived) and the run ends with every file, exit 0, the JSON summary and
 * the archive invariants.
 */
import test from 'ava';
import type {Fault} from '../../fixtures/types.js';
import {assertComplete, assertRun, faultRun, requireBuiltBin} from '../helpers/fault-run.js';

test.before(requireBuiltBin);

const cases: Array<[string, Fault[]]> = [
	['503 twice', [{kind: 'server-error', status: 503, route: 'cdn', count: 2}]],
	['a connection reset', [{kind: 'reset', route: 'cdn', count: 2}]],
	['a truncated body', [{kind: 'truncate', route: 'cdn', count: 3}]],
	// The stall outlasts MJ_TUI_STALL_TIMEOUT_MS (2 s in these runs), so the client must give up on it and resume.
	['a stalled body', [{kind: 'stall', ms: 120_000, route: 'cdn', count: 2}]],
];

for (const [name, faults] of cases) {
	test(`${name}: retried, every file byte for byte, exit 0`, async t => {
		const run = await faultRun(t, {faults});
		assertRun(t, run, 0);
		t.like(run.summary, {exitCode: 0, failed: 0, interrupted: false});
		assertComplete(t, run.scene);
	});
}
