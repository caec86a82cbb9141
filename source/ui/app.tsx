/**
 * The app: lays the panes out for the terminal size, keeps which pane has
 * focus, and routes every key through one dispatcher (overlays first, then
 * the focused pane, then global keys) to the archive, engine and sync.
 */
import path from 'node:path';
import React, {useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore} from 'react';
import {Box, Text, useApp, useInput, type Key} from 'ink';
import type {ArchiveTotals} from '../core/archive/store.js';
import type {JobFilter} from '../core/job.js';
import {toSingleLine} from '../core/terminal-text.js';
import {DetailsPane} from './details/details-pane.js';
import {jobImages} from './details/job-images.js';
import {createEngineStore} from './engine-store.js';
import {errorLine} from './error-line.js';
import {unpacedFrames, type FrameSignal} from './frame-pacer.js';
import {HelpOverlay} from './help/help-overlay.js';
import {formatFilterText, parseFilterText} from './jobs-table/filter-text.js';
import {JobsTable, jobsPosition} from './jobs-table/jobs-table.js';
import {useJobsTable} from './jobs-table/use-jobs-table.js';
import {selectedJob} from './jobs-table/use-jobs-table-state.js';
import {commandFor, keyOf, type Command, type KeyScope, type Pane} from './keys.js';
import {PaneTitle, TabBar} from './pane-chrome.js';
import {layoutFor, paneOrder} from './layout.js';
import {editLine} from './prompt/line-editor.js';
import {QueuePane, queueListHeight} from './queue/queue-pane.js';
import {sortTransfers} from './queue/transfer-order.js';
import {initialQueueState, queueReducer} from './queue/use-queue-state.js';
import {SearchPane} from './search/search-pane.js';
import {currentHit} from './search/use-search-state.js';
import {useSearch} from './search/use-search.js';
import type {TuiServices} from './services.js';
import {TickProvider} from './spinner.js';
import {useSyncState, useSyncReducer} from './use-sync-state.js';
import {Footer} from './status-line/footer.js';
import {StatusLine, type SyncState} from './status-line/status-line.js';
import {fitStart} from './text-fit.js';
import {themeFor, type Theme} from './theme.js';

export interface AppProps {
	services: TuiServices;
	/** Terminal size; run.tsx passes the live size, tests pass a fixed one. */
	columns: number;
	rows: number;
	theme?: Theme;
	/** Milliseconds of quiet typing before a search runs. */
	searchDebounceMs?: number;
	/** When frames reach the terminal (mount.tsx's FramePacer); search queries wait for the typed letter's frame. */
	frames?: FrameSignal;
	/** Told how the user left: forced means a second q/Ctrl-C while transfers were stopping. */
	onQuit?: (forced: boolean) => void;
}

interface Confirmation {
	/** What is asked, without the thing it is about: `Cancel (keeping its partial file)`. */
	question: string;
	/** What it is about (a file name); shortened from the start to fit the line. */
	subject: string;
	run: () => void;
}

interface Notice {
	text: string;
	tone: 'info' | 'error';
}

const sortCommands: Partial<Record<Command, 'speed' | 'eta' | 'remaining' | 'name' | 'state'>> = {
	'sort-speed': 'speed',
	'sort-eta': 'eta',
	'sort-remaining': 'remaining',
	'sort-name': 'name',
	'sort-state': 'state',
};

/** Engine snapshots through an external store flushed at 2.5 Hz (engine-store.ts). */
function useEngineSnapshot(engine: TuiServices['engine']) {
	const store = useMemo(() => createEngineStore(engine), [engine]);
	useEffect(() => () => store.dispose(), [store]);
	const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot);
	return {snapshot, refresh: store.refresh};
}

