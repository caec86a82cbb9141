/**
 * Incremental sync: listing pages → archive.
 *
 * CONTRACT: signatures other modules build against; being implemented.
 */
import type {ArchiveStore} from './archive/store.js';
import type {MidjourneyClient} from './midjourney/client.js';

export interface SyncProgress {
	state: 'listing' | 'done' | 'failed';
	page: number;
	jobsSeen: number;
	jobsNew: number;
	jobsUpdated: number;
}

export interface SyncOptions {
	/** Re-walk the whole listing instead of stopping at already-archived jobs. */
	full?: boolean;
	/** Epoch ms bounds on enqueue time. */
	since?: number;
	until?: number;
	types?: string[];
	/** Stop after this many jobs seen. */
	limit?: number;
	pageSize?: number;
	signal?: AbortSignal;
	onProgress?: (progress: SyncProgress) => void;
}

export interface SyncSummary {
	pages: number;
	jobsSeen: number;
	jobsNew: number;
	jobsUpdated: number;
	durationMs: number;
	stoppedBecause: 'caught-up' | 'end' | 'limit' | 'since' | 'aborted';
}

/** Page from newest; stop once a page holds only archived jobs (unless full). Interruptible at any instant. */
export async function syncJobs(store: ArchiveStore, client: MidjourneyClient, options: SyncOptions = {}): Promise<SyncSummary> {
	throw new Error('not implemented');
}
