/**
 * The status line: sync state (idle / syncing page N / error), archive totals
 * and the engine's throughput. Errors are one stripped line, never a stack.
 */
import React from 'react';
import {Box, Text} from 'ink';
import type {ClaimHolder} from '../../core/archive/claims.js';
import type {ArchiveTotals} from '../../core/archive/store.js';
import type {EngineTotals} from '../../core/downloads/types.js';
import {toSingleLine} from '../../core/terminal-text.js';
import {formatBytes, formatRate} from '../../core/units.js';
import {Spinner} from '../spinner.js';
import type {Theme} from '../theme.js';
import {formatJobDate} from '../jobs-table/job-columns.js';

export type SyncState =
	| {state: 'idle'}
	| {state: 'syncing'; page: number; jobsNew: number; jobsSeen?: number}
	| {state: 'done'; jobsNew: number; jobsUpdated: number}
	/** `text`: the whole message with its hint, for the message box. */
	| {state: 'error'; message: string; text?: string};

const count = (value: number) => value.toLocaleString('en-US');

/** What a running sync is doing: signing in and waiting for the first page, then how far the listing got. */
export function syncingText(sync: {page: number; jobsNew: number; jobsSeen?: number}): string {
	if (sync.page === 0) return 'sync: signing in, asking for the first page…';
	const seen = sync.jobsSeen === undefined ? '' : `${count(sync.jobsSeen)} jobs, `;
	return `syncing page ${count(sync.page)} (${seen}${count(sync.jobsNew)} new)`;
}

/** The empty jobs table during the first sync: what is happening, and how far it got. */
export function firstSyncText(sync: SyncState): string | undefined {
	if (sync.state !== 'syncing') return undefined;
	return sync.page === 0
		? 'First sync: signing in and asking Midjourney for the first page of jobs…'
		: `First sync: page ${count(sync.page)}, ${count(sync.jobsSeen ?? sync.jobsNew)} jobs so far…`;
}

function SyncPart({sync, theme}: {sync: SyncState; theme: Theme}) {
	switch (sync.state) {
		case 'idle':
			return <Text color={theme.muted}>sync idle</Text>;
		case 'syncing':
			return (
				<Text color={theme.accent}>
					<Spinner /> {syncingText(sync)}
				</Text>
			);
		case 'done':
			return (
				<Text color={theme.ok}>
					synced +{count(sync.jobsNew)} new{sync.jobsUpdated ? ` ~${count(sync.jobsUpdated)} updated` : ''}
				</Text>
			);
		case 'error':
			return <Text color={theme.error}>sync error: {toSingleLine(sync.message)}</Text>;
	}
}

/**
 * The status line's words for the holder: `archive in use by process 4121
 * (syncing the listing, since 2026-12-05 03:00): browsing only`, or without
 * the parenthesis below 120 columns, where the totals need the room.
 */
export function otherWriterText(holder: ClaimHolder, width: number): string {
	const since = holder.since > 0 ? `, since ${formatJobDate(holder.since)}` : '';
	const what = width >= 120 ? ` (${toSingleLine(holder.doing)}${since})` : '';
	return `archive in use by process ${holder.pid}${what}: browsing only`;
}

export function StatusLine({
	sync,
	totals,
	engine,
	engineError,
	problem,
	otherWriter,
	width,
	theme,
}: {
	sync: SyncState;
	totals: ArchiveTotals | undefined;
	engine: EngineTotals;
	/** Why downloads stopped (CDN refused auth, Cloudflare), if they did. */
	engineError?: string;
	/** What is wrong with the line being typed (an unknown filter word): shown first, in the error colour. */
	problem?: string;
	/** Another process writing the archive (use-other-writer.ts), in the warning colour after the sync state. */
	otherWriter?: ClaimHolder | undefined;
	width: number;
	theme: Theme;
}) {
	const archive = totals
		? `${count(totals.jobs)} jobs · ${count(totals.imagesDone)}/${count(totals.images)} files${totals.imagesFailed ? ` (${count(totals.imagesFailed)} failed)` : ''} · ${formatBytes(totals.bytesOnDisk)}`
		: '';
	const flow = engine.active || engine.speed ? `↓ ${formatRate(engine.speed)}${width >= 120 ? ` · ${engine.active} active` : ''}` : `↓ idle`;
	return (
		<Box width={width} height={1}>
			<Text wrap="truncate-end">
				{problem ? <Text color={theme.error}>{`${toSingleLine(problem)}  `}</Text> : null}
				<SyncPart sync={sync} theme={theme} />
				{otherWriter ? <Text color={theme.warn}>{`  ${otherWriterText(otherWriter, width)}`}</Text> : null}
				{engineError ? <Text color={theme.error}>{`  downloads stopped: ${toSingleLine(engineError)}`}</Text> : null}
				{`  ${flow}  ${archive}`}
			</Text>
		</Box>
	);
}
