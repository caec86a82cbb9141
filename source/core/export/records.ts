/**
 * The rows every export writes: a job with its images, in the archive's
 * order (newest first), streamed so 1,000,000 jobs use constant memory.
 */
import type {ArchiveStore} from '../archive/store.js';
import type {Job, JobFilter} from '../job.js';

/** One archived file of a job; `path` is relative to the archive (absolute only for files imported in place). */
export interface ExportImage {
	index: number;
	variant: string;
	path: string | null;
	bytes: number | null;
	sha256: string | null;
	status: string;
}

export interface ExportRecord {
	job: Job;
	images: ExportImage[];
}

/** Which jobs an export covers: a search query (same syntax as `search`) and/or filters. */
export interface ExportSelection {
	query?: string;
	filter?: JobFilter;
	/** Stop after this many jobs. */
	limit?: number;
}

/** Search hits are read in pages of this many: a query's matches need not fit in memory. */
const searchPage = 2000;

function* selectedJobs(store: ArchiveStore, selection: ExportSelection): Generator<Job> {
	const query = selection.query?.trim();
	if (!query) {
		yield* store.iterateJobs(selection.filter);
		return;
	}
	for (let offset = 0; ; offset += searchPage) {
		const hits = store.search(query, {filter: selection.filter, limit: searchPage, offset});
		for (const hit of hits) yield hit.job;
		if (hits.length < searchPage) return;
	}
}

/** Jobs of the selection with their images, newest first (by rank when there is a query). */
export function* exportRecords(store: ArchiveStore, selection: ExportSelection = {}): Generator<ExportRecord> {
	const imagesOf = store.db.prepare(
		`SELECT idx AS "index", variant, path, bytes, sha256, status FROM images WHERE job_id = ? ORDER BY idx, variant`,
	);
	let count = 0;
	const limit = selection.limit ?? Number.POSITIVE_INFINITY;
	for (const job of selectedJobs(store, selection)) {
		if (count++ >= limit) return;
		yield {job, images: imagesOf.all(job.id) as ExportImage[]};
	}
}

/** The plain JSON form of a record, shared by json, jsonl and the gallery. */
export function recordToJson(record: ExportRecord) {
	const {job} = record;
	return {
		id: job.id,
		enqueue_time: typeof job.raw.enqueue_time === 'string' ? job.raw.enqueue_time : new Date(job.enqueuedAt).toISOString(),
		job_type: job.jobType,
		event_type: job.eventType,
		prompt: job.prompt,
		full_command: job.fullCommand,
		parameters: job.parameters,
		width: job.width,
		height: job.height,
		batch_size: job.batchSize,
		parent_id: job.parentId,
		parent_grid: job.parentGrid,
		rating: job.rating,
		is_video: job.isVideo,
		images: record.images,
	};
}
