/**
 * The perceptual hashes of the files a download run finishes, made beside
 * the run without slowing it: one file at a time, decoded in a nice-19 child
 * process (low-priority-decoder.ts), so the transfers always come first.
 *
 * The run does not wait for a long backlog: once its transfers are over it
 * hashes at most `tail` more files, for at most 2 s (what a run from the real
 * CDN, whose files arrive slower than they decode, usually has left) and
 * stops; Ctrl-C stops it at once. What is left
 * is counted in the run's summary and filled in by `verify`; `similar` hashes
 * a job's own unhashed images on the fly. Trade-off and figures:
 * docs/benchmarks.md, "Fifth session".
 */
import type {UnhashedFile} from '../archive/perceptual-hashes.js';
import type {ArchiveStore} from '../archive/store.js';
import {hashRecordOf, type HashFillSummary} from './fill-hashes.js';
import {LowPriorityDecoder} from './low-priority-decoder.js';

/** What the background hashing of one run did, and how many of the run's files it left unhashed. */
export interface BackgroundHashSummary extends HashFillSummary {
	left: number;
}

/** Files the run waits for once its transfers are over (a fraction of a second of one core). */
export const defaultTail = 16;
/** The longest the run waits for that tail. */
export const defaultTailMs = 2000;
/** Records are stored this many at a time (one transaction each). */
const pageSize = 16;

export class BackgroundHasher {
	readonly #store: ArchiveStore;
	readonly #decoder = new LowPriorityDecoder();
	#aborted = false;
	/** The run's recorded files not hashed yet, oldest first. */
	#queued: number[] = [];
	/** Files still allowed once finish() began; unlimited while the transfers run. */
	#budget = Number.POSITIVE_INFINITY;
	#running: Promise<void> | undefined;
	readonly #summary: HashFillSummary = {hashed: 0, unhashable: 0, unreadable: 0};

	constructor(store: ArchiveStore) {
		this.#store = store;
	}

	/** Hash these finished files soon (the engine hands them over once recorded). */
	add(imageIds: readonly number[]): void {
		this.#queued.push(...imageIds);
		this.#running ??= this.#run().finally(() => {
			this.#running = undefined;
		});
	}

	/**
	 * The transfers are over: hash at most `tail` more files, for at most `maxMs` (at nice 19 on a box busy with
	 * other work a decode can wait long for the CPU), then stop; resolves with what was done and left.
	 */
	async finish(tail = defaultTail, maxMs = defaultTailMs): Promise<BackgroundHashSummary> {
		this.#budget = tail;
		const deadline = setTimeout(() => this.#abort(), maxMs);
		try {
			return await this.#end();
		} finally {
			clearTimeout(deadline);
		}
	}

	/** Stop now (Ctrl-C, a fatal error): the file in hand is left too; resolves with what was done and left. */
	async stop(): Promise<BackgroundHashSummary> {
		this.#abort();
		return this.#end();
	}

	/** Nothing more is hashed; the decode in hand is abandoned (the child ends), so stopping never waits for the CPU. */
	#abort(): void {
		this.#aborted = true;
		this.#decoder.close();
	}

	async #end(): Promise<BackgroundHashSummary> {
		while (this.#running) await this.#running;
		this.#decoder.close();
		return {...this.#summary, left: this.#queued.length};
	}

	async #run(): Promise<void> {
		while (this.#queued.length > 0 && !this.#aborted && this.#budget > 0) {
			const ids = this.#queued.splice(0, pageSize);
			try {
				const page = this.#store.perceptualHashes.unhashedAmong(ids);
				const processed = await this.#hashPage(page);
				// Files not reached (stopped, or the tail used up) go back to the front: they are what is left.
				const notReached = new Set(page.slice(processed).map((file) => file.imageId));
				this.#queued.unshift(...ids.filter((id) => notReached.has(id)));
			} catch {
				// Hashing is a by-product of downloading: a failure here (a full disk, a closed archive) must not fail
				// the files. The page stays unhashed, reported as left (verify fills it in); the rest is not tried.
				this.#queued.unshift(...ids);
				return;
			}
		}
	}

	/** Hash the page's files in order until stopped or out of budget; stores the records; returns how many it reached. */
	async #hashPage(page: readonly UnhashedFile[]): Promise<number> {
		const records = [];
		let reached = 0;
		for (const file of page) {
			if (this.#aborted || this.#budget <= 0) break;
			this.#budget--;
			reached++;
			const record = await hashRecordOf(this.#store, file, (absolute) => this.#decoder.hashFile(absolute));
			// Stopped while this one was decoded: it is left, not unreadable.
			if (this.#aborted && record === undefined) {
				reached--;
				break;
			}
			if (record === undefined) this.#summary.unreadable++;
			else records.push(record);
		}
		if (!this.#store.images.isOpen) return reached;
		this.#store.perceptualHashes.record(records);
		for (const record of records) {
			if (record.hash === null) this.#summary.unhashable++;
			else this.#summary.hashed++;
		}
		return reached;
	}
}
