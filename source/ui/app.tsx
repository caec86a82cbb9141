/**
 * The app shell: lays the panes out for the terminal size, keeps which pane
 * has focus and whether help is open, and hands each place's command handlers
 * (exported by the pane hooks) to the one key dispatcher.
 */
import React, {useCallback, useMemo} from 'react';
import {Box} from 'ink';
import {DetailsPane, previewRowsFor} from './details/details-pane.js';
import {PictureViewer} from './details/picture-viewer.js';
import {LivePreview} from './details/preview-box.js';
import {previewRowsNeeded} from './details/use-preview.js';
import {useDetails} from './details/use-details.js';
import {useEngineSnapshot} from './engine-store.js';
import {errorLine, messageText} from './error-line.js';
import {unpacedFrames, type FrameSignal} from './frame-pacer.js';
import {HelpOverlay} from './help/help-overlay.js';
import {formatFilterText} from './jobs-table/filter-text.js';
import {JobsTable, jobsPosition} from './jobs-table/jobs-table.js';
import {useJobsTable} from './jobs-table/use-jobs-table.js';
import {selectedJob} from './jobs-table/use-jobs-table-state.js';
import type {CommandHandlers, KeyScope, Pane} from './keys.js';
import {layoutFor, paneOrder} from './layout.js';
import {MessageBox, messageBodyHeight} from './message-box/message-box.js';
import {useMessageBox, type Message} from './message-box/use-message-box.js';
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
import {firstSyncText, StatusLine} from './status-line/status-line.js';
import {useBottomLine} from './status-line/use-bottom-line.js';
import {themeFor, type Theme} from './theme.js';
import {useArchiveRefresh} from './use-archive-refresh.js';
import {useKeyDispatch} from './use-key-dispatch.js';
import {useQuit} from './use-quit.js';
import {useSyncRun} from './use-sync-run.js';
import {useOtherWriter} from './use-other-writer.js';
import {useSyncState} from './use-sync-state.js';
import {noGraphics} from './terminal-graphics.js';

export interface AppProps {
	services: TuiServices;
	/** Terminal size; mount.tsx passes the live size, tests pass a fixed one. */
	columns: number;
	rows: number;
	theme?: Theme;
	/** When frames reach the terminal (mount.tsx's FramePacer); search queries wait for the typed letter's frame. */
	frames?: FrameSignal;
	/** Told how the user left: forced means a second q/Ctrl-C while transfers were stopping. */
	onQuit?: (forced: boolean) => void;
}

