/**
 * ApiJob ⇄ jobs row: the typed columns the archive queries, derived from the
 * verbatim API JSON that is kept alongside them.
 */
import {ExitCode, MjError} from '../errors.js';
import type {ApiJob, Job, JobFileCounts} from '../job.js';
import {aspectRatioOf, modelVersionOf, numericParameterOf, parseFullCommand} from './parameters.js';

export type JobSource = 'api' | 'import' | 'responses';

/** A jobs row as bound to the insert/update statements (named parameters). */
export interface JobRow {
	id: string;
	enqueue_time: string;
	enqueued_at: number;
	job_type: string;
	event_type: string;
	full_command: string;
	prompt: string;
	parameters: string;
	model_version: string | null;
	aspect_ratio: string | null;
	stylize: number | null;
	chaos: number | null;
	weird: number | null;
	quality: number | null;
	width: number | null;
	height: number | null;
	batch_size: number;
	parent_id: string | null;
	parent_grid: number | null;
	rating: number | null;
	is_video: number;
	raw: string;
	source: JobSource;
	/** Epoch ms of this write (also first_seen_at when inserted). */
	updated_at: number;
}

/** The columns a Job is built from (the row as selected). */
export const jobColumns = [
	'id', 'enqueued_at', 'job_type', 'event_type', 'full_command', 'prompt', 'parameters',
	'width', 'height', 'batch_size', 'parent_id', 'parent_grid', 'rating', 'is_video', 'raw',
] as const;

export type SelectedJobRow = Pick<JobRow, (typeof jobColumns)[number]>;

function text(value: unknown): string {
	return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

function integerOrNull(value: unknown): number | null {
	return typeof value === 'number' && Number.isFinite(value) ? Math.trunc(value) : null;
}

function textOrNull(value: unknown): string | null {
	return typeof value === 'string' && value !== '' ? value : null;
}

function isVideoJob(job: ApiJob): boolean {
	return /video/i.test(text(job.event_type)) || /^vid_/i.test(text(job.job_type)) || typeof job.video_segments === 'number';
}

/**
 * The row for an API job. Throws MjError 65 naming the job when it lacks an
 * id or a parseable enqueue_time, so a bad batch changes nothing.
 */
export function jobRowFromApi(job: ApiJob, source: JobSource, now: number): JobRow {
	if (typeof job?.id !== 'string' || job.id === '') {
		throw new MjError(`A job without an id cannot be archived: ${JSON.stringify(job)?.slice(0, 200)}`, {exitCode: ExitCode.dataError});
	}

	const enqueuedAt = Date.parse(text(job.enqueue_time));
	// Beyond ±9e12 ms (years 1684..2255) the time-ordered rowid would leave the safe integer range.
	if (!Number.isFinite(enqueuedAt) || Math.abs(enqueuedAt) > 9e12) {
		throw new MjError(`Job ${job.id} has an unreadable enqueue_time ${JSON.stringify(job.enqueue_time)}.`, {exitCode: ExitCode.dataError});
	}

	const fullCommand = text(job.full_command);
	const {prompt, parameters} = parseFullCommand(fullCommand);
	const width = integerOrNull(job.width);
	const height = integerOrNull(job.height);
	const jobType = text(job.job_type);
	return {
		id: job.id,
		enqueue_time: text(job.enqueue_time),
		enqueued_at: enqueuedAt,
		job_type: jobType,
		event_type: text(job.event_type),
		full_command: fullCommand,
		prompt,
		parameters: JSON.stringify(parameters),
		model_version: modelVersionOf(parameters, jobType),
		aspect_ratio: aspectRatioOf(parameters, width, height),
		stylize: numericParameterOf(parameters, 'stylize'),
		chaos: numericParameterOf(parameters, 'chaos'),
		weird: numericParameterOf(parameters, 'weird'),
		quality: numericParameterOf(parameters, 'quality'),
		width,
		height,
		batch_size: integerOrNull(job.batch_size) ?? 1,
		parent_id: textOrNull(job.parent_id),
		parent_grid: integerOrNull(job.parent_grid),
		// Ratings may be fractional; the column's INTEGER affinity keeps a non-integral number as REAL.
		rating: typeof job.rating === 'number' && Number.isFinite(job.rating) ? job.rating : null,
		is_video: isVideoJob(job) ? 1 : 0,
		raw: JSON.stringify(job),
		source,
		updated_at: now,
	};
}

/** Rowids per millisecond of enqueue time; jobs in the same millisecond take successive slots. */
export const rowidSlotsPerMillisecond = 1000;

/**
 * The rowid a new job gets: enqueue time in ms × 1000 plus a slot picked from
 * its id (`attempt` moves on when the slot is taken). Rowids then sort by
 * time, so FTS5 (whose rowids are these) breaks rank ties newest first and
 * bounds time ranges without touching the jobs table.
 */
export function timeOrderedRowid(row: Pick<JobRow, 'id' | 'enqueued_at'>, attempt = 0): number {
	let hash = 0;
	for (let i = 0; i < row.id.length; i++) {
		hash = (hash * 31 + row.id.charCodeAt(i)) >>> 0;
	}

	return row.enqueued_at * rowidSlotsPerMillisecond + ((hash + attempt) % rowidSlotsPerMillisecond);
}

/** No images recorded yet. */
export const noFiles: Readonly<JobFileCounts> = Object.freeze({total: 0, done: 0, failed: 0});

/** The Job for a selected row and its file counts. */
export function jobFromRow(row: SelectedJobRow, files: JobFileCounts = noFiles): Job {
	return {
		id: row.id,
		enqueuedAt: row.enqueued_at,
		jobType: row.job_type,
		eventType: row.event_type,
		prompt: row.prompt,
		parameters: JSON.parse(row.parameters) as Job['parameters'],
		fullCommand: row.full_command,
		width: row.width ?? 0,
		height: row.height ?? 0,
		batchSize: row.batch_size,
		parentId: row.parent_id,
		parentGrid: row.parent_grid,
		rating: row.rating,
		isVideo: row.is_video === 1,
		raw: JSON.parse(row.raw) as ApiJob,
		files: {...files},
	};
}
