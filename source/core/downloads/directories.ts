/**
 * Directory work shared by every transfer: each folder is created once (not
 * once per file), and directory fsyncs after renames are coalesced: a sync
 * that starts after a rename covers every rename made before it, so sixteen
 * files landing in one folder cost one or two fsyncs, not sixteen.
 */
import fs from 'node:fs';
import path from 'node:path';

export class Directories {
	readonly #made = new Set<string>();
	readonly #syncs = new Map<string, {running: Promise<void>; next?: Promise<void>}>();

	/**
	 * mkdir -p, remembered. Each folder it creates is made durable in its parent
	 * (an fsync of the parent): a file's own folder fsync after its rename
	 * covers the file's entry, not a new folder's entry above it.
	 */
	async ensure(directory: string): Promise<void> {
		if (this.#made.has(directory)) return;
		const first = await fs.promises.mkdir(directory, {recursive: true});
		if (first !== undefined) {
			// The folders made, from `first` down to `directory`.
			const top = path.resolve(first);
			const created = [path.resolve(directory)];
			while (created[0] !== top && path.dirname(created[0]!) !== created[0]) created.unshift(path.dirname(created[0]!));
			await Promise.all(created.map((made) => this.sync(path.dirname(made))));
		}
		this.#made.add(directory);
	}

	/** Forget that `directory` exists (it was removed behind our back). */
	forget(directory: string): void {
		this.#made.delete(directory);
	}

	/** Resolves once an fsync of `directory` that began after this call has finished. */
	async sync(directory: string): Promise<void> {
		const state = this.#syncs.get(directory);
		if (!state) {
			const running = fsyncDirectory(directory).finally(() => this.#advance(directory));
			this.#syncs.set(directory, {running});
			return running;
		}
		// One is running and may have started before our rename: join (or queue) the one after it.
		state.next ??= state.running.catch(() => {}).then(() => fsyncDirectory(directory));
		return state.next;
	}

	#advance(directory: string): void {
		const state = this.#syncs.get(directory);
		if (!state) return;
		if (!state.next) {
			this.#syncs.delete(directory);
			return;
		}
		const running = state.next.finally(() => this.#advance(directory));
		running.catch(() => {});
		this.#syncs.set(directory, {running});
	}
}

/** Make a rename durable: the directory entry itself must reach the disk. */
export async function fsyncDirectory(directory: string): Promise<void> {
	const handle = await fs.promises.open(directory, 'r');
	try {
		await handle.sync();
	} catch (error) {
		// Some filesystems refuse fsync on directories; the rename is still atomic.
		if (!['EINVAL', 'EISDIR', 'EPERM', 'ENOTSUP'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
	} finally {
		await handle.close();
	}
}
