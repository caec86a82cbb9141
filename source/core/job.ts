/**
 * The domain's central record: a Midjourney job, as the web API sends it and
 * as the archive stores it. Shared by sync, downloads, the UI and the tools.
 */

/**
 * A job exactly as the web API sends it. Only a string `id` is certain: every
 * other field may be missing or of another type than the contract says (a
 * number as a string, `video_segments` as an array), so each is read
 * defensively (archive/job-rows.ts) and the whole object is kept verbatim.
 */
export interface ApiJob {
	id: string;
	/** ISO 8601, with `T` or a space; may be missing. */
	enqueue_time?: unknown;
	full_command?: unknown;
	job_type?: unknown;
	event_type?: unknown;
	parent_id?: unknown;
	parent_grid?: unknown;
	batch_size?: unknown;
	width?: unknown;
	height?: unknown;
	rating?: unknown;
	published?: unknown;
	shown?: unknown;
	user_hidden?: unknown;
	/** Frame counts (array) in the wild; older answers: a number. */
	video_segments?: unknown;
	vid_framecount?: unknown;
	[field: string]: unknown;
}

/** One page of `/api/imagine`. */
export interface ImagineListPage {
	/** Jobs as sent: validate.ts's storableJobs() keeps the ones with a string id. */
	data: unknown[];
	cursor?: string | null;
	checkpoint?: string | null;
	[field: string]: unknown;
}

/** Parameters parsed from `full_command`: `--ar 16:9 --tile` → {ar: '16:9', tile: true}. */
export type JobParameters = Record<string, string | true>;

/** Download state of a job's files, aggregated for the jobs table. */
export interface JobFileCounts {
	total: number;
	done: number;
	failed: number;
}

/** A job as the archive holds it: typed columns plus the verbatim API JSON. */
export interface Job {
	id: string;
	/** Enqueue time as epoch milliseconds (UTC); null when the API sent none (such jobs sort last). */
	enqueuedAt: number | null;
	/** '' when the API sent none. */
	jobType: string;
	eventType: string;
	/** The prompt text: `full_command` without its trailing parameters. */
	prompt: string;
	parameters: JobParameters;
	/** As the user wrote it ('' when the API sent none). */
	fullCommand: string;
	width: number;
	height: number;
	batchSize: number;
	parentId: string | null;
	parentGrid: number | null;
	rating: number | null;
	isVideo: boolean;
	/** Every field the API sent, verbatim. */
	raw: ApiJob;
	files: JobFileCounts;
}

/** Filters shared by the jobs pane, `search`, `export` and sync. */
export interface JobFilter {
	/** job_type or event_type, e.g. `upscale`, `v7_diffusion`. */
	types?: string[];
	/** Inclusive lower bound, epoch ms. */
	since?: number;
	/** Exclusive upper bound, epoch ms. */
	until?: number;
	/** Only jobs whose files are all done, some missing, or some failed. */
	fileStatus?: 'complete' | 'missing' | 'failed';
	/** Only jobs the account liked (true) or did not (false). */
	liked?: boolean;
}
