/**
 * Perceptual hashes made beside a download run without taking CPU from it:
 * the PNG decode (~4x the engine's whole work per file on one core) runs in
 * a child process at the lowest scheduling priority (nice 19), one file at a
 * time. While transfers keep the core busy the kernel gives the child only
 * what is left (on Linux ~1.5% of a contended core); on an idle core, or a
 * second core, it runs at full speed. A worker thread could not do this:
 * sharp decodes on libuv's and libvips' threads, shared with the transfers'
 * file writes, and their priority is the process's.
 *
 * The child answers the 9x8 grey thumbnail; the parent turns it into the hash
 * with the same dHashOfThumbnail as perceptual-hash.ts, whose sharp pipeline
 * the child mirrors (test/core/similar/fill-hashes.test.ts checks both agree).
 */
import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process';
import readline from 'node:readline';
import {dHashOfThumbnail, type HashOutcome} from './perceptual-hash.js';

// Plain JavaScript run by `node -e` (a file next to this one would be .ts under tsx and bundled away once built).
const childSource = `
const os = require('node:os');
const fs = require('node:fs');
// Before sharp starts a thread: libuv's pool and libvips' threads inherit the nice value of the thread that makes
// them. On Linux the nice value is per thread, so V8's threads (already running) are lowered one by one.
try { os.setPriority(19); } catch {}
try { for (const tid of fs.readdirSync('/proc/self/task')) os.setPriority(Number(tid), 19); } catch {}
const readline = require('node:readline');
(async () => {
	const {default: sharp} = await import(process.argv[1]);
	sharp.concurrency(1);
	sharp.cache(false);
	for await (const line of readline.createInterface({input: process.stdin})) {
		const {id, file} = JSON.parse(line);
		let answer;
		try {
			const bytes = fs.readFileSync(file);
			try {
				const {data, info} = await sharp(bytes, {failOn: 'error'}).rotate().removeAlpha().greyscale()
					.resize(9, 8, {fit: 'fill'}).raw().toBuffer({resolveWithObject: true});
				answer = {id, pixels: data.toString('base64'), channels: info.channels};
			} catch (error) {
				answer = {id, unhashable: String((error && error.message) || error).split('\\n', 1)[0].slice(0, 200)};
			}
		} catch (error) {
			answer = {id, error: String((error && error.message) || error), code: error && error.code};
		}
		process.stdout.write(JSON.stringify(answer) + '\\n');
	}
})().catch((error) => {
	process.stderr.write(String((error && error.message) || error) + '\\n');
	process.exit(70);
});
`;

type Answer = {id: number; pixels?: string; channels?: number; unhashable?: string; error?: string; code?: string};
type Waiter = {resolve: (outcome: HashOutcome) => void; reject: (error: Error) => void};

/** Decodes image files in a nice-19 child process; `close()` ends it. */
export class LowPriorityDecoder {
	#child: {process: ChildProcessWithoutNullStreams; waiting: Map<number, Waiter>} | undefined;
	#nextId = 0;

	/** The file's perceptual hash, or why it has none; read errors reject (with the fs error's `code`). */
	hashFile(file: string): Promise<HashOutcome> {
		const child = (this.#child ??= this.#start());
		const id = this.#nextId++;
		if (child.waiting.size === 0) refAll(child.process, true);
		const answer = new Promise<HashOutcome>((resolve, reject) => child.waiting.set(id, {resolve, reject}));
		child.process.stdin.write(`${JSON.stringify({id, file})}\n`);
		return answer;
	}

	/** The child's process id while it runs (its priority is what the tests check). */
	get pid(): number | undefined {
		return this.#child?.process.pid;
	}

	/** End the child; decodes still waiting fail. */
	close(): void {
		const child = this.#child;
		this.#child = undefined;
		if (!child) return;
		child.process.stdin.end();
		child.process.kill();
	}

	#start(): {process: ChildProcessWithoutNullStreams; waiting: Map<number, Waiter>} {
		const child = spawn(process.execPath, ['-e', childSource, import.meta.resolve('sharp')], {stdio: 'pipe'});
		const waiting = new Map<number, Waiter>();
		const started = {process: child, waiting};
		let stderr = '';
		child.stderr.on('data', (chunk: Buffer) => {
			stderr = (stderr + chunk.toString('utf8')).slice(-500);
		});
		readline.createInterface({input: child.stdout}).on('line', (line) => {
			const answer = JSON.parse(line) as Answer;
			const waiter = waiting.get(answer.id);
			waiting.delete(answer.id);
			if (waiting.size === 0) refAll(child, false);
			if (answer.error !== undefined) waiter?.reject(Object.assign(new Error(answer.error), {code: answer.code}));
			else if (answer.unhashable !== undefined) waiter?.resolve({kind: 'unhashable', reason: answer.unhashable});
			else waiter?.resolve({kind: 'hash', hash: dHashOfThumbnail(Buffer.from(answer.pixels!, 'base64'), answer.channels)});
		});
		const failAll = (reason: string): void => {
			for (const waiter of waiting.values()) waiter.reject(new Error(`the perceptual hashing process ${reason}`));
			waiting.clear();
			if (this.#child === started) this.#child = undefined;
		};
		child.on('error', (error) => failAll(`could not start: ${error.message}`));
		child.on('exit', (code, signal) => failAll(`stopped (${signal ?? `exit code ${code}`})${stderr ? `: ${stderr.trim()}` : ''}`));
		// A closed pipe (the child gone) must not become an unhandled error in the app.
		child.stdin.on('error', () => {});
		return started;
	}
}

/** A child with work keeps the process alive; an idle one must not. */
function refAll(child: ChildProcessWithoutNullStreams, ref: boolean): void {
	for (const handle of [child, child.stdout, child.stderr, child.stdin] as Array<{ref?: () => void; unref?: () => void}>) {
		if (ref) handle.ref?.();
		else handle.unref?.();
	}
}
