/**
 * SHA-256 of finished files read back from disk, on a worker thread or the
 * main thread. With more than one core, hashing each chunk as it arrived took
 * a quarter of the main thread (~0.7 s per GB even with SHA-NI), the thread
 * that also parses HTTP and drives every transfer: the worker reads the file
 * from the page cache on the other core. With one core the worker buys
 * nothing and the read-back is one copy more, so fresh transfers hash their
 * bytes as they are written instead (transfer.ts, hashWhileReceivingByDefault).
 * Read-back still covers the prefix of a resumed partial and a file found
 * complete after a crash.
 */
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import {availableParallelism} from 'node:os';
import {Worker} from 'node:worker_threads';

// Plain JavaScript evaluated in the worker: a file next to this one would be .ts under tsx (which workers
// cannot load) and .js once built (as in archive/done-paths.ts).
const workerSource = `
const {parentPort} = require('node:worker_threads');
const {createHash} = require('node:crypto');
const fs = require('node:fs');
const buffer = Buffer.allocUnsafe(1024 * 1024);
parentPort.on('message', ({id, file}) => {
	let fd;
	try {
		fd = fs.openSync(file, 'r');
		const hash = createHash('sha256');
		let bytes = 0;
		for (let n; (n = fs.readSync(fd, buffer, 0, buffer.length, bytes)) > 0; bytes += n) hash.update(buffer.subarray(0, n));
		parentPort.postMessage({id, sha256: hash.digest('hex'), bytes});
	} catch (error) {
		parentPort.postMessage({id, error: String((error && error.message) || error)});
	} finally {
		if (fd !== undefined) fs.closeSync(fd);
	}
});
`;

type Answer = {id: number; sha256: string; bytes: number; error?: undefined} | {id: number; error: string};
type Waiter = {resolve: (result: {sha256: string; bytes: number}) => void; reject: (error: Error) => void};

/**
 * Whether fresh transfers hash their bytes as they arrive (transfer.ts) rather than have them read back here:
 * with one core (or hashing on the main thread anyway) the worker buys nothing and the read-back is a copy more.
 */
export function hashWhileReceivingByDefault(options: {hashOnMainThread?: boolean}): boolean {
	return options.hashOnMainThread === true || availableParallelism() === 1;
}

/** The file's sha256 and size as it is on disk now; FileHasher (worker thread) or MainThreadHasher. */
export interface FileHashing {
	hash(file: string): Promise<{sha256: string; bytes: number}>;
	close(): Promise<void>;
}

export class FileHasher implements FileHashing {
	#current: {worker: Worker; waiting: Map<number, Waiter>} | undefined;
	#nextId = 0;

	/** The file's sha256 and size as it is on disk now. */
	hash(file: string): Promise<{sha256: string; bytes: number}> {
		if (!this.#current) {
			const started = startWorker(() => {
				if (this.#current === started) this.#current = undefined;
			});
			this.#current = started;
		}
		const {worker, waiting} = this.#current;
		const id = this.#nextId++;
		// An idle worker must not keep the process alive; one with work must (nothing else may be pending meanwhile).
		if (waiting.size === 0) worker.ref();
		const answer = new Promise<{sha256: string; bytes: number}>((resolve, reject) => waiting.set(id, {resolve, reject}));
		worker.postMessage({id, file});
		return answer;
	}

	/** Stop the worker; hashes still running fail. */
	async close(): Promise<void> {
		const current = this.#current;
		this.#current = undefined;
		await current?.worker.terminate();
	}
}

/** A worker and its unanswered requests; `gone` runs when it exits (closed or crashed), after they were failed. */
function startWorker(gone: () => void): {worker: Worker; waiting: Map<number, Waiter>} {
	const worker = new Worker(workerSource, {eval: true});
	const waiting = new Map<number, Waiter>();
	worker.on('message', (answer: Answer) => {
		const waiter = waiting.get(answer.id);
		waiting.delete(answer.id);
		if (waiting.size === 0) worker.unref();
		if (answer.error === undefined) waiter?.resolve({sha256: answer.sha256, bytes: answer.bytes});
		else waiter?.reject(new Error(`hashing the downloaded file: ${answer.error}`));
	});
	const failAll = (reason: string, cause?: unknown): void => {
		const error = new Error(`hashing the downloaded file: ${reason}`, {cause});
		for (const waiter of waiting.values()) waiter.reject(error);
		waiting.clear();
	};
	worker.on('error', (error: {message?: string}) => failAll(String(error?.message ?? error), error));
	worker.on('exit', (code) => {
		failAll(`the hashing thread stopped (exit code ${code})`);
		gone();
	});
	return {worker, waiting};
}

/**
 * The same on the calling thread, 1 MiB at a time (the event loop runs between
 * reads). For the interactive app: it downloads at a person's pace, where
 * hashing costs the main thread ~0.7 ms per MiB, and a worker thread would
 * cost it ~11 MiB of memory (bench:tui).
 */
export class MainThreadHasher implements FileHashing {
	async hash(file: string): Promise<{sha256: string; bytes: number}> {
		let handle: fs.promises.FileHandle | undefined;
		try {
			handle = await fs.promises.open(file, 'r');
			const hash = createHash('sha256');
			const buffer = Buffer.allocUnsafe(1024 * 1024);
			let bytes = 0;
			for (let read; (read = (await handle.read(buffer, 0, buffer.length, bytes)).bytesRead) > 0; bytes += read) {
				hash.update(buffer.subarray(0, read));
			}
			return {sha256: hash.digest('hex'), bytes};
		} catch (error) {
			throw new Error(`hashing the downloaded file: ${(error as Error).message}`, {cause: error});
		} finally {
			await handle?.close();
		}
	}

	async close(): Promise<void> {}
}
