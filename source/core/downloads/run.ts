/**
 * CONTRACT: batch mode's download phase; being implemented.
 */
import type {ArchiveStore} from '../archive/store.js';
import type {Config} from '../config.js';
import type {DownloadSummary, EngineSnapshot} from './types.js';

export interface DownloadRunOptions {
	store: ArchiveStore;
	config: Config;
	signal?: AbortSignal;
	/** Download these URLs (one per line, `#` comments) instead of the archive's missing files. */
	urlsFile?: string;
	/** Throttled snapshots (~10 Hz) for progress lines. */
	onSnapshot?: (snapshot: EngineSnapshot) => void;
}

/** Download everything missing (or the URL list), then resolve with the summary. Aborting the signal stops cleanly. */
export async function runDownloads(options: DownloadRunOptions): Promise<DownloadSummary> {
	throw new Error('not implemented');
}
