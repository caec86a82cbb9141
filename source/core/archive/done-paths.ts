/**
 * The downloaded files of many jobs, looked up on a second thread. Finding a
 * job's done images is one index seek per job (~6 µs at 1,000,000 jobs,
 * twice what reading the job row costs), so the csv export hands each page's
 * job ids to this worker and formats the previous page meanwhile: the two
 * halves of the work run on two cores (bench:tools, csv 82k → >100k jobs/s).
 *
 * The worker opens its own read-only connection, so it may see a slightly
 * newer archive than the page it answers for (a file that finished
 * downloading in between); pages already come from separate reads, and ids,
 * not positions, tie the answers to the jobs.
 */
import {createRequire} from 'node:module';
import {Worker} from 'node:worker_threads';

/** One statement for a whole page: json_each turns the id list into rows, in order. */
const donePathsSql = `SELECT (SELECT group_concat(i.path, ';') FROM images i WHERE i.job_id = e.value AND i.status = 'done' AND i.path IS NOT NULL)
	FROM json_each(?) e ORDER BY e.key`;

// Plain JavaScript evaluated in the worker: a file next to this one would be .ts under tsx (which workers
// cannot load) and .js once built. better-sqlite3 is required by the path this module resolves.
const workerSource = `
const {parentPort, workerData} = require('node:worker_threads');
const Database = require(workerData.sqlite);
const db = new Database(workerData.file, {readonly: true, fileMustExist: true});
const statement = db.prepare(workerData.sql).pluck();
parentPort.on('message', ids => parentPort.postMessage(statement.all(ids)));
`;

/** Each job's done paths joined by `;`, null when it has none. */
export type DonePaths = Array<string | null>;

export class DonePathsWorker {
	readonly #worker: Worker;
	/** Answers come back in the order asked. */
	readonly #waiting: Array<{resolve: (paths: DonePaths) => void; reject: (error: Error) => void}> = [];
	/** Why the worker is gone, once it is: later lookups fail at once instead of waiting for an answer that never comes. */
	#failure: Error | undefined;

	/** `file`: the archive database (the store's own connection stays with the caller's thread). */
	constructor(file: string) {
		const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
		this.#worker = new Worker(workerSource, {eval: true, workerData: {sqlite, file, sql: donePathsSql}});
		this.#worker.on('message', (paths: DonePaths) => this.#waiting.shift()?.resolve(paths));
		// What the worker throws arrives as a plain clone (not an Error of this thread): wrap it, keep it as the cause.
		const failAll = (reason: string, cause?: unknown) => {
			this.#failure ??= new Error(`reading image paths for the export: ${reason}`, {cause});
			for (const waiter of this.#waiting.splice(0)) waiter.reject(this.#failure);
		};
		this.#worker.on('error', (error: {message?: string}) => failAll(String(error?.message ?? error), error));
		this.#worker.on('exit', code => failAll(`the worker stopped (exit code ${code})`));
	}

	/** The done paths of these jobs, in the same order. */
	lookup(ids: readonly string[]): Promise<DonePaths> {
		if (this.#failure) return Promise.reject(this.#failure);
		const answer = new Promise<DonePaths>((resolve, reject) => {
			this.#waiting.push({resolve, reject});
		});
		this.#worker.postMessage(JSON.stringify(ids));
		// Asked ahead of use: if the worker fails, the caller sees the error where it awaits, not as an unhandled rejection.
		answer.catch(() => undefined);
		return answer;
	}

	async close(): Promise<void> {
		await this.#worker.terminate();
	}
}
