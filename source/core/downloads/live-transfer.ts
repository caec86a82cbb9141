/**
 * A transfer as the engine holds it in memory (queued in the window, active,
 * paused, held or waiting to retry), and why one was aborted on purpose.
 */
import path from 'node:path';
import type {ImageRow} from '../archive/images.js';
import type {SpeedMeter} from './speed.js';
import type {TransferState} from './types.js';

/** Why an active transfer was aborted on purpose. */
export class StopReason extends Error {
	constructor(
		readonly why: 'pause' | 'pause-all' | 'cancel' | 'stop',
		readonly discardPartial = false,
	) {
		super(why);
	}
}

export interface LiveTransfer {
	row: ImageRow;
	/** The URL fetched: the row's identifier resolved against the current CDN base (cdn-url.ts). */
	url: string;
	host: string;
	state: Exclude<TransferState, 'done' | 'failed' | 'canceled'>;
	/** Bumped whenever the transfer is (re)queued, so a stale queue entry does nothing. */
	generation: number;
	bytes: number;
	total: number | null;
	attempts: number;
	lastError: string | null;
	heldUntil: number | null;
	controller?: AbortController;
	timer?: NodeJS.Timeout;
	meter: SpeedMeter;
	/** Body received and verified, now being made durable: its queue and host slots already serve other files. */
	finishing?: boolean;
}

/** Where a row's partial lives, relative to the archive. */
export function partRelativeOf(row: ImageRow): string {
	return row.part_path ?? `.parts/${row.id}-${path.posix.basename(row.path ?? 'file')}.part`;
}

/** The host of a URL, '' when it does not parse. */
export function hostOf(url: string): string {
	try {
		return new URL(url).host;
	} catch {
		return '';
	}
}
