/**
 * The app shell: lays the panes out for the terminal size, keeps which pane
 * has focus and whether help is open, and hands each place's command handlers
 * (exported by the pane hooks) to the one key dispatcher.
 */
import React, {useCallback, useMemo} from 'react';
import {Box} from 'ink';
import {DetailsPane} from './details/details-pane.js';
import {useDetails} from './details/use-details.js';
import {useEngineSnapshot} from './engine-store.js';
import {errorLine} from './error-line.js';
import {unpacedFrames, type FrameSignal} from './frame-pacer.js';
import {HelpOverlay} from './help/help-overlay.js';
import {formatFilterText} from './jobs-table/filter-text.js';
import {JobsTable, jobsPosition} from './jobs-table/jobs-table.js';
import {useJobsTable} from './jobs-table/use-jobs-table.js';
import {selectedJob} from './jobs-table/use-jobs-table-state.js';
import type {CommandHandlers, KeyScope, Pane} from './keys.js';
import {layoutFor, paneOrder} from './layout.js';
import {PaneTitle, Panes} from './pane-chrome.js';
import {useFilterPrompt} from './prompt/use-filter-prompt.js';
import {QueuePane, queueListHeight} from './queue/queue-pane.js';
import {useQueue} from './queue/use-queue.js';
import {SearchPane} from './search/search-pane.js';
import {SimilarPane} from './similar/similar-pane.js';
import {useSimilar} from './similar/use-similar.js';
import {currentHit} from './search/use-search-state.js';
import {useSearch} from './search/use-search.js';
import type {TuiServices} from './services.js';
import {TickProvider} from './spinner.js';
import {BottomLine} from './status-line/bottom-line.js';
import {StatusLine} from './status-line/status-line.js';
import {useBottomLine} from './status-line/use-bottom-line.js';
import {themeFor, type Theme} from './theme.js';
import {useArchiveRefresh} from './use-archive-refresh.js';
import {useKeyDispatch} from './use-key-dispatch.js';
import {useQuit} from './use-quit.js';
import {useSyncRun} from './use-sync-run.js';
import {useSyncState} from './use-sync-state.js';

