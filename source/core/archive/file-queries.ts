/**
 * Downloaded files with the job fields written beside them: what the
 * "after files are done" pass (XMP sidecars, file times) and the MCP server's
 * image resources read. Read-only: nothing here writes.
 */
import type Database from 'better-sqlite3';
import {likedNowSql} from './likes.js';
import {StatementCache} from './statements.js';

/** One downloaded file and what its sidecar says about its job. */
export interface DoneFile {
	/** The image row's id. */
	id: number;
	jobId: string;
	/** The file's index within its job (0-3 for a grid's images). */
	index: number;
	variant: string;
	/** As stored: relative to the archive, absolute only for files imported in place. */
	path: string;
	sha256: string | null;
	bytes: number | null;
	/** The image row whose file this one is hard-linked to (same content), or null. */
	duplicateOf: number | null;
	enqueuedAt: number;
	jobType: string;
	eventType: string;
	prompt: string;
	fullCommand: string;
	/** JSON object of the parsed Midjourney parameters. */
	parameters: string;
	modelVersion: string | null;
	aspectRatio: string | null;
	rating: number | null;
	/** JSON array from the API's `personalization_codes`, or null when absent. */
	personalizationCodes: string | null;
	/** 1 when the account liked the job (schema 5), else 0. */
	liked: number;
}

/**
 * The URI naming one archived file, as the MCP server serves it and sidecars
 * record it: `mj-tui://job/<id>/<index>` for the PNG, `.../<index>/<variant>` for
 * any other rendition (webp, grid, mp4).
 */
export function fileUri(file: Pick<DoneFile, 'jobId' | 'index' | 'variant'>): string {
	const base = `mj-tui://job/${encodeURIComponent(file.jobId)}/${file.index}`;
	return file.variant === 'png' ? base : `${base}/${encodeURIComponent(file.variant)}`;
}

const doneFileColumns = `i.id AS id, j.id AS jobId, i.idx AS "index", i.variant AS variant, i.path AS path, i.sha256 AS sha256, i.bytes AS bytes, i.duplicate_of AS duplicateOf,
	j.enqueued_at AS enqueuedAt, j.job_type AS jobType, j.event_type AS eventType, j.prompt AS prompt, j.full_command AS fullCommand,
	j.parameters AS parameters, j.model_version AS modelVersion, j.aspect_ratio AS aspectRatio, j.rating AS rating,
	json_extract(CASE WHEN json_valid(j.raw) THEN j.raw END, '$.personalization_codes') AS personalizationCodes,
	${likedNowSql} AS liked`;

const doneFilesOnly = `i.status = 'done' AND i.path IS NOT NULL`;

export class FileQueries {
	readonly #statements: StatementCache;

	constructor(db: Database.Database) {
		this.#statements = new StatementCache(db);
	}

	/**
	 * Up to `limit` downloaded files with an id above `afterId`, in id order (a
	 * keyset page), whose file or whose job changed at or after `changedSince`
	 * (epoch ms; 0 for all): a run's new files, and older files of jobs a sync updated.
	 */
	donePage(changedSince: number, afterId: number, limit: number): DoneFile[] {
		return this.#statements
			.get(
				`SELECT ${doneFileColumns} FROM images i JOIN jobs j ON j.id = i.job_id
				WHERE ${doneFilesOnly} AND i.id > ? AND (i.updated_at >= ? OR j.updated_at >= ?) ORDER BY i.id LIMIT ?`,
			)
			.all(afterId, changedSince, changedSince, limit) as DoneFile[];
	}

	/** A job's downloaded files, by index then variant. */
	doneOfJob(jobId: string): DoneFile[] {
		return this.#statements
			.get(`SELECT ${doneFileColumns} FROM images i JOIN jobs j ON j.id = i.job_id WHERE ${doneFilesOnly} AND i.job_id = ? ORDER BY i.idx, i.variant`)
			.all(jobId) as DoneFile[];
	}

	/** The newest jobs' downloaded files, newest job first: a bounded listing for clients that browse. */
	newestDone(limit: number): DoneFile[] {
		return this.#statements
			.get(`SELECT ${doneFileColumns} FROM images i JOIN jobs j ON j.id = i.job_id WHERE ${doneFilesOnly} ORDER BY j.enqueued_at DESC, j.id, i.idx, i.variant LIMIT ?`)
			.all(limit) as DoneFile[];
	}
}
