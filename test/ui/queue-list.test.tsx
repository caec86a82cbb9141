/**
 * The queue pane holds and sorts the WHOLE queue, not the engine's window of
 * it: a real engine over a real archive (stand-in CDN on 127.0.0.1, slowed
 * by its own bandwidth cap) with more pending files than the engine keeps in
 * memory. Sorted by name the first row is the archive's first pending file,
 * and the position line counts every pending file.
 */
import test from 'ava';
import React from 'react';
import {render} from 'ink-testing-library';
import type {QueueRows} from '../../source/core/archive/queue-rows.js';
import {createDownloadEngine} from '../../source/core/downloads/engine.js';
import type {DownloadControls} from '../../source/core/downloads/types.js';
import {useEngineSnapshot} from '../../source/ui/engine-store.js';
import {PendingIds} from '../../source/ui/queue/pending-ids.js';
import {queueList} from '../../source/ui/queue/queue-list.js';
import {QueuePane} from '../../source/ui/queue/queue-pane.js';
import {queueEmptiedNotice} from '../../source/ui/queue/use-queue.js';
import {useQueueList} from '../../source/ui/queue/use-queue-list.js';
import {initialQueueState, type QueueState} from '../../source/ui/queue/use-queue-state.js';
import {themeFor} from '../../source/ui/theme.js';
import {downloadFixture, imageRows, waitFor} from '../helpers/download-setup.js';
import {waitForFrame} from '../helpers/ui-testing.js';

const plain = themeFor({NO_COLOR: '1'});

function QueueHarness({engine, rows, state}: {engine: DownloadControls; rows: Pick<QueueRows, 'pendingIds' | 'rows'>; state: QueueState}) {
	const {snapshot} = useEngineSnapshot(engine);
	const list = useQueueList(rows, snapshot, state.sort, state.descending);
	return <QueuePane snapshot={snapshot} list={list} state={state} width={80} height={20} theme={plain} focused />;
}

test('sorted by name, the pane starts at the first pending file of the whole queue and counts all of them', async (t) => {
	// 120 jobs of 1-8 files: several hundred files, more than the engine's window of 64 and the snapshot's 200.
	const fixture = await downloadFixture(t, {jobs: 120, imageBytes: 32 * 1024, config: {limitRate: 32 * 1024, concurrency: 2, perHostConcurrency: 2}});
	const engine = createDownloadEngine(fixture.store, fixture.config);
	t.teardown(() => engine.stop({immediate: true}));
	engine.enqueueMissing();
	await waitFor(() => engine.snapshot().totals.active > 0, 'a transfer to start');
	engine.pauseAll();
	await waitFor(() => engine.snapshot().totals.active === 0, 'every transfer to stop');
	const pending = imageRows(fixture.store).filter((row) => row.status === 'pending');
	t.true(pending.length > 200, `more files than the engine's snapshot lists (${pending.length})`);
	t.true(engine.snapshot().transfers.length < pending.length, 'the engine itself holds a window');
	const first = [...pending].sort((a, b) => (a.path! < b.path! ? -1 : a.path! > b.path! ? 1 : a.id - b.id))[0]!;

	const byName: QueueState = {...initialQueueState, sort: 'name'};
	const app = render(<QueueHarness engine={engine} rows={fixture.store.queueRows} state={byName} />);
	const frame = await waitForFrame(app.lastFrame, (text) => text.includes(`1 of ${pending.length.toLocaleString('en-US')} · sort: name ↑`));
	const firstRow = frame.split('\n')[2]!;
	// Names are shortened from the start; the end (job id and index) identifies the file.
	t.true(firstRow.includes(first.path!.slice(-18)), `first row ${firstRow} is ${first.path}`);
	app.unmount();
});

test('the list skips files that finished since the ids were read, without reading them again', (t) => {
	const pending = new PendingIds(Int32Array.from([10, 11, 12, 13, 14]));
	const reads: number[][] = [];
	const resolve = (ids: readonly number[]) => {
		reads.push([...ids]);
		return new Map(ids.map((id) => [id, {id, jobId: null, url: '', name: `f${id}`, host: '', state: 'queued' as const, bytes: 0, total: null, speed: 0, eta: null, attempts: 0, lastError: null, priority: 0, heldUntil: null}]));
	};
	const list = queueList({transfers: [], pending, done: new Set([11, 13]), sort: 'state', descending: false, resolve});
	t.is(list.length, 3);
	t.deepEqual(list.slice(0, 10).map((row) => row.id), [10, 12, 14]);
	t.is(list.indexOf(12), 1);
	t.is(list.indexOf(13), -1);
	const reversed = queueList({transfers: [], pending, done: new Set([11, 13]), sort: 'state', descending: true, resolve});
	t.deepEqual(reversed.slice(0, 10).map((row) => row.id), [14, 12, 10]);
	t.is(reversed.indexOf(14), 0);
	t.deepEqual(reads.at(-1), [14, 12, 10], 'only the rows on screen are read');
});

test('the queue-empty notice says what was downloaded and what failed', (t) => {
	const start = {queued: 0, active: 0, paused: 0, held: 0, done: 10, failed: 1, canceled: 0, bytesDone: 0, bytesRemaining: 0, speed: 0, eta: null};
	const end = {...start, done: 1049, failed: 3, bytesDone: 5 * 1024 * 1024};
	t.is(queueEmptiedNotice(start, end), 'queue empty: 1,039 files downloaded (5.00 MiB), 2 failed (R in the queue retries them)');
	t.is(queueEmptiedNotice(start, {...start, done: 11, bytesDone: 2048}), 'queue empty: 1 file downloaded (2.00 KiB), 0 failed');
});
