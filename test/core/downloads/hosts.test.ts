/**
 * The per-host gate: at most N transfers per host, a hold after 429/503 that
 * halves the host's limit until it proves healthy, and a hold timer that
 * keeps the process alive while every transfer waits on it. The clock is
 * injected; waits are for states (an acquire resolving), never for time.
 */
import {spawn} from 'node:child_process';
import path from 'node:path';
import test from 'ava';
import {HostGate} from '../../../source/core/downloads/hosts.js';
import {repoRoot} from '../../helpers/cli-io.js';

function clocked(perHost: number) {
	let now = 1_000_000;
	const gate = new HostGate(perHost, () => now);
	return {gate, advance: (ms: number) => (now += ms)};
}

const signal = () => new AbortController().signal;

/** True when `promise` has settled by the time queued callbacks ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
	let done = false;
	void promise.then(() => (done = true), () => (done = true));
	await new Promise((resolve) => setImmediate(resolve));
	return done;
}

test('at most perHost transfers per host; a release lets the next one in; other hosts are not affected', async (t) => {
	const {gate} = clocked(2);
	const first = await gate.acquire('a', signal());
	await gate.acquire('a', signal());
	const third = gate.acquire('a', signal());
	t.false(await settled(third), 'the third waits');
	t.true(await settled(gate.acquire('b', signal())), 'another host has its own slots');
	first();
	first();
	t.true(await settled(third), 'a release (counted once, however often called) lets it in');
	t.is(gate.capacityOf('a'), 2);
});

test('aborting a waiting acquire rejects with the reason and takes no slot', async (t) => {
	const {gate} = clocked(1);
	const release = await gate.acquire('a', signal());
	const controller = new AbortController();
	const waiting = gate.acquire('a', controller.signal);
	controller.abort(new Error('paused'));
	await t.throwsAsync(waiting, {message: 'paused'});
	release();
	t.true(await settled(gate.acquire('a', signal())), 'the slot is free');
});

test('a hold blocks the host until it ends, halves its limit, and successes give the slots back', async (t) => {
	const {gate, advance} = clocked(4);
	gate.hold('a', 50);
	t.is(gate.capacityOf('a'), 0, 'nobody starts while held');
	t.is(gate.heldUntil('a'), 1_000_050);
	const waiting = gate.acquire('a', signal());
	t.false(await settled(waiting));
	advance(60);
	// The hold's own timer wakes the waiter once it ends.
	const release = await waiting;
	t.is(gate.heldUntil('a'), null);
	t.is(gate.capacityOf('a'), 2, 'the limit was halved');
	release();
	for (let i = 0; i < 8; i++) gate.succeeded('a');
	t.is(gate.capacityOf('a'), 3, 'a streak of successes gives one slot back');
	for (let i = 0; i < 8; i++) gate.succeeded('a');
	t.is(gate.capacityOf('a'), 4);
	for (let i = 0; i < 8; i++) gate.succeeded('a');
	t.is(gate.capacityOf('a'), 4, 'never above the configured limit');
	gate.close();
});

test('changing the per-host limit applies to every host at once and wakes waiters', async (t) => {
	const {gate} = clocked(1);
	await gate.acquire('a', signal());
	const second = gate.acquire('a', signal());
	t.false(await settled(second));
	gate.setPerHost(2);
	t.is(gate.perHost, 2);
	t.true(await settled(second));
});

test('a held host keeps the process alive: the waiting transfer goes on after the hold (no silent exit 13)', async (t) => {
	const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'test', 'helpers', 'quiet-loop-child.ts')], {
		env: {...process.env, MJ_TUI_CHILD_CASE: 'host-hold'},
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (chunk) => (stdout += chunk));
	child.stderr.on('data', (chunk) => (stderr += chunk));
	const code = await new Promise((resolve) => child.on('close', resolve));
	t.is(code, 0, stderr);
	t.is(stdout, 'acquired\n');
});
