/**
 * The part of the archive the UI reads. The app takes this rather than the
 * whole ArchiveStore so each pane states what it needs.
 */
import type {ArchiveStore} from '../core/archive/store.js';

export type ArchiveSource = Pick<ArchiveStore, 'listJobs' | 'countJobs' | 'getJob' | 'search' | 'totals' | 'db' | 'dir'>;
