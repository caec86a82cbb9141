import test from 'ava';
import React from 'react';
import {render} from 'ink-testing-library';
import type {EngineSnapshot, TransferSnapshot} from '../../source/core/downloads/types.js';
import {createEngineStore} from '../../source/ui/engine-store.js';
import {QueuePane} from '../../source/ui/queue/queue-pane.js';
import {sortTransfers} from '../../source/ui/queue/transfer-order.js';
import {initialQueueState, orderedIds, queueReducer, type QueueState} from '../../source/ui/queue/use-queue-state.js';
import {queueList} from '../../source/ui/queue/queue-list.js';
import {themeFor} from '../../source/ui/theme.js';
import {waitForFrame} from '../helpers/ui-testing.js';

const plain = themeFor({NO_COLOR: '1'});

function transfer(id: number, fields: Partial<TransferSnapshot>): TransferSnapshot {
	return {
		id,
		jobId: `job-${id}`,
		url: `http://127.0.0.1/job-${id}/0_0.png`,
		name: `images/2026/11/job-${id}_0.png`,
		host: '127.0.0.1',
		state: 'queued',
		bytes: 0,
		total: null,
		speed: 0,
		eta: null,
		attempts: 0,
		lastError: null,
		priority: 0,
		heldUntil: null,
		...fields,
	};
}

function snapshotOf(transfers: TransferSnapshot[]): EngineSnapshot {
	const count = (state: TransferSnapshot['state']) => transfers.filter((item) => item.state === state).length;
	return {
		transfers,
		totals: {
			queued: count('queued'),
			active: count('active'),
			paused: count('paused'),
			held: count('held'),
			done: 7,
			failed: count('failed'),
			canceled: count('canceled'),
			bytesDone: 1 << 20,
			bytesRemaining: 3 << 20,
			speed: 2 << 20,
			eta: 95,
		},
		concurrency: 4,
		perHostConcurrency: 4,
		limitRate: 0,
		paused: false,
		stopping: false,
	};
}

/** The pane's list for a snapshot alone (no archive behind it). */
function listOf(snapshot: EngineSnapshot, state: QueueState) {
	return queueList({transfers: snapshot.transfers, pending: null, done: new Set(), sort: state.sort, descending: state.descending, resolve: () => new Map()});
}

const sample = [
	transfer(1, {state: 'active', bytes: 500, total: 1000, speed: 100, eta: 5, attempts: 1, name: 'images/a-slow.png'}),
	transfer(2, {state: 'active', bytes: 100, total: 1000, speed: 900, eta: 1, attempts: 1, name: 'images/b-fast.png'}),
	transfer(3, {state: 'failed', attempts: 5, lastError: 'HTTP 500 from 127.0.0.1 \u001B[2J\u001B]0;pwned\u0007(server error)', name: 'images/c-broken.png'}),
	transfer(4, {state: 'queued', name: 'images/d-waiting.png'}),
	transfer(5, {state: 'active', bytes: 0, total: null, speed: 0, eta: null, attempts: 1, name: 'images/e-unknown.png'}),
];

test('sort: each key orders the rows, unknown ETAs last, ties by id', (t) => {
	const ids = (sort: Parameters<typeof sortTransfers>[1], descending: boolean) => sortTransfers(sample, sort, descending).map((item) => item.id);
	t.deepEqual(ids('eta', false), [2, 1, 3, 4, 5]);
	t.deepEqual(ids('eta', true), [1, 2, 3, 4, 5], 'reversed, unknown ETAs still last');
	t.deepEqual(ids('speed', true), [2, 1, 3, 4, 5]);
	t.deepEqual(ids('name', false), [1, 2, 3, 4, 5]);
	t.deepEqual(ids('state', false), [1, 2, 5, 3, 4], 'failed right after active: it needs attention');
	t.deepEqual(ids('remaining', true), [2, 1, 3, 4, 5]);
});

test('reducer: pressing a sort key again reverses it; the selection follows its transfer', (t) => {
	let state = queueReducer(initialQueueState, {type: 'sort', sort: 'eta'});
	t.false(state.descending);
	state = queueReducer(state, {type: 'sort', sort: 'eta'});
	t.true(state.descending);
	state = queueReducer(state, {type: 'sort', sort: 'speed'});
	t.true(state.descending, 'speed starts fastest first');
	const order = [2, 1, 3, 4, 5];
	state = queueReducer(state, {type: 'move', delta: 1, ids: orderedIds(order), height: 3});
	t.is(state.selectedId, 1);
	t.is(queueReducer(state, {type: 'move', delta: 0, ids: orderedIds(order), height: 3}), state, 'no change, same object');
});