export function App({services, columns, rows, theme = themeFor(), searchDebounceMs = 120, frames = unpacedFrames, onQuit}: AppProps) {
	const {exit} = useApp();
	const {archive, engine} = services;
	const layout = layoutFor(columns, rows);
	// Modes the key dispatcher reads back at once (keys may arrive faster than frames).
	const [focus, setFocus, focusRef] = useSyncState<Pane>('jobs');
	const [helpOpen, setHelpOpen, helpRef] = useSyncState(false);
	const [confirmation, setConfirmation, confirmationRef] = useSyncState<Confirmation | null>(null);
	const [filterPrompt, setFilterPrompt, filterPromptRef] = useSyncState<{text: string; error: string | null} | null>(null);
	const [filter, setFilter] = useState<JobFilter>({});
	const [notice, setNotice] = useState<Notice | null>(null);
	const [sync, setSync] = useState<SyncState>({state: 'idle'});
	const [quitting, setQuitting, quittingRef] = useSyncState(false);
	const [totals, setTotals] = useState<ArchiveTotals | undefined>(undefined);
	// Bumped when archived data changed (sync page, files finished): tables and totals re-read.
	const [dataVersion, setDataVersion] = useState(0);
	const [fileIndex, setFileIndex, fileIndexRef] = useSyncState(0);
	const syncAbort = useRef<AbortController | null>(null);

	const jobsHeight = Math.max(1, layout.panes.jobs.height - 2);
	const table = useJobsTable(archive, filter, jobsHeight);
	const [queue, queueDispatch, queueRef] = useSyncReducer(queueReducer, initialQueueState);
	const {search, dispatch: searchDispatch, ref: searchRef} = useSearch(archive, filter, searchDebounceMs, frames);
	const {snapshot, refresh: refreshSnapshot} = useEngineSnapshot(engine);
	const queueHeight = queueListHeight(layout.panes.queue.height);

	const bumpData = useCallback(() => setDataVersion((version) => version + 1), []);

	// Re-read visible rows when data changed (and count again after a sync). Totals count every job,
	// which takes a while in a big archive: read after the first frame, then at most every two seconds.
	const {reload} = table;
	const recount = useRef(false);
	useEffect(() => {
		if (dataVersion === 0) return;
		// With a download-status filter, finished files change which jobs match.
		try {
			reload(recount.current || filter.fileStatus !== undefined);
		} catch (error) {
			setNotice({text: errorLine(error), tone: 'error'});
		}
		recount.current = false;
	}, [dataVersion, reload]);
	const lastTotals = useRef(0);
	useEffect(() => {
		const wait = dataVersion === 0 ? 0 : Math.max(0, 2000 - (Date.now() - lastTotals.current));
		const timer = setTimeout(() => {
			lastTotals.current = Date.now();
			try {
				setTotals(archive.totals());
			} catch (error) {
				setNotice({text: errorLine(error), tone: 'error'});
			}
		}, wait);
		return () => clearTimeout(timer);
	}, [archive, dataVersion]);

	// Finished or failed files change the jobs' file counts: re-read at most every two seconds (a
	// throttle, not a debounce, so a steady stream of finished files still shows; each re-read is a redraw).
	const settled = snapshot.totals.done + snapshot.totals.failed + snapshot.totals.canceled;
	const lastReread = useRef(0);
	const rereadTimer = useRef<NodeJS.Timeout | undefined>(undefined);
	useEffect(() => {
		if (settled === 0 || rereadTimer.current) return;
		const wait = Math.max(0, 2000 - (Date.now() - lastReread.current));
		rereadTimer.current = setTimeout(() => {
			rereadTimer.current = undefined;
			lastReread.current = Date.now();
			bumpData();
		}, wait);
	}, [settled, bumpData]);
	useEffect(() => () => clearTimeout(rereadTimer.current), []);

	const wide = layout.mode === 'wide';
	/** The job the details pane and d/o act on: the highlighted hit while searching on a wide screen, else the table's selection. */
	const currentJob = useCallback(() => {
		const hit = searchRef.current.open && wide ? currentHit(searchRef.current)?.job : undefined;
		return hit ?? selectedJob(table.ref.current);
	}, [wide, searchRef, table.ref]);
	const job = currentJob();
	const images = useMemo(() => (job ? jobImages(archive.db, job.id) : []), [archive, job?.id, dataVersion]);
	useEffect(() => setFileIndex(0), [job?.id, setFileIndex]);

	const activeJobIds = useMemo(() => {
		const ids = new Set<string>();
		for (const transfer of snapshot.transfers) if (transfer.state === 'active' && transfer.jobId) ids.add(transfer.jobId);
		return ids;
	}, [snapshot.transfers]);

	// Values from the last render that key handlers read (the engine's snapshot, sizes).
	const latest = useRef({snapshot, jobsHeight, queueHeight, filter});
	latest.current = {snapshot, jobsHeight, queueHeight, filter};

	/** Transfers in the queue's current order, and the selected one. */
	const queueOrder = useCallback(() => {
		const {sort, descending, selectedId, cursor} = queueRef.current;
		const ordered = sortTransfers(latest.current.snapshot.transfers, sort, descending);
		const index = selectedId === null ? -1 : ordered.findIndex((transfer) => transfer.id === selectedId);
		return {ordered, selected: ordered[index >= 0 ? index : Math.min(cursor, ordered.length - 1)]};
	}, [queueRef]);

	const info = useCallback((text: string) => setNotice({text, tone: 'info'}), []);
	const fail = useCallback((error: unknown) => setNotice({text: errorLine(error), tone: 'error'}), []);

	const quit = useCallback(() => {
		if (quittingRef.current) {
			// Second request: leave now; run.tsx stops the engine without waiting.
			onQuit?.(true);
			exit();
			return;
		}
		setQuitting(true);
		syncAbort.current?.abort();
		const leave = () => {
			onQuit?.(false);
			exit();
		};
		engine.stop().then(leave, leave);
	}, [quittingRef, setQuitting, engine, exit, onQuit]);

	const startSync = useCallback(() => {
		if (syncAbort.current) {
			info('a sync is already running');
			return;
		}
		const controller = new AbortController();
		syncAbort.current = controller;
		setSync({state: 'syncing', page: 0, jobsNew: 0});
		services
			.sync({
				signal: controller.signal,
				onProgress(progress) {
					if (progress.state === 'listing') setSync({state: 'syncing', page: progress.page, jobsNew: progress.jobsNew});
					recount.current = true;
					bumpData();
				},
			})
			.then(
				(summary) => setSync({state: 'done', jobsNew: summary.jobsNew, jobsUpdated: summary.jobsUpdated}),
				(error: unknown) => setSync({state: 'error', message: errorLine(error)}),
			)
			.finally(() => {
				syncAbort.current = null;
				recount.current = true;
				bumpData();
			});
	}, [services, info, bumpData]);

	const jumpToHit = useCallback(
		(index: number) => {
			const hit = searchRef.current.hits[index];
			if (!hit) return false;
			if (!table.jumpTo(hit.job.id)) {
				info('that job is not in the filtered list (F clears the filter)');
				return false;
			}
			return true;
		},
		[searchRef, table, info],
	);

	const openImage = useCallback(() => {
		const target = currentJob();
		const files = target ? jobImages(archive.db, target.id) : [];
		const image = focusRef.current === 'details' ? files[fileIndexRef.current] : files.find((candidate) => candidate.status === 'done');
		if (!image || image.status !== 'done' || !image.path) {
			info(target ? 'no downloaded image for this job yet (d downloads it)' : 'no job selected');
			return;
		}
		info(toSingleLine(services.openImage(path.join(archive.dir, image.path))));
	}, [currentJob, archive, focusRef, fileIndexRef, services, info]);

	const moveList = useCallback(
		(pane: Pane, command: Command) => {
			const {jobsHeight: jobsPage, queueHeight: queuePage} = latest.current;
			const page = pane === 'jobs' ? jobsPage : pane === 'queue' ? queuePage : 1;
			const delta = command === 'down' ? 1 : command === 'up' ? -1 : command === 'page-down' ? page : command === 'page-up' ? -page : 0;
			if (pane === 'jobs') {
				if (command === 'first') table.first();
				else if (command === 'last') table.last();
				else table.move(delta);
			} else if (pane === 'queue') {
				const ids = queueOrder().ordered.map((transfer) => transfer.id);
				if (command === 'first') queueDispatch({type: 'move-to', index: 0, ids, height: queuePage});
				else if (command === 'last') queueDispatch({type: 'move-to', index: ids.length - 1, ids, height: queuePage});
				else queueDispatch({type: 'move', delta, ids, height: queuePage});
			} else {
				const target = currentJob();
				const last = Math.max(0, (target ? jobImages(archive.db, target.id).length : 0) - 1);
				setFileIndex((index) => (command === 'first' ? 0 : command === 'last' ? last : Math.max(0, Math.min(last, index + delta))));
			}
		},
		[table, queueOrder, queueDispatch, currentJob, archive, setFileIndex],
	);

	const runCommand = useCallback(
		(command: Command) => {
			try {
				switch (command) {
					case 'quit':
						return quit();
					case 'help':
						return setHelpOpen(true);
					case 'next-pane':
					case 'prev-pane': {
						const step = command === 'next-pane' ? 1 : paneOrder.length - 1;
						return setFocus((pane) => paneOrder[(paneOrder.indexOf(pane) + step) % paneOrder.length]!);
					}
					case 'back':
						return setFocus('jobs');
					case 'sync':
						return startSync();
					case 'search':
						setFocus('jobs');
						return searchDispatch({type: 'open'});
					case 'up':
					case 'down':
					case 'page-up':
					case 'page-down':
					case 'first':
					case 'last':
						return moveList(focusRef.current, command);
					case 'show-details':
						return setFocus('details');
					case 'download-job': {
						const target = currentJob();
						if (!target) return info('no job selected');
						const queued = engine.enqueueMissing({jobIds: [target.id]});
						refreshSnapshot();
						return info(queued ? `queued ${queued} file${queued === 1 ? '' : 's'} of ${toSingleLine(target.id)}` : 'nothing missing for this job');
					}
					case 'download-all': {
						const queued = engine.enqueueMissing();
						refreshSnapshot();
						return info(queued ? `queued ${queued.toLocaleString('en-US')} missing files` : 'nothing missing');
					}
					case 'open':
						return openImage();
					case 'next-hit':
					case 'prev-hit': {
						const {hits, index: current} = searchRef.current;
						if (hits.length === 0) return info('no search hits (/ searches)');
						const step = command === 'next-hit' ? 1 : -1;
						const index = (((current + step) % hits.length) + hits.length) % hits.length;
						searchDispatch({type: 'move', delta: step, wrap: true});
						if (jumpToHit(index)) info(`hit ${index + 1} of ${hits.length}`);
						return;
					}
					case 'filter':
						return setFilterPrompt({text: formatFilterText(latest.current.filter), error: null});
					case 'clear-filter':
						setFilter({});
						return info('filter cleared');
					case 'retry': {
						const {selected} = queueOrder();
						if (!selected) return;
						engine.retry(selected.id);
						return refreshSnapshot();
					}
					case 'retry-failed': {
						const count = engine.retryFailed();
						refreshSnapshot();
						return info(`retrying ${count} failed transfer${count === 1 ? '' : 's'}`);
					}
					case 'cancel': {
						const {selected} = queueOrder();
						if (!selected) return;
						if (['done', 'canceled', 'failed'].includes(selected.state)) return info(`that transfer is ${selected.state} already`);
						return setConfirmation({
							question: 'Cancel, keeping its partial file?',
							subject: toSingleLine(selected.name),
							run() {
								engine.cancel(selected.id);
								refreshSnapshot();
							},
						});
					}
					case 'pause': {
						const {selected} = queueOrder();
						if (!selected) return;
						if (selected.state === 'paused') engine.resume(selected.id);
						else engine.pause(selected.id);
						return refreshSnapshot();
					}
					case 'pause-all':
						if (latest.current.snapshot.paused) engine.resumeAll();
						else engine.pauseAll();
						return refreshSnapshot();
					case 'concurrency-up':
					case 'concurrency-down': {
						const next = Math.max(1, Math.min(64, latest.current.snapshot.concurrency + (command === 'concurrency-up' ? 1 : -1)));
						engine.setConcurrency(next);
						refreshSnapshot();
						return info(`${next} downloads at once`);
					}
					default: {
						const sort = sortCommands[command];
						if (sort) queueDispatch({type: 'sort', sort});
					}
				}
			} catch (error) {
				fail(error);
			}
		},
		[quit, setHelpOpen, setFocus, startSync, searchDispatch, moveList, focusRef, currentJob, engine, refreshSnapshot, info, openImage, searchRef, jumpToHit, setFilterPrompt, queueOrder, setConfirmation, queueDispatch, fail],
	);

	const handleSearchKey = useCallback(
		(input: string, key: Key) => {
			switch (commandFor(input, key, 'search')) {
				case 'search-accept':
					searchDispatch({type: 'close'});
					if (jumpToHit(searchRef.current.index)) setFocus('details');
					return;
				case 'search-close':
					return searchDispatch({type: 'close'});
				case 'search-next':
					return searchDispatch({type: 'move', delta: 1});
				case 'search-prev':
					return searchDispatch({type: 'move', delta: -1});
				default: {
					const query = editLine(searchRef.current.query, input, key);
					if (query === undefined) return;
					searchDispatch({type: 'edit', query});
				}
			}
		},
		[searchDispatch, searchRef, jumpToHit, setFocus],
	);

	const handleFilterKey = useCallback(
		(input: string, key: Key) => {
			const prompt = filterPromptRef.current;
			if (!prompt) return;
			if (key.escape) return setFilterPrompt(null);
			if (key.return) {
				const parsed = parseFilterText(prompt.text);
				if ('error' in parsed) return setFilterPrompt({...prompt, error: parsed.error});
				setFilter(parsed.filter);
				setFilterPrompt(null);
				return info(formatFilterText(parsed.filter) ? `filter: ${formatFilterText(parsed.filter)}` : 'filter cleared');
			}
			const text = editLine(prompt.text, input, key);
			if (text !== undefined) setFilterPrompt({text, error: null});
		},
		[filterPromptRef, setFilterPrompt, info],
	);

	// The one dispatcher: quitting, then confirmations, help, prompts, then the focused pane and global keys.
	const handleInput = useCallback(
		(input: string, key: Key): void => {
			// Over a slow link several keystrokes arrive in one read and Ink hands them over as one string;
			// outside a text field each is a key of its own.
			if (input.length > 1 && !key.ctrl && !key.meta && !filterPromptRef.current && !searchRef.current.open) {
				for (const character of input) handleInput(character, keyOf(character));
				return;
			}
			const ctrlC = key.ctrl && input === 'c';
			if (quittingRef.current) {
				if (ctrlC || commandFor(input, key, 'global') === 'quit') quit();
				return;
			}
			const confirming = confirmationRef.current;
			if (confirming) {
				const command = commandFor(input, key, 'confirm');
				if (command) setConfirmation(null);
				if (command === 'confirm-yes') confirming.run();
				return;
			}
			if (ctrlC) return quit();
			if (helpRef.current) {
				if (key.escape || input === '?' || input === 'q') setHelpOpen(false);
				return;
			}
			if (filterPromptRef.current) return handleFilterKey(input, key);
			if (searchRef.current.open) return handleSearchKey(input, key);
			setNotice(null);
			const command = commandFor(input, key, focusRef.current);
			if (command) runCommand(command);
		},
		[quittingRef, confirmationRef, helpRef, filterPromptRef, searchRef, focusRef, quit, setConfirmation, setHelpOpen, handleFilterKey, handleSearchKey, runCommand],
	);
	useInput(handleInput);

	const scope: KeyScope = confirmation ? 'confirm' : search.open ? 'search' : focus;
	// Transfers redraw the screen through engine snapshots; only a sync on its own needs the tick.
	const busy = sync.state === 'syncing' && snapshot.totals.active === 0;
	const filterText = formatFilterText(filter);

	const jobsPane = search.open ? (
		<SearchPane state={search} width={layout.panes.jobs.width} height={layout.panes.jobs.height} theme={theme} />
	) : (
		<Box flexDirection="column" width={layout.panes.jobs.width} height={layout.panes.jobs.height}>
			<PaneTitle title="Jobs" focused={focus === 'jobs'} theme={theme} extra={`${jobsPosition(table.state)}${filterText ? ` · filter: ${filterText}` : ''}`} />
			<JobsTable state={table.state} width={layout.panes.jobs.width} theme={theme} focused={focus === 'jobs'} activeJobIds={activeJobIds} />
		</Box>
	);
	const detailsPane = (
		<Box flexDirection="column" width={layout.panes.details.width} height={layout.panes.details.height}>
			<PaneTitle title="Details" focused={focus === 'details'} theme={theme} />
			<DetailsPane
				job={job}
				images={images}
				fileIndex={fileIndex}
				width={layout.panes.details.width}
				height={layout.panes.details.height - 1}
				theme={theme}
				focused={focus === 'details'}
			/>
		</Box>
	);
	const queuePane = <QueuePane snapshot={snapshot} state={queue} width={layout.panes.queue.width} height={layout.panes.queue.height} theme={theme} focused={focus === 'queue'} />;

	let content: React.ReactNode;
	if (helpOpen) {
		content = <HelpOverlay width={columns} height={layout.contentHeight + (layout.mode === 'narrow' ? 1 : 0)} theme={theme} scope={focus} />;
	} else if (layout.mode === 'wide') {
		content = (
			<Box flexDirection="column">
				<Box height={layout.panes.jobs.height}>
					{jobsPane}
					<Box width={1} />
					{detailsPane}
				</Box>
				{queuePane}
			</Box>
		);
	} else {
		const shown = search.open ? 'jobs' : focus;
		content = (
			<Box flexDirection="column">
				<TabBar focus={shown} theme={theme} />
				{shown === 'jobs' ? jobsPane : shown === 'details' ? detailsPane : queuePane}
			</Box>
		);
	}

	return (
		<TickProvider active={busy}>
			{/* No overflow clipping here: every pane is sized to fit, and a clip makes Ink re-slice every string each frame. */}
			<Box flexDirection="column" width={layout.mode === 'wide' ? columns : layout.panes.jobs.width} height={layout.frameHeight}>
				<Box flexDirection="column" height={layout.frameHeight - 2}>
					{content}
				</Box>
				<StatusLine
					sync={sync}
					totals={totals}
					engine={snapshot.totals}
					engineError={snapshot.fatal ? errorLine(`${snapshot.fatal.message}${snapshot.fatal.hint ? ` (${snapshot.fatal.hint})` : ''}`) : undefined}
					width={columns}
					theme={theme}
				/>
				<Box height={1}>
					{quitting ? (
						<Text color={theme.warn}>Stopping transfers (partials kept)… q again quits at once.</Text>
					) : confirmation ? (
						<Text color={theme.warn} wrap="truncate-end">
							{`${confirmation.question} y/N  ${fitStart(confirmation.subject, columns - confirmation.question.length - 6)}`}
						</Text>
					) : filterPrompt ? (
						<Text wrap="truncate-end">
							<Text color={theme.accent}>filter: </Text>
							{filterPrompt.text}
							<Text inverse> </Text>
							<Text color={filterPrompt.error ? theme.error : theme.muted}>{`  ${filterPrompt.error ?? 'type: since: until: status: · Enter applies · Esc'}`}</Text>
						</Text>
					) : notice ? (
						<Text color={notice.tone === 'error' ? theme.error : theme.accent} wrap="truncate-end">
							{notice.text}
						</Text>
					) : (
						<Footer scope={scope} width={columns} theme={theme} />
					)}
				</Box>
			</Box>
		</TickProvider>
	);
}
