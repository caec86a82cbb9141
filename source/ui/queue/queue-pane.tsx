/**
 * The download queue: totals and throughput in the header, then a windowed
 * list of transfers (progress, speed, ETA, bytes left, attempts), failed ones
 * with their reason, and the selected transfer's last error under the list.
 */
import React, {memo} from 'react';
import {Box, Text} from 'ink';
import type {EngineSnapshot, TransferSnapshot} from '../../core/downloads/types.js';
import {toSingleLine} from '../../core/terminal-text.js';
import {formatBytes, formatEta, formatRate} from '../../core/units.js';
import type {Theme} from '../theme.js';
import {Spinner} from '../spinner.js';
import {fitEnd, fitStart} from '../text-fit.js';
import {ProgressBar} from './progress-bar.js';
import type {QueueList} from './queue-list.js';
import {remainingBytes, type QueueSort} from './transfer-order.js';
import {selectedIndex, windowTop, type QueueState} from './use-queue-state.js';
import {concurrencyCap} from '../../core/downloads/snapshots.js';

export interface QueuePaneProps {
	snapshot: EngineSnapshot;
	/** The whole queue in the pane's order (useQueue's list). */
	list: QueueList;
	state: QueueState;
	width: number;
	/** Lines available, header and error line included. */
	height: number;
	theme: Theme;
	focused: boolean;
}

/** The sorts' names as the pane says them (the column titles are shorter). */
export const sortLabels: Record<QueueSort, string> = {state: 'state', speed: 'speed', eta: 'ETA', remaining: 'bytes left', name: 'name'};

/** Rows of the list (the pane's height minus its header, column titles and error line). */
export function queueListHeight(height: number): number {
	return Math.max(1, height - 3);
}

interface Columns {
	state: number;
	name: number;
	bar: number;
	percent: number;
	speed: number;
	eta: number;
	left: number;
	attempts: number;
}

function queueColumns(width: number): Columns {
	const bar = width >= 100 ? 16 : width >= 70 ? 8 : 0;
	const fixed = {state: 11, bar, percent: bar ? 5 : 0, speed: 12, eta: 7, left: 10, attempts: 4};
	const used = 2 + fixed.state + fixed.bar + (bar ? 1 : 0) + fixed.percent + fixed.speed + fixed.eta + fixed.left + fixed.attempts;
	return {...fixed, name: Math.max(8, width - used - 1)};
}

function stateColour(transfer: TransferSnapshot, theme: Theme): string | undefined {
	switch (transfer.state) {
		case 'active':
			return theme.accent;
		case 'failed':
			return theme.error;
		case 'held':
		case 'paused':
			return theme.warn;
		default:
			return theme.muted;
	}
}

/** Why a transfer is not moving, for failed, canceled and held rows. */
function reasonOf(transfer: TransferSnapshot): string | undefined {
	if (transfer.state === 'failed') return `✗ ${toSingleLine(transfer.lastError ?? 'failed')}`;
	if (transfer.state === 'canceled') return 'canceled (partial kept; r retries)';
	if (transfer.state === 'held' && transfer.heldUntil) {
		const wait = Math.max(0, Math.round((transfer.heldUntil - Date.now()) / 1000));
		return `held ${formatEta(wait)}${transfer.lastError ? `: ${toSingleLine(transfer.lastError)}` : ''}`;
	}
	return undefined;
}

/** Whole percent done; 100 only for a finished file (a paused or waiting one with every byte in is not done). */
export function percentOf(transfer: Pick<TransferSnapshot, 'bytes' | 'total' | 'state'>): number {
	if (!transfer.total) return 0;
	const percent = Math.floor((transfer.bytes / transfer.total) * 100);
	return transfer.state === 'done' ? percent : Math.min(99, percent);
}

const TransferRow = memo(function TransferRow({transfer, columns, selected, focused, theme}: {transfer: TransferSnapshot; columns: Columns; selected: boolean; focused: boolean; theme: Theme}) {
	const inverse = selected && focused;
	const reason = reasonOf(transfer);
	const fraction = transfer.total ? transfer.bytes / transfer.total : 0;
	const left = remainingBytes(transfer);
	const spanWidth = columns.bar + (columns.bar ? 1 : 0) + columns.percent + columns.speed + columns.eta + columns.left;
	return (
		<Box height={1}>
			<Box width={2} flexShrink={0}>
				<Text inverse={inverse}>{selected ? '›' : ' '} </Text>
			</Box>
			<Box width={columns.state} flexShrink={0}>
				<Text inverse={inverse} color={stateColour(transfer, theme)} wrap="truncate-end">
					{transfer.state === 'active' ? <Spinner /> : ' '} {transfer.state}
				</Text>
			</Box>
			<Box width={columns.name + 1} flexShrink={0} paddingRight={1}>
				<Text inverse={inverse} wrap="truncate-start">
					{fitStart(toSingleLine(transfer.name), columns.name)}
				</Text>
			</Box>
			{reason ? (
				<Box width={spanWidth} flexShrink={0}>
					<Text color={transfer.state === 'failed' ? theme.error : theme.warn} wrap="truncate-end">
						{fitEnd(reason, spanWidth)}
					</Text>
				</Box>
			) : (
				<>
					{columns.bar ? (
						<Box width={columns.bar + 1} flexShrink={0}>
							<ProgressBar fraction={fraction} width={columns.bar} color={theme.ok} />
						</Box>
					) : null}
					{columns.percent ? (
						<Box width={columns.percent} flexShrink={0}>
							<Text>{transfer.total ? `${percentOf(transfer)}%`.padStart(4) : '  ? '}</Text>
						</Box>
					) : null}
					<Box width={columns.speed} flexShrink={0}>
						<Text>{transfer.state === 'active' ? formatRate(transfer.speed).padStart(11) : ''}</Text>
					</Box>
					<Box width={columns.eta} flexShrink={0}>
						<Text>{transfer.state === 'active' ? formatEta(transfer.eta).padStart(6) : ''}</Text>
					</Box>
					<Box width={columns.left} flexShrink={0}>
						<Text>{left === null ? '        ?' : formatBytes(left).padStart(9)}</Text>
					</Box>
				</>
			)}
			<Box width={columns.attempts} flexShrink={0}>
				<Text color={transfer.attempts > 1 ? theme.warn : undefined}>{String(transfer.attempts).padStart(3)}</Text>
			</Box>
		</Box>
	);
});

