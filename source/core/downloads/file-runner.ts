/**
 * One file's way through the engine: the CDN access check, a slot on its
 * host, the transfer into its partial, hashing and moving it into place, and
 * what a failure means (retry later, hold the host, fail the file, or stop
 * the run). The engine (engine.ts) decides which files run and when.
 */
import fs from 'node:fs';
import path from 'node:path';
import type {Agent} from 'undici';
import type {ImageRow, ImagesTable, StatusCounts} from '../archive/images.js';
import type {Config} from '../config/config.js';
import {ExitCode, MjError} from '../errors.js';
import {decideRetry} from '../retry-policy.js';
import {redact} from '../secrets.js';
import {AuthPreflight, ChallengeWatch} from './auth-preflight.js';
import {cookieAllowed} from './cdn-url.js';
import {Directories} from './directories.js';
import {diskFullError, isDiskFull} from './disk-full.js';
import type {DoneWriter} from './done-writer.js';
import {finalise} from './finalise.js';
import type {FileHashing} from './hasher.js';
import type {HostGate} from './hosts.js';
import {hostOf, partRelativeOf, StopReason, type LiveTransfer} from './live-transfer.js';
import type {RateLimiter} from './rate-limit.js';
import {recoverFinished} from './recover.js';
import type {FinishedTransfers} from './snapshots.js';
import {cloudflareHint} from '../midjourney/cloudflare.js';
import {runTransfer, TransferError} from './transfer.js';
import type {EngineOptions, EngineRunStats, TransferState} from './types.js';
import {loadUndici} from './undici-loader.js';

const maxFailuresKept = 10_000;

/** What the runner shares with the engine: its collaborators and the run's state, which both update. */
export interface RunnerContext {
	archiveDir: string;
	config: Config;
	images: ImagesTable;
	hosts: HostGate;
	limiter: RateLimiter;
	hasher: FileHashing;
	/** Hash fresh transfers' bytes as they are written instead of reading the file back (EngineOptions.hashWhileReceiving). */
	hashWhileReceiving: boolean;
	doneWriter: DoneWriter;
	live: Map<number, LiveTransfer>;
	counts: StatusCounts;
	stats: EngineRunStats;
	finished: FinishedTransfers;
	/** Transfers at once now (files waiting for the disk are bounded by twice this). */
	concurrency(): number;
	/** True once stop() began or a fatal error ended the run. */
	ending(): boolean;
	/** Queue `live` again (after a pause-all). */
	schedule(live: LiveTransfer): void;
	/** `live` was canceled while it ran (see FileRunner.cancel). */
	canceled(row: ImageRow, live: LiveTransfer, discardPartial: boolean): void;
	/** End the whole run with `error` (auth refused, challenges, a full disk). */
	stopRun(error: MjError, live?: LiveTransfer): void;
	/** The browser route's way past a challenged file (EngineOptions.challengeFallback). */
	challengeFallback?: EngineOptions['challengeFallback'];
}

export class FileRunner {
	readonly #context: RunnerContext;
	readonly #cdnHost: string;
	readonly #preflight = new AuthPreflight<LiveTransfer>();
	readonly #challenges = new ChallengeWatch();
	readonly #directories = new Directories();
	/** Files being moved into place, by sha256, so identical content finishing at once is still linked. */
	readonly #finalising = new Map<string, Promise<void>>();
	/** Files finishing (hash, fsync, rename) after giving their slot back; bounded so a slow disk pushes back on the network. */
	#finishing = 0;
	/** Made on the first transfer (see undici-loader.ts). */
	#agent?: Promise<Agent>;

	constructor(context: RunnerContext) {
		this.#context = context;
		this.#cdnHost = hostOf(context.config.cdnBase);
	}

	/** The user fixed the cause of a stop (new cookie, ...) and resumes: check the CDN's access afresh. */
	restartAccessCheck(): void {
		this.#preflight.restart();
		this.#challenges.clear();
	}

	/** Let waiting files see that the run ended. */
	wakeWaiters(): void {
		this.#preflight.reset();
	}