export function App({services, columns, rows, theme = themeFor(), frames = unpacedFrames, onQuit}: AppProps) {
	const {archive, engine} = services;
	const layout = layoutFor(columns, rows);
	const wide = layout.mode === 'wide';
	// Modes the key dispatcher reads back at once (keys may arrive faster than frames).
	const [focus, setFocus, focusRef] = useSyncState<Pane>('jobs');
	const [helpOpen, setHelpOpen, helpRef] = useSyncState(false);
	const [viewerOpen, setViewerOpen, viewerRef] = useSyncState(false);
	const graphics = services.graphics ?? noGraphics;
	const bottom = useBottomLine();
	const {info} = bottom;
	const filtering = useFilterPrompt(info, archive.jobTypes);
	const {filter} = filtering;

	const table = useJobsTable(archive, filter, Math.max(1, layout.panes.jobs.height - 2));
	const showDetails = useCallback(() => setFocus('details'), [setFocus]);
	const searching = useSearch(archive, filter, {frames, jumpTo: table.jumpTo, showDetails, info});
	const {search, ref: searchRef} = searching;
	const {snapshot, refresh: refreshSnapshot} = useEngineSnapshot(engine);
	const settled = snapshot.totals.done + snapshot.totals.failed + snapshot.totals.canceled;
	const refresh = useArchiveRefresh({archive, reload: table.reload, filter, settled, onError: bottom.fail});
	const otherWriter = useOtherWriter(archive);
	const syncRun = useSyncRun(services.sync, refresh.jobsArrived, info);
	const {quitting, quittingRef, quit} = useQuit(engine, syncRun.stop, onQuit);
	// Errors too long for the status line (a missing token's instructions) open in a box that can be read in full.
	const {fatal} = snapshot;
	const sync = syncRun.sync;
	const latestMessage = useMemo((): Message | undefined => {
		if (fatal) return {title: 'Downloads stopped', text: messageText(fatal.message, fatal.hint)};
		if (sync.state === 'error') return {title: 'Sync failed', text: sync.text ?? sync.message};
		return undefined;
	}, [fatal, sync]);
	const overlayHeight = layout.contentHeight + (wide ? 0 : 1);
	const messages = useMessageBox(latestMessage, wide ? columns : layout.panes.jobs.width, messageBodyHeight(overlayHeight), info);

	/** The job the details pane and d/o act on: the highlighted hit while searching on a wide screen, else the table's selection. */
	const currentJob = useCallback(() => {
		const hit = searchRef.current.open && wide ? currentHit(searchRef.current)?.job : undefined;
		return hit ?? selectedJob(table.ref.current);
	}, [wide, searchRef, table.ref]);
	const clearFilter = useCallback(() => filtering.paneCommands['clear-filter']?.(), [filtering.paneCommands]);
	const details = useDetails({archive, currentJob, dataVersion: refresh.dataVersion, engine, refreshSnapshot, openImage: services.openImage, info, jumpTo: table.jumpTo, clearFilter});
	const similar = useSimilar({archive, currentJob, jumpTo: table.jumpTo, showDetails, info});
	const queue = useQueue({engine, rows: archive.queueRows, snapshot, refreshSnapshot, height: queueListHeight(layout.panes.queue.height), info, confirm: bottom.confirm});

	const activeJobIds = useMemo(() => {
		const ids = new Set<string>();
		for (const transfer of snapshot.transfers) if (transfer.state === 'active' && transfer.jobId) ids.add(transfer.jobId);
		return ids;
	}, [snapshot.transfers]);

	// What each place does with its commands; the pane hooks own the handlers, the shell only routes.
	const handlers = useMemo((): Record<KeyScope, CommandHandlers> => {
		const back = () => setFocus('jobs');
		const viewImage = () => setViewerOpen(true);
		const stepPane = (step: number) => () => setFocus((pane) => paneOrder[(paneOrder.indexOf(pane) + step + paneOrder.length) % paneOrder.length]!);
		return {
			global: {
				quit,
				help: () => setHelpOpen(true),
				'show-message': messages.show,
				'next-pane': stepPane(1),
				'prev-pane': stepPane(-1),
				sync: syncRun.start,
				search() {
					setFocus('jobs');
					searching.commands.open();
				},
				...queue.everywhere,
			},
			jobs: {...table.commands, ...details.jobCommands, ...searching.commands.hits, ...filtering.paneCommands, ...similar.paneCommands, 'show-details': showDetails, 'view-image': viewImage},
			details: {...details.commands, ...searching.commands.hits, ...similar.paneCommands, back, 'view-image': viewImage},
			viewer: {...details.imageCommands, 'viewer-close': () => setViewerOpen(false)},
			queue: {...queue.commands, back},
			search: searching.commands.line,
			filter: filtering.promptCommands,
			help: {'help-close': () => setHelpOpen(false)},
			message: messages.commands,
			confirm: bottom.confirmCommands,
			similar: similar.commands,
		};
	}, [
		quit, setHelpOpen, setFocus, syncRun.start, searching.commands, queue.everywhere, queue.commands, table.commands, details.jobCommands, details.commands,
		filtering.paneCommands, filtering.promptCommands, showDetails, bottom.confirmCommands, setViewerOpen, details.imageCommands, messages.show, messages.commands, similar.paneCommands, similar.commands,
	]);

	useKeyDispatch({
		place: () =>
			quittingRef.current ? 'quitting'
			: bottom.confirmationRef.current ? 'confirm'
			: messages.boxRef.current ? 'message'
			: helpRef.current ? 'help'
			: viewerRef.current ? 'viewer'
			: filtering.promptRef.current ? 'filter'
			: searchRef.current.open ? 'search'
			: similar.ref.current.open ? 'similar'
			: focusRef.current,
		handlers,
		editors: {search: searching.commands.edit, filter: filtering.edit},
		clearNotice: bottom.clearNotice,
		fail: bottom.fail,
	});

	const footerScope: KeyScope = bottom.confirmation ? 'confirm' : messages.box ? 'message' : viewerOpen ? 'viewer' : search.open ? 'search' : similar.state.open ? 'similar' : focus;
	// Transfers redraw the screen through engine snapshots; only a sync on its own needs the tick.
	const busy = syncRun.sync.state === 'syncing' && snapshot.totals.active === 0;
	const filterText = formatFilterText(filter);
	const {jobs: jobsRect, details: detailsRect, queue: queueRect} = layout.panes;
	const previewBox = {columns: detailsRect.width, rows: previewRowsFor(detailsRect.height - 1, details.images.length)};
	const previewRows = services.previews ? previewRowsNeeded(details.job, details.images, previewBox, services.previews.choice.cell) : 0;
	const detailsOnScreen = !helpOpen && !viewerOpen && !messages.box && (wide || (focus === 'details' && !search.open));
	const preview =
		services.previews && previewRows > 0 && detailsOnScreen ? (
			<LivePreview previews={services.previews} images={details.images} fileIndex={details.fileIndex} box={{columns: detailsRect.width, rows: previewRows}} active sideBySide job={details.job} theme={theme} graphics={graphics} />
		) : undefined;

	return (
		<TickProvider active={busy}>
			{/* No overflow clipping here: every pane is sized to fit, and a clip makes Ink re-slice every string each frame. */}
			<Box flexDirection="column" width={wide ? columns : jobsRect.width} height={layout.frameHeight}>
				<Box flexDirection="column" height={layout.frameHeight - 2}>
					{messages.box ? (
						<MessageBox box={messages.box} width={wide ? columns : jobsRect.width} height={overlayHeight} theme={theme} />
					) : helpOpen ? (
						<HelpOverlay width={columns} height={overlayHeight} theme={theme} scope={focus} />
					) : viewerOpen ? (
						<PictureViewer job={details.job} images={details.images} fileIndex={details.fileIndex} previews={services.previews} graphics={graphics} width={columns} height={overlayHeight} theme={theme} />
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
										<JobsTable state={table.state} width={jobsRect.width} theme={theme} focused={focus === 'jobs'} activeJobIds={activeJobIds} emptyText={firstSyncText(syncRun.sync)} />
									</Box>
								)
							}
							details={
								<Box flexDirection="column" width={detailsRect.width} height={detailsRect.height}>
									<PaneTitle title="Details" focused={focus === 'details'} theme={theme} />
									<DetailsPane job={details.job} like={details.like} family={details.family} images={details.images} row={details.row} width={detailsRect.width} height={detailsRect.height - 1} theme={theme} focused={focus === 'details'} preview={preview} previewRows={previewRows} />
								</Box>
							}
							queue={<QueuePane snapshot={snapshot} list={queue.list} state={queue.state} width={queueRect.width} height={queueRect.height} theme={theme} focused={focus === 'queue'} />}
						/>
					)}
				</Box>
				<StatusLine
					sync={syncRun.sync}
					totals={refresh.totals}
					engine={snapshot.totals}
					engineError={snapshot.fatal ? errorLine(`${snapshot.fatal.message}${snapshot.fatal.hint ? ` (${snapshot.fatal.hint})` : ''}`) : undefined}
					problem={filtering.prompt?.error ?? undefined}
					otherWriter={otherWriter}
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