/** `×8`, or `×2 of 8 (per-host limit 2)` when a limit keeps the user's number from being met. */
function concurrencyText(snapshot: EngineSnapshot): string {
	const cap = concurrencyCap(snapshot);
	return cap ? `×${snapshot.effectiveConcurrency} of ${snapshot.concurrency} (${cap})` : `×${snapshot.concurrency}`;
}

/** Bytes left as the header says them: `≈` when sizes were estimated, `≥` when some are not known at all. */
export function bytesLeftText(totals: EngineSnapshot['totals']): string {
	const mark = totals.bytesRemainingUnknown ? '≥' : totals.bytesRemainingEstimated ? '≈' : '';
	return `${mark}${formatBytes(totals.bytesRemaining)} left`;
}

/** One line of totals: counts by state, throughput, what is left, concurrency. Narrow screens drop zero counts. */
export function queueSummary(snapshot: EngineSnapshot, width = 200): string {
	const {totals} = snapshot;
	const narrow = width < 120;
	const counts = (['active', 'queued', 'held', 'paused', 'failed', 'done'] as const)
		.filter((name) => !narrow || totals[name] > 0 || name === 'active')
		.map((name) => `${totals[name].toLocaleString('en-US')} ${name}`)
		.join(narrow ? ' ' : ' · ');
	const flow = `↓ ${formatRate(totals.speed)} · ETA ${formatEta(totals.eta)} · ${bytesLeftText(totals)} · ${concurrencyText(snapshot)}`;
	const flags = `${snapshot.paused ? ' · PAUSED' : ''}${snapshot.stopping ? ' · stopping' : ''}`;
	return `${counts}${flags}  ${flow}`;
}

/** The pane's last line: where the selection is in the whole queue, and the sort by its full name. */
export function queuePosition(index: number, length: number, state: Pick<QueueState, 'sort' | 'descending'>): string {
	const sort = `sort: ${sortLabels[state.sort]} ${state.descending ? '↓' : '↑'}`;
	return length === 0 ? sort : `${(index + 1).toLocaleString('en-US')} of ${length.toLocaleString('en-US')} · ${sort}`;
}

export function QueuePane({snapshot, list, state, width, height, theme, focused}: QueuePaneProps) {
	const columns = queueColumns(width);
	const listHeight = queueListHeight(height);
	const index = selectedIndex(state, list);
	const top = windowTop(state.top, index, listHeight, list.length);
	const visible = list.slice(top, listHeight);
	const selected = visible[index - top];
	const lastError = selected?.lastError ? toSingleLine(selected.lastError) : undefined;
	const position = fitEnd(queuePosition(index, list.length, state), width);
	// The sorted column's title carries the direction, as in htop.
	const title = (text: string, sort: QueueSort) => (state.sort === sort ? `${text}${state.descending ? '↓' : '↑'}` : text);
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text wrap="truncate-end" bold={focused}>
				<Text color={theme.accent}>Queue </Text>
				{fitEnd(queueSummary(snapshot, width), width - 6)}
			</Text>
			<Box height={1}>
				<Text bold wrap="truncate-end">
					{'  '}
					{title('State', 'state').padEnd(columns.state)}
					{title('Name', 'name').padEnd(columns.name + 1)}
					{columns.bar ? 'Progress'.padEnd(columns.bar + 1 + columns.percent) : ''}
					{title('Speed', 'speed').padStart(11)} {title('ETA', 'eta').padStart(6)} {title('Left', 'remaining').padStart(9)} {'Try'.padStart(3)}
				</Text>
			</Box>
			<Box flexDirection="column" height={listHeight}>
				{visible.length === 0 ? (
					<Text color={theme.muted}>Nothing queued. d downloads the selected job, D everything missing.</Text>
				) : (
					visible.map((transfer) => (
						<TransferRow key={transfer.id} transfer={transfer} columns={columns} selected={transfer.id === selected?.id} focused={focused} theme={theme} />
					))
				)}
			</Box>
			<Text wrap="truncate-end">
				<Text color={theme.muted}>{position}</Text>
				{lastError ? <Text color={theme.error}>{fitEnd(` · last error: ${lastError}`, Math.max(0, width - position.length))}</Text> : null}
			</Text>
		</Box>
	);
}