export interface AppProps {
	services: TuiServices;
	/** Terminal size; mount.tsx passes the live size, tests pass a fixed one. */
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

export function App({services, columns, rows, theme = themeFor(), searchDebounceMs = 120, frames = unpacedFrames, onQuit}: AppProps) {
	const {archive, engine} = services;
	const layout = layoutFor(columns, rows);
	const wide = layout.mode === 'wide';
	// Modes the key dispatcher reads back at once (keys may arrive faster than frames).
	const [focus, setFocus, focusRef] = useSyncState<Pane>('jobs');
	const [helpOpen, setHelpOpen, helpRef] = useSyncState(false);
	const bottom = useBottomLine();
	const {info} = bottom;
	const filtering = useFilterPrompt(info);
	const {filter} = filtering;

	const table = useJobsTable(archive, filter, Math.max(1, layout.panes.jobs.height - 2));
	const showDetails = useCallback(() => setFocus('details'), [setFocus]);
	const searching = useSearch(archive, filter, {debounceMs: searchDebounceMs, frames, jumpTo: table.jumpTo, showDetails, info});
	const {search, ref: searchRef} = searching;
	const {snapshot, refresh: refreshSnapshot} = useEngineSnapshot(engine);
	const settled = snapshot.totals.done + snapshot.totals.failed + snapshot.totals.canceled;
	const refresh = useArchiveRefresh({archive, reload: table.reload, filter, settled, onError: bottom.fail});
	const syncRun = useSyncRun(services.sync, refresh.jobsArrived, info);
	const {quitting, quittingRef, quit} = useQuit(engine, syncRun.stop, onQuit);

	/** The job the details pane and d/o act on: the highlighted hit while searching on a wide screen, else the table's selection. */
	const currentJob = useCallback(() => {
		const hit = searchRef.current.open && wide ? currentHit(searchRef.current)?.job : undefined;
		return hit ?? selectedJob(table.ref.current);
	}, [wide, searchRef, table.ref]);
	const details = useDetails({archive, currentJob, dataVersion: refresh.dataVersion, engine, refreshSnapshot, openImage: services.openImage, info});
	const similar = useSimilar({archive, currentJob, jumpTo: table.jumpTo, showDetails, info});
	const queue = useQueue({engine, snapshot, refreshSnapshot, height: queueListHeight(layout.panes.queue.height), info, confirm: bottom.confirm});

	const activeJobIds = useMemo(() => {
		const ids = new Set<string>();
		for (const transfer of snapshot.transfers) if (transfer.state === 'active' && transfer.jobId) ids.add(transfer.jobId);
		return ids;
	}, [snapshot.transfers]);

	// What each place does with its commands; the pane hooks own the handlers, the shell only routes.
	const handlers = useMemo((): Record<KeyScope, CommandHandlers> => {
		const back = () => setFocus('jobs');
		const stepPane = (step: number) => () => setFocus((pane) => paneOrder[(paneOrder.indexOf(pane) + step + paneOrder.length) % paneOrder.length]!);
		return {
			global: {
				quit,
				help: () => setHelpOpen(true),
				'next-pane': stepPane(1),
				'prev-pane': stepPane(-1),
				sync: syncRun.start,
				search() {
					setFocus('jobs');
					searching.commands.open();
				},
				...queue.everywhere,
			},
			jobs: {...table.commands, ...details.jobCommands, ...searching.commands.hits, ...filtering.paneCommands, ...similar.paneCommands, 'show-details': showDetails},
			details: {...details.commands, ...searching.commands.hits, ...similar.paneCommands, back},
			queue: {...queue.commands, back},
			search: searching.commands.line,
			filter: filtering.promptCommands,
			help: {'help-close': () => setHelpOpen(false)},
			confirm: bottom.confirmCommands,
			similar: similar.commands,
		};
	}, [
		quit, setHelpOpen, setFocus, syncRun.start, searching.commands, queue.everywhere, queue.commands, table.commands, details.jobCommands, details.commands,
		filtering.paneCommands, filtering.promptCommands, showDetails, bottom.confirmCommands, similar.paneCommands, similar.commands,
	]);

	useKeyDispatch({
		place: () =>
			quittingRef.current ? 'quitting'
			: bottom.confirmationRef.current ? 'confirm'
			: helpRef.current ? 'help'
			: filtering.promptRef.current ? 'filter'
			: searchRef.current.open ? 'search'
			: similar.ref.current.open ? 'similar'
			: focusRef.current,
		handlers,
		editors: {search: searching.commands.edit, filter: filtering.edit},
		clearNotice: bottom.clearNotice,
		fail: bottom.fail,
	});

	const footerScope: KeyScope = bottom.confirmation ? 'confirm' : search.open ? 'search' : similar.state.open ? 'similar' : focus;
	// Transfers redraw the screen through engine snapshots; only a sync on its own needs the tick.
	const busy = syncRun.sync.state === 'syncing' && snapshot.totals.active === 0;
	const filterText = formatFilterText(filter);
	const {jobs: jobsRect, details: detailsRect, queue: queueRect} = layout.panes;

	return (
		<TickProvider active={busy}>
			{/* No overflow clipping here: every pane is sized to fit, and a clip makes Ink re-slice every string each frame. */}
			<Box flexDirection="column" width={wide ? columns : jobsRect.width} height={layout.frameHeight}>
				<Box flexDirection="column" height={layout.frameHeight - 2}>
					{helpOpen ? (
						<HelpOverlay width={columns} height={layout.contentHeight + (wide ? 0 : 1)} theme={theme} scope={focus} />
					) : (
						<Panes
							layout={layout}
							shown={search.open || similar.state.open ? 'jobs' : focus}
							theme={theme}
							jobs={
								search.open ? (
									<SearchPane state={search} width={jobsRect.width} height={jobsRect.height} theme={theme} />
								) : similar.state.open ? (
									<SimilarPane state={similar.state} width={jobsRect.width} height={jobsRect.height} theme={theme} />
								) : (
									<Box flexDirection="column" width={jobsRect.width} height={jobsRect.height}>
										<PaneTitle title="Jobs" focused={focus === 'jobs'} theme={theme} extra={`${jobsPosition(table.state)}${filterText ? ` · filter: ${filterText}` : ''}`} />
										<JobsTable state={table.state} width={jobsRect.width} theme={theme} focused={focus === 'jobs'} activeJobIds={activeJobIds} />
									</Box>
								)
							}
							details={
								<Box flexDirection="column" width={detailsRect.width} height={detailsRect.height}>
									<PaneTitle title="Details" focused={focus === 'details'} theme={theme} />
									<DetailsPane job={details.job} images={details.images} fileIndex={details.fileIndex} width={detailsRect.width} height={detailsRect.height - 1} theme={theme} focused={focus === 'details'} />
								</Box>
							}
							queue={<QueuePane snapshot={snapshot} state={queue.state} width={queueRect.width} height={queueRect.height} theme={theme} focused={focus === 'queue'} />}
						/>
					)}
				</Box>
				<StatusLine
					sync={syncRun.sync}
					totals={refresh.totals}
					engine={snapshot.totals}
					engineError={snapshot.fatal ? errorLine(`${snapshot.fatal.message}${snapshot.fatal.hint ? ` (${snapshot.fatal.hint})` : ''}`) : undefined}
					width={columns}
					theme={theme}
				/>
				<Box height={1}>
					<BottomLine quitting={quitting} confirmation={bottom.confirmation} filterPrompt={filtering.prompt} notice={bottom.notice} scope={footerScope} width={columns} theme={theme} />
				</Box>
			</Box>
		</TickProvider>
	);
}
