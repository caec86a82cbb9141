/**
 * Batch mode's progress on stderr. On a terminal: one line rewritten in place
 * (at most ~10 times a second). Otherwise: plain timestamped lines through the
 * logger, one every few seconds, so cron mail and CI logs stay short.
 */
import type {EngineSnapshot} from '../core/downloads/types.js';
import type {Logger} from '../core/log.js';
import type {SyncProgress} from '../core/sync.js';
import {formatBytes, formatEta, formatRate} from '../core/units.js';
import {concurrencyCap} from '../core/downloads/snapshots.js';

export interface ProgressOptions {
	stream: NodeJS.WritableStream & {isTTY?: boolean; columns?: number};
	log: Logger;
	/** Plain-line interval when not a terminal. */
	intervalMs?: number;
	now?: () => number;
}

const count = (n: number) => n.toLocaleString('en-US');

/** The sync part of a progress line. */
export function syncLine(progress: SyncProgress): string {
	return `sync: page ${count(progress.page)}, ${count(progress.jobsSeen)} jobs seen, ${count(progress.jobsNew)} new, ${count(progress.jobsUpdated)} updated`;
}

/** The download part of a progress line: files done/total, bytes, speed, ETA. */
export function downloadLine(snapshot: EngineSnapshot): string {
	const t = snapshot.totals;
	const finished = t.done + t.failed + t.canceled;
	const total = finished + t.queued + t.active + t.paused + t.held;
	const parts = [
		`downloads: ${count(t.done)}/${count(total)} files`,
		formatBytes(t.bytesDone),
		formatRate(t.speed),
		`ETA ${formatEta(t.eta)}`,
	];
	if (t.failed > 0) parts.push(`${count(t.failed)} failed`);
	if (t.held > 0) parts.push(`${count(t.held)} held (host backing off)`);
	// --concurrency is a promise: when a limit keeps it, say which.
	const cap = concurrencyCap(snapshot);
	if (cap) parts.push(`${snapshot.effectiveConcurrency} of ${snapshot.concurrency} at once (${cap})`);
	return parts.join(', ');
}

export class BatchProgress {
	private readonly tty: boolean;
	private readonly intervalMs: number;
	private readonly now: () => number;
	private lastWrite = Number.NEGATIVE_INFINITY;
	private pending: string | undefined;
	private lineShown = false;

	constructor(private readonly options: ProgressOptions) {
		this.tty = Boolean(options.stream.isTTY) && options.log.level !== 'quiet';
		this.intervalMs = options.intervalMs ?? (this.tty ? 100 : 5000);
		this.now = options.now ?? Date.now;
	}

	sync(progress: SyncProgress): void {
		// The end of the sync is told by a note with its reason; a failure by the error.
		if (progress.state === 'listing') this.update(syncLine(progress));
	}

	downloads(snapshot: EngineSnapshot): void {
		this.update(downloadLine(snapshot));
	}

	/** A line that stays (phase start/end); clears the in-place line first. */
	note(message: string): void {
		// The note (e.g. "sync: done: ...") supersedes any progress not yet written.
		this.pending = undefined;
		this.clear();
		this.options.log.info(message);
	}

	/** Write the latest pending state (non-TTY) and clear the in-place line (TTY). */
	finish(): void {
		if (!this.tty && this.pending !== undefined) this.options.log.info(this.pending);
		this.pending = undefined;
		this.clear();
	}

	private update(line: string): void {
		if (this.options.log.level === 'quiet') return;
		this.pending = line;
		const now = this.now();
		if (now - this.lastWrite < this.intervalMs) return;
		this.lastWrite = now;
		this.pending = undefined;
		if (!this.tty) {
			this.options.log.info(line);
			return;
		}
		const width = Math.max(20, (this.options.stream.columns ?? 80) - 1);
		const shown = line.length > width ? `${line.slice(0, width - 1)}…` : line;
		this.options.stream.write(`\r\u001B[2K${shown}`);
		this.lineShown = true;
	}

	private clear(): void {
		if (!this.lineShown) return;
		this.options.stream.write('\r\u001B[2K');
		this.lineShown = false;
	}
}
