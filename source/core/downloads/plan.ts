/**
 * Which files an archived job should have on disk, as images rows: the
 * full-size PNGs (or the WebP rendition with `--format webp`), the mp4s of
 * video jobs, and optionally the grid composite. Planning is idempotent:
 * rows that exist already are left as they are.
 */
import {createHash} from 'node:crypto';
import type {ImagesTable, JobToPlan, PlannedImage} from '../archive/images.js';
import type {Config} from '../config/config.js';
import {checkRelativePath, renderTemplate, validateTemplate, withSuffix, type NameFields} from './naming.js';

/**
 * The files one job should have: full-size images (or WebP), the clips of video jobs, and optionally the grid.
 * Their `url` is the path below the CDN base (see cdn-url.ts), so a changed base still finds them.
 */
export function filesOfJob(job: JobToPlan, config: Pick<Config, 'format' | 'grids' | 'videos'>): Array<{idx: number; variant: string; url: string; ext: string}> {
	const id = encodeURIComponent(job.id);
	const count = Math.max(0, Math.min(Math.floor(job.batch_size ?? 0) || 0, 16));
	const files: Array<{idx: number; variant: string; url: string; ext: string}> = [];
	for (let i = 0; i < count; i++) {
		files.push(
			config.format === 'webp'
				? {idx: i, variant: 'webp', url: `/${id}/0_${i}_2048_N.webp`, ext: 'webp'}
				: {idx: i, variant: 'png', url: `/${id}/0_${i}.png`, ext: 'png'},
		);
	}
	// Video jobs have their start frames as images, and the clips themselves.
	if (job.is_video && config.videos) for (let i = 0; i < count; i++) files.push({idx: i, variant: 'mp4', url: `/video/${id}/${i}.mp4`, ext: 'mp4'});
	if (config.grids && count > 1) files.push({idx: 0, variant: 'grid', url: `/${id}/grid_0.png`, ext: 'png'});
	return files;
}

/**
 * Pick a final path for a new file: the template's, or with `_2`, `_3`, ...
 * when another row already uses it. `taken` holds the paths chosen in the
 * same batch, not yet in the table. (Files already on disk are avoided when
 * the file is moved into place, see finalise.ts: no syscall per planned file.)
 */
export function uniquePath(images: ImagesTable, relative: string, taken: Set<string>): string {
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
	readonly #images: ImagesTable;
	readonly #config: Config;
	readonly #priority: number | undefined;
	/** The next batch of jobs; undefined when there are no more. */
	readonly #nextJobs: () => JobToPlan[] | undefined;

	constructor(images: ImagesTable, config: Config, options: {jobIds?: readonly string[]; priority?: number} = {}) {
		validateTemplate(config.naming);
		this.#images = images;
		this.#config = config;
		this.#priority = options.priority;
		if (options.jobIds) {
			const ids = options.jobIds;
			let at = 0;
			this.#nextJobs = () => {
				if (at >= ids.length) return undefined;
				const slice = ids.slice(at, at + batchSize);
				at += slice.length;
				return slice.map((id) => images.jobToPlan(id)).filter((j): j is JobToPlan => j !== undefined);
			};
		} else {
			// Keyset paging (newest first) keeps memory flat however many jobs there are.
			// Undated jobs (enqueued_at NULL) come after the dated ones: cursor [null, id].
			let cursor: [number | null, string] = [Number.MAX_SAFE_INTEGER, ''];
			this.#nextJobs = () => {
				let jobs = images.jobsToPlanBefore(cursor, batchSize);
				if (jobs.length === 0 && cursor[0] !== null) {
					cursor = [null, '\uffff'];
					jobs = images.jobsToPlanBefore(cursor, batchSize);
				}
				const last = jobs.at(-1);
				if (!last) return undefined;
				cursor = [cursor[0] === null ? null : last.enqueued_at, last.id];
				return jobs;
			};
		}
	}

	/** Plan the next batch of jobs; returns the rows added by it. Sets `done` after the last. */
	step(): number {
		if (this.done) return 0;
		// One transaction for the batch's reads and inserts (see ImagesTable.batch).
		const added = this.#images.batch(() => this.#planBatch());
		this.added += added;
		return added;
	}

	#planBatch(): number {
		const jobs = this.#nextJobs();
		if (!jobs) {
			this.done = true;
			return 0;
		}
		const planned: PlannedImage[] = [];
		const taken = new Set<string>();
		for (const job of jobs) {
			for (const file of filesOfJob(job, this.#config)) {
				if (this.#images.hasFile(job.id, file.idx, file.variant)) continue;
				const fields: NameFields = {enqueuedAt: job.enqueued_at ?? job.first_seen_at, jobId: job.id, index: file.idx, type: file.variant === 'grid' ? 'grid' : job.job_type ?? '', prompt: job.prompt, ext: file.ext};
				planned.push({jobId: job.id, idx: file.idx, variant: file.variant, url: file.url, path: uniquePath(this.#images, safeName(this.#config.naming, fields), taken), priority: this.#priority});
			}
		}
		return this.#images.insert(planned);
	}
}

/** Plan every missing file of the chosen jobs (or of all jobs) at once. Returns how many rows were added. */
export function planMissing(images: ImagesTable, config: Config, options: {jobIds?: readonly string[]; priority?: number} = {}): number {
	const planner = new MissingPlanner(images, config, options);
	while (!planner.done) planner.step();
	return planner.added;
}

/** What background planning tells its owner (the engine). */
export interface PlanningHooks {
	/** True when planning should stop (the run is ending). */
	ending(): boolean;
	/** `n` more rows are pending. */
	added(n: number): void;
	/** Planning could not write its rows (a full disk). */
	failed(error: unknown): void;
	/** A planner finished or gave up. */
	settled(): void;
}

/** Planners adding rows between event-loop turns, ~20 ms per turn, so a million jobs never freeze a UI. */
export class BackgroundPlanning {
	readonly #planners = new Set<MissingPlanner>();
	readonly #hooks: PlanningHooks;

	constructor(hooks: PlanningHooks) {
		this.#hooks = hooks;
	}

	/** True while a planner still has jobs to go through. */
	get busy(): boolean {
		return this.#planners.size > 0;
	}

	/** Plan the rest of `planner`'s jobs in the background. */
	continue(planner: MissingPlanner): void {
		if (planner.done) return;
		this.#planners.add(planner);
		setImmediate(() => this.#turn(planner));
	}

	#turn(planner: MissingPlanner): void {
		if (this.#hooks.ending()) return this.#settle(planner);
		let added = 0;
		try {
			const until = performance.now() + 20;
			while (!planner.done && performance.now() < until) added += planner.step();
		} catch (error) {
			// Planning writes rows: a full disk stops the run here too, never as an uncaught exception.
			this.#planners.delete(planner);
			return this.#hooks.failed(error);
		}
		this.#hooks.added(added);
		if (!planner.done) return void setImmediate(() => this.#turn(planner));
		this.#settle(planner);
	}

	#settle(planner: MissingPlanner): void {
		this.#planners.delete(planner);
		this.#hooks.settled();
	}
}
