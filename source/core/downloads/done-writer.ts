/**
 * Finished files are written to the images table behind, in batches (one
 * transaction per ~50 ms or 256 files, not one WAL commit per file). A crash
 * before a flush leaves complete files that recover.ts records on the next run.
 */
import type {DoneRecord, ImagesTable} from '../archive/images.js';

const flushAfterMs = 50;
const flushAtCount = 256;

export class DoneWriter {
	readonly #images: ImagesTable;
	/** Called with an error a flush met (a full disk): flushes run from timers, where throwing would crash the process. */
	readonly #onError: (error: unknown) => void;
	#buffer: Array<{id: number} & DoneRecord> = [];
	#timer?: NodeJS.Timeout;
	/** Told the image ids of each flushed batch (perceptual hashing, off the engine's path). */
	readonly #onRecorded?: (imageIds: number[]) => void;

	constructor(images: ImagesTable, onError: (error: unknown) => void, onRecorded?: (imageIds: number[]) => void) {
		this.#images = images;
		this.#onError = onError;
		this.#onRecorded = onRecorded;
	}

	/** Record a finished file (soon). */
	add(record: {id: number} & DoneRecord): void {
		this.#buffer.push(record);
		if (this.#buffer.length >= flushAtCount) this.flush();
		else this.#timer ??= setTimeout(() => this.flush(), flushAfterMs);
	}

	/** Write what is buffered now. Never throws: errors go to onError (the files stay complete on disk). */
	flush(): void {
		clearTimeout(this.#timer);
		this.#timer = undefined;
		// A transfer that outlived stop() can finish after the caller closed the archive: its file is complete
		// on disk and recover.ts records it on the next run, so dropping the write here loses nothing.
		if (this.#buffer.length === 0 || !this.#images.isOpen) return;
		const records = this.#buffer;
		this.#buffer = [];
		try {
			this.#images.markDone(records);
		} catch (error) {
			this.#onError(error);
			return;
		}
		this.#onRecorded?.(records.map((record) => record.id));
	}

	/** True when a finished file, flushed or not, uses `relative`. */
	pathTaken(relative: string): boolean {
		return this.#buffer.some((r) => r.path === relative) || this.#images.pathTaken(relative);
	}

	/** Identical content already archived, including files finished but not yet flushed to the table. */
	findOriginal(sha256: string, exceptId: number): {id: number; path: string} | undefined {
		const buffered = this.#buffer.find((r) => r.sha256 === sha256 && r.duplicateOf === null && r.id !== exceptId);
		return buffered ? {id: buffered.id, path: buffered.path} : this.#images.duplicateSource(sha256, exceptId);
	}
}
