/**
 * Headless mode (`mj-tui --batch`): sync the listing into the archive, then
 * download every missing file (or the files of a `--urls` list). Progress on
 * stderr, a human summary (or with --json one JSON object, the last line) on
 * stdout. Never imports Ink: cron, CI and pipes get plain text.
 */
import {ArchiveStore} from './core/archive/store.js';
import type {Config} from './core/config.js';
import {runDownloads, summaryBeforeError} from './core/downloads/run.js';
import type {DownloadSummary} from './core/downloads/types.js';
import {ExitCode, exitCodeOf} from './core/errors.js';
import {safeText, type Logger} from './core/log.js';
import {MidjourneyClient} from './core/midjourney/client.js';
import {syncJobs, type SyncSummary} from './core/sync.js';
import {embedArchiveMetadata} from './core/png-text.js';
import {formatBytes} from './core/units.js';
import {BatchProgress} from './cli/batch-progress.js';
import {reportError} from './cli/report-error.js';
import type {RunOptions} from './cli/run-options.js';
import {interruptedExitCode} from './cli/signals.js';
import type {CommandIo} from './commands/types.js';

export interface BatchOptions {
	config: Config;
	run: RunOptions;
	io: CommandIo;
	signal: AbortSignal;
	log: Logger;
	/** Plain progress line interval when stderr is not a terminal (tests shorten it). */
	progressIntervalMs?: number;
}

type PhaseOutcome = 'done' | 'skipped' | 'failed' | 'interrupted';

/** The --json summary: one object, the last line of stdout. */
export interface BatchSummary {
	jobsSeen: number;
	jobsNew: number;
	jobsUpdated: number;
	pages: number;
	/** Why the sync stopped (caught-up, end, limit, since, aborted); null when it did not run or failed. */
	syncStoppedBecause: SyncSummary['stoppedBecause'] | null;
	downloaded: number;
	skipped: number;
	failed: number;
	bytes: number;
	failures: DownloadSummary['failures'];
	/** PNGs that got their prompt and job id written in (--embed-metadata). */
	embedded: number;
	durationMs: number;
	phases: {sync: PhaseOutcome; download: PhaseOutcome};
	/** Errors that stopped a phase (not per-file failures), with their exit codes. */
	errors: Array<{phase: 'sync' | 'download'; message: string; exitCode: number}>;
	interrupted: boolean;
	exitCode: number;
}

/** Failures listed on stderr in human mode; the JSON summary has them all. */
const failuresShown = 20;

/** Run sync + downloads; resolves with the exit code (0, 1 when files failed, the MjError's code, 130/143 when interrupted). */
export async function runBatch(options: BatchOptions): Promise<number> {
	const {config, run, io, signal, log} = options;
	const startedAt = Date.now();
	const progress = new BatchProgress({stream: io.stderr, log, intervalMs: options.progressIntervalMs});
	const summary: BatchSummary = {
		jobsSeen: 0, jobsNew: 0, jobsUpdated: 0, pages: 0, syncStoppedBecause: null,
		downloaded: 0, skipped: 0, failed: 0, bytes: 0, failures: [], embedded: 0,
		durationMs: 0,
		phases: {sync: 'skipped', download: 'skipped'},
		errors: [],
		interrupted: false,
		exitCode: ExitCode.ok,
	};
	let fatal: unknown;
	let phase: 'sync' | 'download' = run.urlsFile ? 'download' : 'sync';

	let store: ArchiveStore | undefined;
	try {
		store = ArchiveStore.open(config.archive);
		log.verbose(`archive: ${config.archive}`);
		if (!run.urlsFile) await syncPhase(store, options, progress, summary);
		phase = 'download';
		if (run.download && !signal.aborted) await downloadPhase(store, options, progress, summary);
	} catch (error) {
		fatal = error;
		if (!(signal.aborted && isAbort(error))) summary.phases[phase] = 'failed';
	} finally {
		progress.finish();
		store?.close();
	}

	summary.durationMs = Date.now() - startedAt;
	summary.interrupted = signal.aborted;
	const interrupted = interruptedExitCode(signal);
	if (fatal !== undefined && !(signal.aborted && isAbort(fatal))) {
		summary.errors.push({phase, message: safeText(fatal instanceof Error ? fatal.message : String(fatal)), exitCode: exitCodeOf(fatal)});
		summary.exitCode = reportError(io.stderr, fatal, {verbose: config.verbose});
	} else if (signal.aborted) {
		summary.exitCode = interrupted ?? ExitCode.software;
		log.warn('interrupted: the archive is consistent and partial downloads are kept; run again to continue');
	} else {
		summary.exitCode = summary.failed > 0 ? ExitCode.someFailed : ExitCode.ok;
	}
	printSummary(summary, config, io, log);
	return summary.exitCode;
}

/** AbortError / DOMException('AbortError') as thrown by aborted fetches and timers. */
function isAbort(error: unknown): boolean {
	return error instanceof Error && (error.name === 'AbortError' || (error as {code?: string}).code === 'ABORT_ERR');
}

