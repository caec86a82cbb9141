/**
 * Re-deriving the jobs table's typed columns from each row's verbatim JSON,
 * once, when this build derives them differently from the build that wrote
 * them (issue 10: `--raw` is `--style raw`, `--v 7.0` is `--v 7`, `v8-1_*` is
 * version 8.1, numbers sent as strings fill their columns). The raw JSON and
 * the command as written never change; only what is derived from them does.
 */
import type Database from 'better-sqlite3';
import {ExitCode, MjError} from '../errors.js';
import type {ApiJob} from '../job.js';
import {jobRowFromApi, type JobRow, type JobSource} from './job-rows.js';
import {Meta} from './meta.js';

/** Bump when jobRowFromApi derives any column differently; archives re-derive once on their next writable open. */
export const jobDerivationVersion = '2';
/** Meta key holding the derivation version the rows were written with. */
export const derivationMetaKey = 'jobs.derivation';

const derivedColumns = [
	'enqueue_time', 'enqueued_at', 'job_type', 'event_type', 'full_command', 'parameters', 'model_version', 'aspect_ratio',
	'stylize', 'chaos', 'weird', 'quality', 'width', 'height', 'batch_size', 'parent_id', 'parent_grid', 'rating', 'is_video',
] as const;

/** Rows per transaction: a crash part-way keeps what was done; the next open finishes (rows already right are skipped). */
const chunkRows = 2000;

type StoredRow = Pick<JobRow, (typeof derivedColumns)[number] | 'id' | 'prompt' | 'raw' | 'source'> & {rowid: number};

/**
 * Bring every row's derived columns up to this build's derivation, if the
 * archive says they are older. Rows keep their rowid (jobs_fts shares it);
 * the prompt is only written where it changed, so the full-text index is
 * touched only for those rows. Returns how many rows changed.
 */
export function rederiveJobColumns(db: Database.Database): number {
	const meta = new Meta(db);
	if (meta.get(derivationMetaKey) === jobDerivationVersion) return 0;
	const select = db.prepare(`SELECT rowid, id, prompt, raw, source, ${derivedColumns.join(', ')} FROM jobs WHERE rowid < ? ORDER BY rowid DESC LIMIT ?`);
	const update = db.prepare(`UPDATE jobs SET ${derivedColumns.map(column => `${column} = :${column}`).join(', ')} WHERE id = :id`);
	const updatePrompt = db.prepare('UPDATE jobs SET prompt = ? WHERE id = ?');
	let changed = 0;
	let below = Number.MAX_SAFE_INTEGER;
	const step = db.transaction((): boolean => {
		const rows = select.all(below, chunkRows) as StoredRow[];
		for (const row of rows) {
			let job: ApiJob;
			try {
				job = JSON.parse(row.raw) as ApiJob;
			} catch (error) {
				throw new MjError(`The archive's job ${row.id} holds raw JSON that no longer parses (${(error as Error).message}).`, {exitCode: ExitCode.dataError, cause: error});
			}
			const derived = jobRowFromApi({...job, id: row.id}, row.source as JobSource, 0);
			const differs = derivedColumns.some(column => derived[column] !== row[column]);
			if (differs) update.run({...Object.fromEntries(derivedColumns.map(column => [column, derived[column]])), id: row.id});
			if (derived.prompt !== row.prompt) updatePrompt.run(derived.prompt, row.id);
			if (differs || derived.prompt !== row.prompt) changed++;
		}

		if (rows.length > 0) below = rows.at(-1)!.rowid;
		return rows.length === chunkRows;
	});
	while (step.immediate()) {
		// Next chunk.
	}

	meta.set(derivationMetaKey, jobDerivationVersion);
	return changed;
}
