/**
 * ApiJob ⇄ jobs row: the typed columns the archive queries, derived from the
 * verbatim API JSON that is kept alongside them. Lenient in what it reads: a
 * job needs only a string id; any other field fills its column when its type
 * is usable (a number sent as a string included) and is null otherwise, and
 * every such surprise is counted in an OddityTally instead of refusing the job.
 */
import type {ApiJob, Job, JobFileCounts} from '../job.js';
import {aspectRatioOf, modelVersionOf, numericParameterOf, parseFullCommand} from './parameters.js';

/** Where a row came from: the listing, files on disk, saved API answers, or the likes (`/api/explore-likes`). */
export type JobSource = 'api' | 'import' | 'responses' | 'likes';

/** A jobs row as bound to the insert/update statements (named parameters). */
export interface JobRow {
	id: string;
	enqueue_time: string | null;
	enqueued_at: number | null;
	job_type: string | null;
	event_type: string | null;
	full_command: string | null;
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
	batch_size: number | null;
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

/**
 * Odd fields seen in one run, counted by what was odd: `"video_segments as a
 * number" → 12` reads "12 jobs had video_segments as a number". Reported once
 * per run (summary, --verbose), never per job.
 */
export class OddityTally {
	readonly #counts = new Map<string, number>();

	/** Count one job with this oddity (`what` completes "jobs had ..."). */
	add(what: string, jobs = 1): void {
		this.#counts.set(what, (this.#counts.get(what) ?? 0) + jobs);
	}

	/** Add every count of another tally. */
	merge(other: Readonly<Record<string, number>>): void {
		for (const [what, jobs] of Object.entries(other)) this.add(what, jobs);
	}

	get size(): number {
		return this.#counts.size;
	}

	/** `{"no enqueue_time": 1, ...}`, most frequent first, for JSON summaries. */
	toJSON(): Record<string, number> {
		return Object.fromEntries([...this.#counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
	}

	/** One line per oddity: `12 jobs had video_segments as a number`. */
	lines(): string[] {
		return oddityLines(this.toJSON());
	}
}

/** Report lines for counted oddities: `{"parent_grid as a string": 12}` → `12 jobs had parent_grid as a string`. */
export function oddityLines(oddities: Readonly<Record<string, number>>): string[] {
	return Object.entries(oddities).map(([what, jobs]) => `${jobs} ${jobs === 1 ? 'job' : 'jobs'} had ${what}`);
}

/** JSON type name for messages: `a string`, `an array`, `null`. */
export function kindOf(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'an array';
	const type = typeof value;
	return type === 'object' || type === 'undefined' ? `an ${type}` : `a ${type}`;
}

/** Reads one job's fields, noting in the tally what had to be coerced or left out. */
class FieldReader {
	constructor(private readonly job: ApiJob, private readonly oddities: OddityTally | undefined) {}

	#odd(field: string, value: unknown): null {
		this.oddities?.add(`${field} as ${kindOf(value)}`);
		return null;
	}

	/** A string field; absent or null stays null, another type is odd. */
	text(field: string): string | null {
		const value = this.job[field];
		if (typeof value === 'string') return value;
		return value === undefined || value === null ? null : this.#odd(field, value);
	}

	/** A number field; a numeric string is used (and noted); anything else is null. */
	number(field: string): number | null {
		const value = this.job[field];
		if (typeof value === 'number' && Number.isFinite(value)) return value;
		if (value === undefined || value === null) return null;
		if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
			this.oddities?.add(`${field} as a string`);
			return Number(value);
		}

		return this.#odd(field, value);
	}

