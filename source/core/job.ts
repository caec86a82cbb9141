/**
 * The domain's central record: a Midjourney job, as the web API sends it and
 * as the archive stores it. Shared by sync, downloads, the UI and the tools.
 */

/** A job exactly as `/api/imagine` sends it. Unknown fields are kept, never rejected. */
export interface ApiJob {
	id: string;
	enqueue_time: string;
	full_command: string;
	job_type: string;
	event_type: string;
	parent_id: string | null;
	parent_grid: number | null;
	batch_size: number;
	width: number;
	height: number;
	rating: number | null;
	published: boolean;
	shown: boolean;
	user_hidden: boolean;
	video_segments?: number | null;
	vid_framecount?: number | null;
	[field: string]: unknown;
}

/** One page of `/api/imagine`. */
export interface ImagineListPage {
	data: ApiJob[];
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
	/** Enqueue time as epoch milliseconds (UTC). */
	enqueuedAt: number;
	jobType: string;
	eventType: string;
	/** The prompt text: `full_command` without its trailing parameters. */
	prompt: string;
	parameters: JobParameters;
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
}