	/** Release the connections (engine stop). */
	close(): void {
		this.#agent?.then((agent) => agent.destroy()).catch(() => {});
	}

	/** Record a canceled file (its partial kept for later unless `discardPartial`). */
	cancel(row: ImageRow, live: LiveTransfer | undefined, discardPartial: boolean): void {
		const {archiveDir, images, live: lives, counts, finished} = this.#context;
		images.markCanceled(row.id);
		if (discardPartial) {
			fs.rmSync(path.join(archiveDir, partRelativeOf(row)), {force: true});
			images.clearPartial(row.id);
		}
		lives.delete(row.id);
		counts.pending--;
		counts.canceled++;
		finished.add(row, 'canceled', live, live?.lastError ?? null);
	}

	/** Run one queued file to its end (done, retry scheduled, failed, paused, ...); `slotFree` hands the queue slot on early. */
	async run(live: LiveTransfer, generation: number, slotFree: () => void): Promise<void> {
		const context = this.#context;
		// A stale queue entry (requeued, paused or canceled since), or the run is ending.
		if (live.generation !== generation || live.state !== 'queued' || context.ending()) return;
		const controller = new AbortController();
		live.controller = controller;
		let release: (() => void) | undefined;
		try {
			if (live.host === this.#cdnHost && !(await this.#preflight.clear(live, () => context.ending()))) {
				context.live.delete(live.row.id);
				return;
			}
			live.heldUntil = context.hosts.heldUntil(live.host);
			if (live.heldUntil) live.state = 'held';
			release = await context.hosts.acquire(live.host, controller.signal);
			// Paused, canceled or requeued while it waited for the host.
			if (live.generation !== generation || (live.state as TransferState) === 'paused' || context.live.get(live.row.id) !== live) return;
			live.state = 'active';
			live.heldUntil = null;
			await this.#transfer(live, controller.signal, () => {
				release?.();
				slotFree();
			});
		} catch (error) {
			this.#failed(live, error, controller.signal);
		} finally {
			release?.();
			live.controller = undefined;
			this.#preflight.finished(live);
		}
	}

	/** The Agent all transfers share, created with the first one. */
	#dispatcher(): Promise<Agent> {
		const {config, hosts} = this.#context;
		return (this.#agent ??= loadUndici().then(
			({Agent}) =>
				new Agent({
					connections: Math.max(hosts.perHost, config.concurrency) * 2,
					headersTimeout: config.stallTimeoutMs,
					// The transfer's own stall timer covers the body, and knows about rate-limit pauses.
					bodyTimeout: 0,
					keepAliveTimeout: 10_000,
				}),
		));
	}

	/** Fetch one file into its partial, then finalise and record it; `received` hands the slots on once the body is in. */
	async #transfer(live: LiveTransfer, signal: AbortSignal, received: () => void): Promise<void> {
		const {archiveDir, config, images, limiter, hasher, stats} = this.#context;
		const row = live.row;
		const partRelative = partRelativeOf(row);
		const partPath = path.join(archiveDir, partRelative);
		await this.#directories.ensure(path.dirname(partPath));
		// A crash between rename and the table update leaves a complete file and no partial.
		const recovered = await recoverFinished(archiveDir, row, partPath, hasher);
		if (recovered) {
			this.#recordDone(live, {path: row.path!, bytes: recovered.bytes, sha256: recovered.sha256, duplicateOf: null});
			return;
		}
		const onCdn = live.host === this.#cdnHost;
		const result = await runTransfer(
			{
				url: live.url,
				variant: row.variant,
				partPath,
				resume: row.part_path ? {etag: row.etag, lastModified: row.last_modified, totalBytes: row.total_bytes} : null,
				headers: this.#headersFor(live.url),
				hashWhileReceiving: this.#context.hashWhileReceiving,
			},
			{
				agent: await this.#dispatcher(),
				limiter,
				stallTimeoutMs: config.stallTimeoutMs,
				signal,
				onStatus: (status) => {
					// Not a refusal, and not a page that may still turn out to be a challenge: access is proven.
					if (onCdn && this.#preflight.isChecker(live) && ![200, 206, 401, 403].includes(status)) this.#preflight.passed();
				},
				onPartial: (state) => {
					if (onCdn) this.#preflight.passed();
					row.part_path = partRelative;
					row.etag = state.etag;
					row.last_modified = state.lastModified;
					row.total_bytes = state.totalBytes;
					images.savePartial(row.id, {partPath: partRelative, ...state});
				},
				onBytes: (n, reset) => {
					if (reset) {
						live.bytes = 0;
						live.meter.reset();
					}
					live.bytes += n;
					if (!reset) stats.bytes += n;
				},
				onTotal: (total) => {
					live.total = total;
				},
			},
		).catch(async (error: unknown) => {
			// Browser route: a file the CDN answers with the challenge, even with the browser's clearance, is fetched by the browser.
			const fallback = this.#context.challengeFallback;
			if (!(error instanceof TransferError && error.kind === 'cloudflare' && fallback)) throw error;
			return {...(await fallback({url: live.url, variant: row.variant, partPath}, signal)), fd: undefined, fetched: 0};
		});
		// Hashing, fsync, rename and folder fsync take about as long as the transfer itself: doing them in the slot
		// would leave the network idle meanwhile. Unless too many files already wait for the disk, the next file starts now.
		if (this.#finishing < this.#context.concurrency() * 2) {
			this.#finishing++;
			live.finishing = true;
			received();
		}
		try {
			await this.#finalise(live, partPath, result);
		} finally {
			if (live.finishing) this.#finishing--;
			live.finishing = false;
			if (result.fd !== undefined) fs.close(result.fd, () => {});
		}
	}

	async #finalise(live: LiveTransfer, partPath: string, transferred: {bytes: number; fd?: number; sha256?: string}): Promise<void> {
		const {archiveDir, hasher, doneWriter} = this.#context;
		const row = live.row;
		// Hashed while it arrived, or (a resumed partial, a browser fetch, the worker-thread policy) read back now.
		const result = transferred.sha256 === undefined ? await hasher.hash(partPath) : {sha256: transferred.sha256, bytes: transferred.bytes};
		// Only this process writes the partial; a different size means something else did: fetch it again.
		if (result.bytes !== transferred.bytes) throw new TransferError('retry', `the partial changed on disk: ${result.bytes} bytes, expected ${transferred.bytes}`);
		// Identical files finishing together: the second waits for the first to be recorded, then links to it.
		for (let prior = this.#finalising.get(result.sha256); prior; prior = this.#finalising.get(result.sha256)) await prior;
		const finishing = finalise(
			{archiveDir, id: row.id, partPath, path: row.path!, bytes: result.bytes, sha256: result.sha256, fd: transferred.fd},
			{findOriginal: (sha, id) => doneWriter.findOriginal(sha, id), pathTaken: (candidate) => doneWriter.pathTaken(candidate)},
			this.#directories,
		).then((record) => this.#recordDone(live, record));
		const settled = finishing.catch(() => {});
		this.#finalising.set(result.sha256, settled);
		try {
			await finishing;
		} finally {
			if (this.#finalising.get(result.sha256) === settled) this.#finalising.delete(result.sha256);
		}
	}

	#recordDone(live: LiveTransfer, record: {path: string; bytes: number; sha256: string; duplicateOf: number | null}): void {
		const {doneWriter, live: lives, counts, stats, hosts} = this.#context;
		doneWriter.add({id: live.row.id, path: record.path, bytes: record.bytes, sha256: record.sha256, duplicateOf: record.duplicateOf});
		lives.delete(live.row.id);
		counts.pending--;
		counts.done++;
		stats.finishedBytes += record.bytes;
		if (record.duplicateOf === null) stats.downloaded++;
		else stats.duplicates++;
		hosts.succeeded(live.host);
		if (live.host === this.#cdnHost) this.#challenges.clear();
	}

	#failed(live: LiveTransfer, error: unknown, signal: AbortSignal): void {
		const context = this.#context;
		const row = live.row;
		if (signal.aborted && signal.reason instanceof StopReason) {
			const reason = signal.reason;
			if (reason.why === 'pause') live.state = 'paused';
			else if (reason.why === 'pause-all') context.schedule(live);
			else if (reason.why === 'cancel') context.canceled(row, live, reason.discardPartial);
			else context.live.delete(row.id);
			return;
		}
		// Retrying would only fill the disk further: stop, keeping every partial.
		if (isDiskFull(error)) return context.stopRun(diskFullError(context.archiveDir, error), live);
		const failure = error instanceof TransferError ? error : new TransferError('retry', redact(String((error as Error)?.message ?? error)), {cause: error});
		const message = redact(failure.message);
		live.lastError = message;
		if (failure.kind === 'cloudflare' && live.host === this.#cdnHost) {
			// One page is that file's problem; the same page for several files in a row is the host blocking us.
			this.#preflight.recheck();
			if (this.#challenges.challenged(row.url)) return context.stopRun(challengeError(this.#challenges.limit, live.url), live);
		}
		if (failure.kind === 'auth' && this.#preflight.isChecker(live)) return context.stopRun(refusedError(failure.status, live.url), live);
		const decision = decideRetry({
			status: failure.status,
			headers: failure.headers,
			transient: failure.kind === 'retry' || failure.kind === 'cloudflare',
			attempt: live.attempts,
			retries: context.config.retries,
			retryAfterCapMs: context.config.retryAfterCapMs,
			backoffCapMs: context.config.retryAfterCapMs,
		});
		live.attempts++;
		if (decision.action === 'retry') return this.#retryLater(live, message, decision.delayMs, decision.holdHost);
		// Final: the partial of a file that cannot be fetched is of no use.
		context.images.markFailed(row.id, live.attempts, message);
		if (row.part_path) {
			fs.rmSync(path.join(context.archiveDir, row.part_path), {force: true});
			context.images.clearPartial(row.id);
		}
		context.live.delete(row.id);
		context.counts.pending--;
		context.counts.failed++;
		context.stats.failed++;
		if (context.stats.failures.length < maxFailuresKept) context.stats.failures.push({url: redact(live.url), reason: message});
		context.finished.add(row, 'failed', live, message);
	}

	#retryLater(live: LiveTransfer, message: string, delayMs: number, holdHost: boolean): void {
		const context = this.#context;
		context.stats.retriesByHost[live.host] = (context.stats.retriesByHost[live.host] ?? 0) + 1;
		context.images.recordAttempt(live.row.id, message);
		if (holdHost) context.hosts.hold(live.host, delayMs);
		live.state = holdHost ? 'held' : 'queued';
		live.heldUntil = Date.now() + delayMs;
		live.generation++;
		// Referenced: while every file waits to retry, this timer is what keeps the process alive.
		live.timer = setTimeout(() => {
			live.heldUntil = null;
			if (context.live.get(live.row.id) === live && !context.ending()) context.schedule(live);
		}, delayMs);
	}

	#headersFor(url: string): Record<string, string> {
		const {config} = this.#context;
		const headers: Record<string, string> = {'user-agent': config.userAgent};
		// Cookies (cf_clearance, the session) go to the configured CDN's origin only, and only encrypted.
		if (config.cookie && cookieAllowed(url, config.cdnBase)) headers.cookie = config.cookie;
		return headers;
	}
}

function challengeError(files: number, lastUrl: string): MjError {
	return new MjError(`The CDN answered ${files} different files in a row with Cloudflare's challenge page instead of the file (the last: ${redact(lastUrl)}).`, {
		exitCode: ExitCode.unavailable,
		hint: `${cloudflareHint} Nothing downloaded so far is lost.`,
	});
}

function refusedError(status: number | undefined, url: string): MjError {
	return new MjError(`The CDN refused access (HTTP ${status}) to ${redact(url)}, the first file of this run; stopped before trying the others.`, {
		exitCode: ExitCode.auth,
		hint: 'Sign in again (mj-tui login) or paste a fresh cookie into MJ_TUI_COOKIE, then run again; the files resume where they stopped.',
	});
}
