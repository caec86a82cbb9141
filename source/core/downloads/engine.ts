/**
 * CONTRACT: the download engine factory; being implemented.
 */
import type {ArchiveStore} from '../archive/store.js';
import type {Config} from '../config.js';
import type {DownloadEngine} from './types.js';

/** An engine over the archive's images table, configured from `config`. Starts idle. */
export function createDownloadEngine(store: ArchiveStore, config: Config): DownloadEngine {
	throw new Error('not implemented');
}
