/**
 * Sixel encoding on a worker thread, started with the first sixel picture and
 * unreferenced while idle (it never keeps the app from exiting). The worker
 * runs the source text of the same encoder the main thread has (sixel.ts).
 */
import {Worker} from 'node:worker_threads';
import type {RgbImage} from './renderers.js';
import {sixelEncoder} from './sixel.js';
import {lowestPriority} from './thread-priority.js';

// Evaluated in the worker: the encoder's own text. Under tsx (tests) that text calls esbuild's `__name` (keepNames), defined here as a no-op.
// On Linux the worker lowers its own thread's priority (nice is per thread there; elsewhere it would be the whole app's), as thread-priority.ts does for libvips.
const workerSource = `
const __name = (target) => target;
if (process.platform === 'linux') try { require('node:os').setPriority(${lowestPriority}); } catch {}
const {parentPort} = require('node:worker_threads');
const {encodeSixel} = (${sixelEncoder.toString()})();
parentPort.on('message', ({id, image, paletteSize}) => {
	try {
		parentPort.postMessage({id, escape: encodeSixel(image, paletteSize)});
	} catch (error) {
		parentPort.postMessage({id, error: String((error && error.message) || error)});
	}
});
`;

type Answer = {id: number; escape: string; error?: undefined} | {id: number; error: string};
type Waiter = {resolve: (escape: string) => void; reject: (error: Error) => void};

export class SixelThread {
	#current: {worker: Worker; waiting: Map<number, Waiter>} | undefined;
	#nextId = 0;

	/** The DCS sequence that draws `image` (what encodeSixel returns), made on the worker. */
	encode(image: RgbImage, paletteSize = 256): Promise<string> {
		const {worker, waiting} = (this.#current ??= this.#start());
		const id = this.#nextId++;
		if (waiting.size === 0) worker.ref();
		const answer = new Promise<string>((resolve, reject) => waiting.set(id, {resolve, reject}));
		worker.postMessage({id, image: {width: image.width, height: image.height, data: image.data}, paletteSize});
		return answer;
	}

	/** Stop the worker; encodings still running fail. */
	async close(): Promise<void> {
		const current = this.#current;
		this.#current = undefined;
		await current?.worker.terminate();
	}

	#start(): {worker: Worker; waiting: Map<number, Waiter>} {
		const worker = new Worker(workerSource, {eval: true});
		const waiting = new Map<number, Waiter>();
		const started = {worker, waiting};
		worker.on('message', (answer: Answer) => {
			const waiter = waiting.get(answer.id);
			waiting.delete(answer.id);
			if (waiting.size === 0) worker.unref();
			if (answer.error === undefined) waiter?.resolve(answer.escape);
			else waiter?.reject(new Error(`encoding the sixel picture: ${answer.error}`));
		});
		const failAll = (reason: string): void => {
			for (const waiter of waiting.values()) waiter.reject(new Error(`encoding the sixel picture: ${reason}`));
			waiting.clear();
		};
		worker.on('error', (error: {message?: string}) => failAll(String(error?.message ?? error)));
		worker.on('exit', (code) => {
			failAll(`the encoding thread stopped (exit code ${code})`);
			// The next picture starts a new worker.
			if (this.#current === started) this.#current = undefined;
		});
		return started;
	}
}

/** The app's one sixel thread. */
export const sixelThread = new SixelThread();