async function syncPhase(store: ArchiveStore, options: BatchOptions, progress: BatchProgress, summary: BatchSummary): Promise<void> {
	const {config, run, signal, log} = options;
	const client = new MidjourneyClient(config, {log: line => log.verbose(line), onTokenRefreshed: () => log.verbose('the Midjourney token expired and was refreshed')});
	progress.note(`sync: listing ${config.apiBase}${run.full ? ' (full walk)' : ''}`);
	try {
		const result = await syncJobs(store, client, {
			full: run.full,
			since: run.since,
			until: run.until,
			types: run.types.length > 0 ? run.types : undefined,
			limit: run.limit,
			pageSize: config.pageSize,
			pagePauseMs: config.pagePauseMs,
			signal,
			onProgress: state => progress.sync(state),
		});
		Object.assign(summary, {jobsSeen: result.jobsSeen, jobsNew: result.jobsNew, jobsUpdated: result.jobsUpdated, pages: result.pages, syncStoppedBecause: result.stoppedBecause});
		summary.phases.sync = result.stoppedBecause === 'aborted' ? 'interrupted' : 'done';
		progress.note(`sync: ${result.stoppedBecause === 'aborted' ? 'interrupted' : 'done'}: ${result.pages} pages, ${result.jobsSeen} jobs seen, ${result.jobsNew} new, ${result.jobsUpdated} updated (${result.stoppedBecause})`);
	} catch (error) {
		if (signal.aborted && isAbort(error)) summary.phases.sync = 'interrupted';
		throw error;
	} finally {
		await client.close();
	}
}

async function downloadPhase(store: ArchiveStore, options: BatchOptions, progress: BatchProgress, summary: BatchSummary): Promise<void> {
	const {config, run, signal} = options;
	progress.note(run.urlsFile ? `downloads: the URLs in ${run.urlsFile}` : 'downloads: every missing file in the archive');
	const phaseStartedAt = Date.now();
	try {
		const result = await runDownloads({store, config, signal, urlsFile: run.urlsFile, onSnapshot: snapshot => progress.downloads(snapshot)});
		addDownloads(summary, result);
		summary.phases.download = signal.aborted ? 'interrupted' : 'done';
		progress.note(`downloads: ${signal.aborted ? 'interrupted' : 'done'}: ${result.downloaded} downloaded, ${result.skipped} skipped, ${result.failed} failed, ${formatBytes(result.bytes)}`);
		if (config.embedMetadata && !signal.aborted) await embedPhase(store, phaseStartedAt, options, progress, summary);
	} catch (error) {
		if (signal.aborted && isAbort(error)) summary.phases.download = 'interrupted';
		// Stopped early (a full disk, a blocked CDN): the summary still counts the files that arrived.
		const before = summaryBeforeError(error);
		if (before) addDownloads(summary, before);
		throw error;
	}
}

function addDownloads(summary: BatchSummary, result: DownloadSummary): void {
	Object.assign(summary, {
		downloaded: result.downloaded,
		skipped: result.skipped,
		failed: result.failed,
		bytes: result.bytes,
		failures: result.failures.map(failure => ({url: safeText(failure.url), reason: safeText(failure.reason)})),
	});
}

/** --embed-metadata: the PNGs this run finished get their prompt and job id written in; a file that fails counts as failed. */
async function embedPhase(store: ArchiveStore, since: number, options: BatchOptions, progress: BatchProgress, summary: BatchSummary): Promise<void> {
	const report = await embedArchiveMetadata(store, {changedSince: since, signal: options.signal});
	summary.embedded = report.embedded;
	summary.failed += report.failed.length;
	summary.failures.push(...report.failed.map(failure => ({url: safeText(failure.path), reason: safeText(`embedding metadata: ${failure.reason}`)})));
	progress.note(`embed: ${report.embedded} files carry their prompt now, ${report.unchanged} already did, ${report.failed.length} failed`);
}

function printSummary(summary: BatchSummary, config: Config, io: CommandIo, log: Logger): void {
	for (const failure of summary.failures.slice(0, failuresShown)) log.error(`failed: ${failure.url}: ${failure.reason}`);
	if (summary.failures.length > failuresShown) log.error(`... and ${summary.failures.length - failuresShown} more failed files (--json lists them all)`);
	if (config.json) {
		io.stdout.write(`${JSON.stringify(summary)}\n`);
		return;
	}
	if (log.level === 'quiet') return;
	const parts: string[] = [];
	if (summary.phases.sync !== 'skipped') parts.push(`${summary.jobsSeen} jobs seen (${summary.jobsNew} new, ${summary.jobsUpdated} updated) in ${summary.pages} pages`);
	if (summary.phases.download !== 'skipped') parts.push(`${summary.downloaded} files downloaded (${formatBytes(summary.bytes)}), ${summary.skipped} skipped, ${summary.failed} failed`);
	io.stdout.write(`${safeText(`${parts.join('; ')}; ${(summary.durationMs / 1000).toFixed(1)} s${summary.interrupted ? ' (interrupted)' : ''}`)}\n`);
}
