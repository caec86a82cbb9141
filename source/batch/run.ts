/**
 * Headless mode (`mj-tui --batch`): sync the listing into the archive, then
 * download every missing file (or the files of a `--urls` list). Progress on
 * stderr, a human summary (or with --json one JSON object, the last line) on
 * stdout. Never imports Ink: cron, CI and pipes get plain text.
 */
import {claimArchive, type WriterClaim} from '../core/archive/claims.js';
import {oddityLines} from '../core/archive/job-rows.js';
import {ArchiveStore} from '../core/archive/store.js';
import type {Config} from '../core/config/config.js';
import {diskFullError, isDiskFull} from '../core/downloads/disk-full.js';
import {runDownloads, summaryBeforeError} from '../core/downloads/run.js';
import type {DownloadSummary} from '../core/downloads/types.js';
import {ExitCode, MjError, exitCodeOf} from '../core/errors.js';
import {safeText, type Logger} from '../core/log.js';
import {openApiSession, type ApiSession} from '../core/midjourney/api-session.js';
import {syncJobs, type LikesSummary, type SyncSummary} from '../core/sync.js';
import {embedArchiveMetadata} from '../core/metadata/embed-archive.js';
import {writingArchiveTemps} from '../core/temp-files.js';
import {finishDownloadedFiles} from '../core/metadata/sidecars.js';
import {formatBytes} from '../core/units.js';
import {unmatchedTypesWarning} from '../core/type-warning.js';
import {BatchProgress} from './progress.js';
import {reportError} from '../cli/report-error.js';
import type {RunOptions} from '../cli/run-options.js';
import {Interrupted, interruptedExitCode} from '../cli/signals.js';
import type {CommandIo} from '../commands/types.js';

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
	/** Odd fields in the jobs stored, counted once per kind: {"parent_grid as a string": 12}. */
	oddities: Record<string, number>;
	/** The likes walk (--likes): pages, liked jobs seen, new jobs, newly liked, unliked, why it stopped; null without --likes. */
	likes: LikesSummary | null;
	downloaded: number;
	skipped: number;
	failed: number;
	bytes: number;
	failures: DownloadSummary['failures'];
	/** Perceptual hashes the download run made (perceptualHashes: true), and files it left for `verify`; null when off or not run. */
	perceptualHashes: NonNullable<DownloadSummary['perceptualHashes']> | null;
	/** PNGs that got their prompt and job id written in (--embed-metadata). */
	embedded: number;
	/** XMP sidecars written or refreshed this run (--sidecars). */
	sidecars: number;
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
		jobsSeen: 0, jobsNew: 0, jobsUpdated: 0, pages: 0, syncStoppedBecause: null, oddities: {}, likes: null,
		downloaded: 0, skipped: 0, failed: 0, bytes: 0, failures: [], perceptualHashes: null, embedded: 0, sidecars: 0,
		durationMs: 0,
		phases: {sync: 'skipped', download: 'skipped'},
		errors: [],
		interrupted: false,
		exitCode: ExitCode.ok,
	};
	let fatal: unknown;
	let phase: 'sync' | 'download' = run.urlsFile ? 'download' : 'sync';

	let store: ArchiveStore | undefined;
	let session: ApiSession | undefined;
	let claim: WriterClaim | undefined;
	try {
		store = ArchiveStore.open(config.archive);
		log.verbose(`archive: ${config.archive}`);
		// One writer per archive: sync and downloads share this process's claim; another live writer means exit 75.
		claim = await claimArchive(store, run.urlsFile ? 'downloading a URL list' : 'syncing the listing', {signal});
		if (!run.urlsFile) {
			session = await openApiSession(config, {env: io.env, log: line => log.verbose(line)});
			await syncPhase(store, options, session, progress, summary);
		}
		phase = 'download';
		claim.describe('downloading files');
		// Downloads go out with what the session learned (saved cookies; the browser's cf_clearance and User-Agent).
		if (run.download && !signal.aborted) await downloadPhase(store, session ? {...options, config: session.config} : options, progress, summary, startedAt, session);
	} catch (error) {
		fatal = asRunError(error, config.archive);
		if (!(signal.aborted && isAbort(error))) summary.phases[phase] = 'failed';
	} finally {
		progress.finish();
		// Giving the claim back writes a row too: on a full disk that fails, and must not replace the summary with "internal error".
		for (const step of [async () => session?.close(), async () => claim?.release(), async () => store?.close()]) {
			try {
				await step();
			} catch (error) {
				fatal ??= asRunError(error, config.archive);
			}
		}
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

/** A full disk is the user's to fix (exit 74 naming it), wherever it showed: the sync's rows, the claim's, the downloads'. */
function asRunError(error: unknown, archive: string): unknown {
	return !(error instanceof MjError) && isDiskFull(error) ? diskFullError(archive, error) : error;
}

/**
 * AbortError / DOMException('AbortError') as thrown by aborted fetches and timers, or the signal's own reason
 * (Interrupted), which `signal.throwIfAborted()` and fetch reject with.
 */
function isAbort(error: unknown): boolean {
	return error instanceof Interrupted || (error instanceof Error && (error.name === 'AbortError' || (error as {code?: string}).code === 'ABORT_ERR'));
}

async function syncPhase(store: ArchiveStore, options: BatchOptions, session: ApiSession, progress: BatchProgress, summary: BatchSummary): Promise<void> {
	const {config, run, signal} = options;
	const {client} = session;
	progress.note(`sync: listing ${config.apiBase}${run.full ? ' (full walk)' : ''}`);
	try {
		const result = await syncJobs(store, client, {
			full: run.full,
			likes: config.likes,
			since: run.since,
			until: run.until,
			types: run.types.length > 0 ? run.types : undefined,
			limit: run.limit,
			pageSize: config.pageSize,
			pagePauseMs: config.pagePauseMs,
			signal,
			onProgress(state) {
				// What is stored counts even if a later page fails: the summary follows every stored page.
				Object.assign(summary, {jobsSeen: state.jobsSeen, jobsNew: state.jobsNew, jobsUpdated: state.jobsUpdated, pages: state.pages, oddities: state.oddities, likes: state.likes ?? null});
				progress.sync(state);
			},
		});
		Object.assign(summary, {jobsSeen: result.jobsSeen, jobsNew: result.jobsNew, jobsUpdated: result.jobsUpdated, pages: result.pages, syncStoppedBecause: result.stoppedBecause, oddities: result.oddities, likes: result.likes ?? null});
		summary.phases.sync = result.stoppedBecause === 'aborted' ? 'interrupted' : 'done';
		progress.note(`sync: ${result.stoppedBecause === 'aborted' ? 'interrupted' : 'done'}: ${result.pages} pages, ${result.jobsSeen} jobs seen, ${result.jobsNew} new, ${result.jobsUpdated} updated (${result.stoppedBecause})`);
		if (result.likes) progress.note(`likes: ${result.likes.pages} pages, ${result.likes.jobsSeen} liked jobs seen, ${result.likes.jobsNew} new to the archive, ${result.likes.liked} newly liked, ${result.likes.unliked} no longer liked (${result.likes.stoppedBecause ?? 'stopped'})`);
		const typeWarning = run.types.length > 0 ? unmatchedTypesWarning(store.jobTypes, run.types) : undefined;
		if (typeWarning) options.log.warn(typeWarning);
	} catch (error) {
		if (signal.aborted && isAbort(error)) summary.phases.sync = 'interrupted';
		throw error;
	} finally {
		// The client is the session's: it closes with the session, after downloads.
		for (const line of oddityLines(summary.oddities)) options.log.verbose(`sync: ${line}`);
	}
}

async function downloadPhase(store: ArchiveStore, options: BatchOptions, progress: BatchProgress, summary: BatchSummary, runStartedAt: number, session?: ApiSession): Promise<void> {
	const {config, run, signal} = options;
	progress.note(run.urlsFile ? `downloads: the URLs in ${run.urlsFile}` : 'downloads: every missing file in the archive');
	const phaseStartedAt = Date.now();
	try {
		const result = await runDownloads({store, config, signal, urlsFile: run.urlsFile, onSnapshot: snapshot => progress.downloads(snapshot), engineOptions: session?.engineOptions});
		addDownloads(summary, result);
		summary.phases.download = signal.aborted ? 'interrupted' : 'done';
		progress.note(`downloads: ${signal.aborted ? 'interrupted' : 'done'}: ${result.downloaded} downloaded, ${result.skipped} skipped, ${result.failed} failed, ${formatBytes(result.bytes)}`);
		const left = result.perceptualHashes?.left ?? 0;
		if (left > 0) progress.note(`perceptual hashes: ${result.perceptualHashes!.hashed} made, ${left} left for later (mj-tui verify computes them)`);
		if (config.embedMetadata && !signal.aborted) await embedPhase(store, phaseStartedAt, options, progress, summary);
		// After files are done (and after embedding, which rewrites PNGs): sidecars and file times.
		if (!signal.aborted) await finishFilesPhase(store, runStartedAt, options, progress, summary);
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
		perceptualHashes: result.perceptualHashes ?? null,
	});
}