	integer(field: string): number | null {
		const value = this.number(field);
		return value === null ? null : Math.trunc(value);
	}
}

/** Beyond ±9e12 ms (years 1684..2255) the time-ordered rowid would leave the safe integer range. */
const latestRepresentableMs = 9e12;
/** ISO 8601 as the API writes it: `T` or a space between date and time; no offset means UTC. */
const isoDateTime = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/** Epoch ms of an enqueue_time string, or null when it is not an ISO 8601 date. Lenient: `T` or a space, any fraction. */
export function parseEnqueueTime(text: string): number | null {
	const match = isoDateTime.exec(text.trim());
	if (!match) return null;
	const [, date, time, offset] = match;
	// Date.parse reads a date-time without an offset as local time: make UTC explicit.
	const zone = offset === undefined ? 'Z' : /^[+-]\d{2}$/.test(offset) ? `${offset}:00` : offset;
	const epoch = Date.parse(time === undefined ? date : `${date}T${time}${zone}`);
	return Number.isFinite(epoch) && Math.abs(epoch) <= latestRepresentableMs ? epoch : null;
}

function enqueueTimeOf(job: ApiJob, fields: FieldReader, oddities: OddityTally | undefined): {text: string | null; at: number | null} {
	if (job.enqueue_time === undefined || job.enqueue_time === null) {
		oddities?.add('no enqueue_time (stored without a time, listed last)');
		return {text: null, at: null};
	}

	const text = fields.text('enqueue_time');
	const at = text === null ? null : parseEnqueueTime(text);
	if (text !== null && at === null) oddities?.add('an enqueue_time that is not a date (stored without a time, listed last)');
	return {text, at};
}

function isVideoJob(job: ApiJob, jobType: string | null, eventType: string | null): boolean {
	const segments = job.video_segments;
	return /video/i.test(eventType ?? '') || /^vid_/i.test(jobType ?? '') || typeof segments === 'number' || (Array.isArray(segments) && segments.length > 0);
}

/** `video_segments` is an array of frame counts in the wild; a bare number is the older shape; anything else is odd. */
function noteVideoSegments(job: ApiJob, oddities: OddityTally | undefined): void {
	const segments = job.video_segments;
	if (segments === undefined || segments === null) return;
	if (Array.isArray(segments) && segments.every(segment => typeof segment === 'number')) return;
	oddities?.add(Array.isArray(segments) ? 'video_segments as an array of something other than numbers' : `video_segments as ${kindOf(segments)}`);
}

/** A job is storable when it has a non-empty string id; nothing else is required. */
export function hasJobId(job: unknown): job is ApiJob {
	return typeof job === 'object' && job !== null && !Array.isArray(job) && typeof (job as {id?: unknown}).id === 'string' && (job as {id: string}).id !== '';
}

/**
 * The row for a job that has a string id (see hasJobId). Never throws for odd
 * field types: unusable fields become null and are counted in `oddities`.
 */
export function jobRowFromApi(job: ApiJob, source: JobSource, now: number, oddities?: OddityTally): JobRow {
	const fields = new FieldReader(job, oddities);
	const enqueue = enqueueTimeOf(job, fields, oddities);
	const fullCommand = fields.text('full_command');
	const {prompt, parameters} = parseFullCommand(fullCommand ?? '');
	const width = fields.integer('width');
	const height = fields.integer('height');
	const jobType = fields.text('job_type');
	const eventType = fields.text('event_type');
	noteVideoSegments(job, oddities);
	return {
		id: job.id,
		enqueue_time: enqueue.text,
		enqueued_at: enqueue.at,
		job_type: jobType,
		event_type: eventType,
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
		batch_size: fields.integer('batch_size'),
		parent_id: fields.text('parent_id') || null,
		parent_grid: fields.integer('parent_grid'),
		// Ratings may be fractional; the column's INTEGER affinity keeps a non-integral number as REAL.
		rating: fields.number('rating'),
		is_video: isVideoJob(job, jobType, eventType) ? 1 : 0,
		raw: JSON.stringify(job),
		source,
		updated_at: now,
	};
}

/** Rowids per millisecond of enqueue time; jobs in the same millisecond take successive slots. */
export const rowidSlotsPerMillisecond = 1000;
/** Jobs without a time get rowids below every dated job's, so rowid order (FTS ties, exports) lists them last. */
const undatedRowidMs = -(latestRepresentableMs + 1);
/** The lowest rowid a dated job can have. */
export const lowestDatedRowid = -latestRepresentableMs * rowidSlotsPerMillisecond;

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

	return (row.enqueued_at ?? undatedRowidMs) * rowidSlotsPerMillisecond + ((hash + attempt) % rowidSlotsPerMillisecond);
}

/** No images recorded yet. */
export const noFiles: Readonly<JobFileCounts> = Object.freeze({total: 0, done: 0, failed: 0});

/** The Job for a selected row and its file counts. */
export function jobFromRow(row: SelectedJobRow, files: JobFileCounts = noFiles): Job {
	return {
		id: row.id,
		enqueuedAt: row.enqueued_at,
		jobType: row.job_type ?? '',
		eventType: row.event_type ?? '',
		prompt: row.prompt,
		parameters: JSON.parse(row.parameters) as Job['parameters'],
		fullCommand: row.full_command ?? '',
		width: row.width ?? 0,
		height: row.height ?? 0,
		batchSize: row.batch_size ?? 0,
		parentId: row.parent_id,
		parentGrid: row.parent_grid,
		rating: row.rating,
		isVideo: row.is_video === 1,
		raw: JSON.parse(row.raw) as ApiJob,
		files: {...files},
	};
}
