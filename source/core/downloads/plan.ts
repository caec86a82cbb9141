/**
 * Which files an archived job should have on disk, as images rows: the
 * full-size PNGs (or the WebP rendition with `--format webp`), the mp4s of
 * video jobs, and optionally the grid composite. Planning is idempotent:
 * rows that exist already are left as they are.
 */
import {createHash} from 'node:crypto';
import type Database from 'better-sqlite3';
import type {Config} from '../config/config.js';
import {ImageStore, type PlannedImage} from './image-store.js';
import {checkRelativePath, renderTemplate, validateTemplate, withSuffix, type NameFields} from './naming.js';

interface JobRow {
	id: string;
	/** NULL when the API sent no enqueue_time: such files are named by first_seen_at instead. */
	enqueued_at: number | null;
	first_seen_at: number;
	job_type: string | null;
	prompt: string;
	batch_size: number | null;
	is_video: number;
}

/** The files one job should have: full-size images (or WebP), the clips of video jobs, and optionally the grid. */
export function filesOfJob(job: JobRow, config: Pick<Config, 'cdnBase' | 'format' | 'grids' | 'videos'>): Array<{idx: number; variant: string; url: string; ext: string}> {
	const base = config.cdnBase.replace(/\/+$/, '');
	const id = encodeURIComponent(job.id);
	const count = Math.max(0, Math.min(Math.floor(job.batch_size ?? 0) || 0, 16));
	const files: Array<{idx: number; variant: string; url: string; ext: string}> = [];
	for (let i = 0; i < count; i++) {
		files.push(
			config.format === 'webp'
				? {idx: i, variant: 'webp', url: `${base}/${id}/0_${i}_2048_N.webp`, ext: 'webp'}
				: {idx: i, variant: 'png', url: `${base}/${id}/0_${i}.png`, ext: 'png'},
		);
	}
	// Video jobs have their start frames as images, and the clips themselves.
	if (job.is_video && config.videos) for (let i = 0; i < count; i++) files.push({idx: i, variant: 'mp4', url: `${base}/video/${id}/${i}.mp4`, ext: 'mp4'});
	if (config.grids && count > 1) files.push({idx: 0, variant: 'grid', url: `${base}/${id}/grid_0.png`, ext: 'png'});
	return files;
}

/**
 * Pick a final path for a new file: the template's, or with `_2`, `_3`, ...
 * when another row already uses it. `taken` holds the paths chosen in the
 * same batch, not yet in the table. (Files already on disk are avoided when
 * the file is moved into place, see finalise.ts: no syscall per planned file.)
 */
export function uniquePath(images: ImageStore, relative: string, taken: Set<string>): string {
	for (let n = 1; ; n++) {
		const candidate = n === 1 ? relative : withSuffix(relative, n);
		if (taken.has(candidate) || images.pathTaken(candidate)) continue;
		taken.add(candidate);
		return candidate;
	}
}

/**
 * The template's path for a file; should a hostile job still produce an
 * unsafe one, a neutral name under images/_unsafe/ (one bad job must not stop the archive).
 */
function safeName(template: string, fields: NameFields): string {
	try {
		return checkRelativePath(renderTemplate(template, fields), 'file name');
	} catch {
		const digest = createHash('sha256').update(fields.jobId).digest('hex').slice(0, 16);
		return `images/_unsafe/${digest}_${fields.index}.${fields.ext.replace(/[^a-z0-9]/gi, '') || 'bin'}`;
	}
}

const batchSize = 1000;

/**
 * Adds an images row for every expected file of the chosen jobs (or of all
 * jobs) that has none yet, a batch of jobs per step(), so a caller with a UI
 * can plan a million jobs between frames instead of freezing for minutes.
 */
export class MissingPlanner {
	/** Rows added so far. */
	added = 0;
	done = false;
	readonly #images: ImageStore;
	readonly #config: Config;
	readonly #priority: number | undefined;
	/** The next batch of jobs; undefined when there are no more. */
	readonly #nextJobs: () => JobRow[] | undefined;
	readonly #hasFile: Database.Statement;

	constructor(db: Database.Database, config: Config, options: {jobIds?: readonly string[]; priority?: number} = {}) {
		validateTemplate(config.naming);
		this.#images = new ImageStore(db);
		this.#config = config;
		this.#priority = options.priority;
		this.#hasFile = db.prepare('SELECT 1 FROM images WHERE job_id = ? AND idx = ? AND variant = ?');
		const columns = 'id, enqueued_at, first_seen_at, job_type, prompt, batch_size, is_video';
		if (options.jobIds) {
			const selectOne = db.prepare(`SELECT ${columns} FROM jobs WHERE id = ?`);
			const ids = options.jobIds;
			let at = 0;
			this.#nextJobs = () => {
				if (at >= ids.length) return undefined;
				const slice = ids.slice(at, at + batchSize);
				at += slice.length;
				return slice.map((id) => selectOne.get(id) as JobRow | undefined).filter((j): j is JobRow => j !== undefined);
			};
		} else {
			// Keyset paging (newest first) keeps memory flat however many jobs there are.
			const select = db.prepare(`SELECT ${columns} FROM jobs WHERE (enqueued_at, id) < (?, ?) ORDER BY enqueued_at DESC, id DESC LIMIT ?`);
			// Jobs the API sent without a time (enqueued_at NULL never compares) come last, by id.
			const selectUndated = db.prepare(`SELECT ${columns} FROM jobs WHERE enqueued_at IS NULL AND id < ? ORDER BY id DESC LIMIT ?`);
			let cursor: [number | null, string] = [Number.MAX_SAFE_INTEGER, ''];
			this.#nextJobs = () => {
				let jobs = cursor[0] === null ? [] : select.all(cursor[0], cursor[1], batchSize) as JobRow[];
				if (jobs.length === 0) {
					if (cursor[0] !== null) cursor = [null, '\uffff'];
					jobs = selectUndated.all(cursor[1], batchSize) as JobRow[];
				}
				const last = jobs.at(-1);
				if (!last) return undefined;
				cursor = [last.enqueued_at, last.id];
				return jobs;
			};
		}
	}

	/** Plan the next batch of jobs; returns the rows added by it. Sets `done` after the last. */
	step(): number {
		if (this.done) return 0;
		const jobs = this.#nextJobs();
		if (!jobs) {
			this.done = true;
			return 0;
		}
		const planned: PlannedImage[] = [];
		const taken = new Set<string>();
		for (const job of jobs) {
			for (const file of filesOfJob(job, this.#config)) {
				if (this.#hasFile.get(job.id, file.idx, file.variant)) continue;
				const fields: NameFields = {enqueuedAt: job.enqueued_at ?? job.first_seen_at, jobId: job.id, index: file.idx, type: file.variant === 'grid' ? 'grid' : job.job_type ?? '', prompt: job.prompt, ext: file.ext};
				planned.push({jobId: job.id, idx: file.idx, variant: file.variant, url: file.url, path: uniquePath(this.#images, safeName(this.#config.naming, fields), taken), priority: this.#priority});
			}
		}
		const added = this.#images.insert(planned);
		this.added += added;
		return added;
	}
}

/** Plan every missing file of the chosen jobs (or of all jobs) at once. Returns how many rows were added. */
export function planMissing(db: Database.Database, config: Config, options: {jobIds?: readonly string[]; priority?: number} = {}): number {
	const planner = new MissingPlanner(db, config, options);
	while (!planner.done) planner.step();
	return planner.added;
}
