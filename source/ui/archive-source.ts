/**
 * The part of the archive the UI reads. The app takes this rather than the
 * whole ArchiveStore so each pane states what it needs.
 */
import type {ArchiveClaims} from '../core/archive/claims.js';
import type {ImagesTable} from '../core/archive/images.js';
import type {LikesTable} from '../core/archive/likes.js';
import type {LineageQueries} from '../core/archive/lineage.js';
import type {ArchiveStore} from '../core/archive/store.js';

export type ArchiveSource = Pick<ArchiveStore, 'listJobs' | 'countJobs' | 'getJob' | 'search' | 'totals' | 'dir' | 'queueRows' | 'jobTypes' | 'perceptualHashes'> & {
	/** Only reads: the details pane lists a job's files. */
	readonly images: Pick<ImagesTable, 'ofJob'>;
	/** The details pane's Family section: a job's parent and children. */
	readonly lineage: Pick<LineageQueries, 'member' | 'children'>;
	/** The details pane's Liked line: liked, and by whom. */
	readonly likes: Pick<LikesTable, 'likeOf'>;
	/** The status line: another process writing the archive (downloads and syncs wait for it). */
	readonly claims: Pick<ArchiveClaims, 'otherWriter'>;
};