test('view: header totals, progress, failed reason stripped of escapes, sort shown', async (t) => {
	const state = queueReducer(initialQueueState, {type: 'sort', sort: 'eta'});
	const app = render(<QueuePane snapshot={snapshotOf(sample)} list={listOf(snapshotOf(sample), state)} state={state} width={120} height={10} theme={plain} focused />);
	const frame = await waitForFrame(app.lastFrame, (text) => text.includes('b-fast'));
	t.regex(frame, /3 active · 1 queued · 0 held · 0 paused · 1 failed · 7 done/);
	t.true(frame.includes('2.00 MiB/s'), 'overall throughput in the header');
	t.true(frame.includes('ETA 1m35s'));
	t.regex(frame, /Left\s+Try/);
	t.true(frame.includes('ETA↑'), 'the sorted column shows its direction');
	t.true(frame.includes('✗ HTTP 500 from 127.0.0.1 (server error)'), frame);
	t.false(frame.includes('\u001B'), 'no escape byte from an error message reaches the terminal');
	const lines = frame.split('\n');
	const fast = lines.findIndex((line) => line.includes('b-fast'));
	const slow = lines.findIndex((line) => line.includes('a-slow'));
	t.true(fast < slow, 'soonest ETA first');
	t.true(lines[slow]!.includes('50%'));
	t.true(lines[slow]!.includes('100 B/s'));
	app.unmount();
});

test('view: fits 80 columns with the failed reason still readable', async (t) => {
	const app = render(<QueuePane snapshot={snapshotOf(sample)} list={listOf(snapshotOf(sample), initialQueueState)} state={initialQueueState} width={80} height={8} theme={plain} focused />);
	const frame = await waitForFrame(app.lastFrame, (text) => text.includes('c-broken'));
	for (const line of frame.split('\n')) t.true([...line].length <= 80, line);
	t.true(frame.includes('✗ HTTP 500'));
	app.unmount();
});

test('view: when the per-host limit caps --concurrency, the header says how many run and why', async (t) => {
	const capped = {...snapshotOf(sample), concurrency: 16, perHostConcurrency: 4, effectiveConcurrency: 4, limitedBy: 'perHostConcurrency' as const};
	const app = render(<QueuePane snapshot={capped} list={listOf(capped, initialQueueState)} state={initialQueueState} width={160} height={10} theme={plain} focused />);
	const frame = await waitForFrame(app.lastFrame, (text) => text.includes('b-fast'));
	t.true(frame.includes('×4 of 16 (per-host limit 4)'), frame);
	app.rerender(<QueuePane snapshot={{...capped, concurrency: 4, effectiveConcurrency: 4, limitedBy: null}} list={listOf(capped, initialQueueState)} state={initialQueueState} width={160} height={10} theme={plain} focused />);
	const uncapped = await waitForFrame(app.lastFrame, (text) => !text.includes(' of 16'));
	t.true(uncapped.includes('×4'), uncapped);
	t.false(uncapped.includes('per-host limit'));
	app.unmount();
});

test('engine store: many engine callbacks become at most one flush per interval', async (t) => {
	let listener: ((snapshot: EngineSnapshot) => void) | undefined;
	const engine = {
		snapshot: () => snapshotOf([]),
		subscribe(callback: (snapshot: EngineSnapshot) => void) {
			listener = callback;
			return () => {
				listener = undefined;
			};
		},
	};
	const store = createEngineStore(engine, 50);
	let flushes = 0;
	store.subscribe(() => flushes++);
	for (let index = 0; index < 100; index++) listener!(snapshotOf([transfer(index, {state: 'active'})]));
	t.is(flushes, 0, 'nothing flushes synchronously');
	await waitForFlush(() => flushes > 0);
	t.is(flushes, 1);
	t.is(store.getSnapshot().transfers[0]?.id, 99, 'the latest snapshot wins');
	store.dispose();
	t.is(listener, undefined, 'dispose unsubscribes from the engine');
});

async function waitForFlush(condition: () => boolean) {
	while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}
