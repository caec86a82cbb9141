/**
 * The queue pane's hook: its state (sort, selection) plus the command
 * handlers that act through the engine on the selected transfer or on all of
 * them. Handlers read the engine's latest snapshot, not the one of their render.
 */
import {useEffect, useMemo, useRef} from 'react';
import type {QueueRows} from '../../core/archive/queue-rows.js';
import type {DownloadControls, EngineSnapshot, EngineTotals, TransferSnapshot} from '../../core/downloads/types.js';
import {toSingleLine} from '../../core/terminal-text.js';
import {formatBytes} from '../../core/units.js';
import type {CommandHandlers} from '../keys.js';
import {listCommands} from '../list-commands.js';
import {useSyncReducer} from '../use-sync-state.js';
import type {QueueSort} from './transfer-order.js';
import {useQueueList} from './use-queue-list.js';
import {initialQueueState, queueReducer, selectedIndex} from './use-queue-state.js';

export interface QueueOptions {
	engine: DownloadControls;
	/** The archive's pending files, so the pane lists the whole queue, not the engine's window. */
	rows: Pick<QueueRows, 'pendingIds' | 'rows'>;
	snapshot: EngineSnapshot;
	/** Take an engine snapshot now, so the user's action shows at once. */
	refreshSnapshot: () => void;
	/** Visible rows: what a page moves. */
	height: number;
	info: (text: string) => void;
	/** Ask before something destructive; `run` goes ahead on yes. */
	confirm: (question: string, subject: string, run: () => void) => void;
}

const sortKeys: ReadonlyArray<[command: 'sort-speed' | 'sort-eta' | 'sort-remaining' | 'sort-name' | 'sort-state', sort: QueueSort]> = [
	['sort-speed', 'speed'],
	['sort-eta', 'eta'],
	['sort-remaining', 'remaining'],
	['sort-name', 'name'],
	['sort-state', 'state'],
];

const settledStates: ReadonlySet<string> = new Set(['done', 'canceled', 'failed']);

const count = (n: number) => n.toLocaleString('en-US');

/** What a queue that just emptied did, from the totals when it started and now. */
export function queueEmptiedNotice(start: Pick<EngineTotals, 'done' | 'failed' | 'bytesDone'>, now: EngineTotals): string {
	const done = now.done - start.done;
	const failed = Math.max(0, now.failed - start.failed);
	const bytes = now.bytesDone - start.bytesDone;
	return `queue empty: ${count(done)} file${done === 1 ? '' : 's'} downloaded (${formatBytes(bytes)}), ${count(failed)} failed${failed ? ' (R in the queue retries them)' : ''}`;
}

/** Says what was done once the queue empties (nothing queued, running, held or paused any more). */
function useQueueEmptiedNotice(totals: EngineTotals, info: (text: string) => void): void {
	// The totals while the queue was last empty: files may finish before the first busy snapshot arrives.
	const idle = useRef<EngineTotals>(totals);
	const busy = useRef(false);
	useEffect(() => {
		const waiting = totals.queued + totals.active + totals.held + totals.paused;
		if (waiting > 0) busy.current = true;
		else {
			if (busy.current) info(queueEmptiedNotice(idle.current, totals));
			busy.current = false;
			idle.current = totals;
		}
	}, [totals, info]);
}

/** The queue's state, the whole queue in its order, its pane's command handlers, and `everywhere`: the download keys that work in any pane. */
export function useQueue({engine, rows, snapshot, refreshSnapshot, height, info, confirm}: QueueOptions) {
	const [state, dispatch, ref] = useSyncReducer(queueReducer, initialQueueState);
	const list = useQueueList(rows, snapshot, state.sort, state.descending);
	const latest = useRef({snapshot, height, list});
	latest.current = {snapshot, height, list};
	useQueueEmptiedNotice(snapshot.totals, info);

	const handlers = useMemo(() => {
		/** Transfers in the queue's current order, and the selected one. */
		const order = () => {
			const {list} = latest.current;
			return {ids: list, selected: list.slice(selectedIndex(ref.current, list), 1)[0]};
		};
		const moveTo = (last: boolean) => {
			const {ids} = order();
			dispatch({type: 'move-to', index: last ? ids.length - 1 : 0, ids, height: latest.current.height});
		};
		/** A handler for the selected transfer; nothing happens when the queue is empty. */
		const onSelected = (act: (transfer: TransferSnapshot) => void) => () => {
			const {selected} = order();
			if (selected) act(selected);
		};
		const concurrency = (step: number) => () => {
			const next = Math.max(1, Math.min(64, latest.current.snapshot.concurrency + step));
			engine.setConcurrency(next);
			refreshSnapshot();
			info(`${next} downloads at once`);
		};
		const commands: CommandHandlers = {
			...listCommands(
				(delta) => dispatch({type: 'move', delta, ids: order().ids, height: latest.current.height}),
				() => latest.current.height,
				() => moveTo(false),
				() => moveTo(true),
			),
			retry: onSelected((transfer) => {
				engine.retry(transfer.id);
				refreshSnapshot();
			}),
			'retry-failed'() {
				const count = engine.retryFailed();
				refreshSnapshot();
				info(`retrying ${count} failed transfer${count === 1 ? '' : 's'}`);
			},
			cancel: onSelected((transfer) => {
				if (settledStates.has(transfer.state)) return info(`that transfer is ${transfer.state} already`);
				confirm('Cancel, keeping its partial file?', toSingleLine(transfer.name), () => {
					engine.cancel(transfer.id);
					refreshSnapshot();
				});
			}),
			pause: onSelected((transfer) => {
				if (transfer.state === 'paused') engine.resume(transfer.id);
				else engine.pause(transfer.id);
				refreshSnapshot();
			}),
			'pause-all'() {
				if (latest.current.snapshot.paused) engine.resumeAll();
				else engine.pauseAll();
				refreshSnapshot();
			},
			'concurrency-up': concurrency(1),
			'concurrency-down': concurrency(-1),
		};
		for (const [command, sort] of sortKeys) commands[command] = () => dispatch({type: 'sort', sort});
		const everywhere: CommandHandlers = {
			'download-all'() {
				const queued = engine.enqueueMissing();
				refreshSnapshot();
				info(queued ? `queued ${queued.toLocaleString('en-US')} missing files` : 'nothing missing');
			},
		};
		return {commands, everywhere};
	}, [ref, dispatch, engine, refreshSnapshot, info, confirm]);
	return {state, list, ...handlers};
}