/** --embed-metadata: the PNGs this run finished get their prompt and job id written in; a file that fails counts as failed. */
async function embedPhase(store: ArchiveStore, since: number, options: BatchOptions, progress: BatchProgress, summary: BatchSummary): Promise<void> {
	// Temps a killed earlier embed left go first (writingArchiveTemps knows whether there are any).
	const report = await writingArchiveTemps(store, 'embed', () => embedArchiveMetadata(store, {changedSince: since, signal: options.signal}));
	summary.embedded = report.embedded;
	summary.failed += report.failed.length;
	summary.failures.push(...report.failed.map(failure => ({url: safeText(failure.path), reason: safeText(`embedding metadata: ${failure.reason}`)})));
	progress.note(`embed: ${report.embedded} files carry their prompt now, ${report.unchanged} already did, ${report.failed.length} failed`);
}

/** --sidecars and setMtime over the files this run finished and the files of jobs this sync changed; a file that fails counts as failed. */
async function finishFilesPhase(store: ArchiveStore, since: number, options: BatchOptions, progress: BatchProgress, summary: BatchSummary): Promise<void> {
	const {config, signal} = options;
	const report = await finishDownloadedFiles(store, {sidecars: config.sidecars, setMtime: config.setMtime, changedSince: since, signal});
	summary.sidecars = report.sidecarsWritten;
	summary.failed += report.failed.length;
	summary.failures.push(...report.failed.map(failure => ({url: safeText(failure.path), reason: safeText(`sidecar or file time: ${failure.reason}`)})));
	if (config.sidecars) progress.note(`sidecars: ${report.sidecarsWritten} written, ${report.sidecarsUnchanged} already current, ${report.failed.length} failed`);
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
	if (summary.likes) parts.push(`${summary.likes.jobsSeen} liked jobs seen (${summary.likes.jobsNew} new, ${summary.likes.liked} newly liked) in ${summary.likes.pages} pages`);
	const oddJobs = Object.values(summary.oddities).reduce((sum, jobs) => sum + jobs, 0);
	if (oddJobs > 0) parts.push(`${oddJobs} odd ${oddJobs === 1 ? 'field' : 'fields'}, stored as far as readable (--verbose lists them)`);
	if (summary.phases.download !== 'skipped') parts.push(`${summary.downloaded} files downloaded (${formatBytes(summary.bytes)}), ${summary.skipped} skipped, ${summary.failed} failed`);
	io.stdout.write(`${safeText(`${parts.join('; ')}; ${(summary.durationMs / 1000).toFixed(1)} s${summary.interrupted ? ' (interrupted)' : ''}`)}\n`);
}
