/**
 * Temp files: every writer that builds a file beside its target and renames
 * it into place names the temp here, `<target>.mj-tui-<purpose>-<pid>.tmp`,
 * so a temp left by a killed process is recognisable (not an orphan) and is
 * removed by the next run or `clean`, while a live process's temps (its pid
 * still runs) are left alone.
 */
import {lstat, readdir, rm} from 'node:fs/promises';
import path from 'node:path';
import {processAlive} from './archive/claims.js';
import type {ArchiveStore} from './archive/store.js';
import {walkFiles} from './file-walk.js';

/** What wrote a temp: shown when it is reported or removed. */
export type TempPurpose = 'import' | 'embed' | 'export' | 'thumbnail' | 'metrics' | 'config';

/** The temp file for `target`, written by this process. */
export function temporaryPathFor(target: string, purpose: TempPurpose): string {
	return `${target}.mj-tui-${purpose}-${process.pid}.tmp`;
}

/** Today's names, then the names earlier versions used (`.import-<pid>.tmp`, `.embed-<pid>.tmp`). */
const temporaryNames = [/\.mj-tui-([a-z]+)-(\d+)\.tmp$/, /\.(import|embed)-(\d+)\.tmp$/];

/** The purpose and writer's pid when `name` is one of mj-tui's temp files. */
export function temporaryFileOwner(name: string): {purpose: string; pid: number} | undefined {
	for (const pattern of temporaryNames) {
		const match = pattern.exec(name);
		if (match) return {purpose: match[1]!, pid: Number(match[2])};
	}
	return undefined;
}

/** True when `name` is an mj-tui temp whose writing process has ended. */
export function isStaleTemporary(name: string): boolean {
	const owner = temporaryFileOwner(name);
	return owner !== undefined && (owner.pid === process.pid ? false : !processAlive(owner.pid));
}

export interface StaleTemporary {
	/** Relative to the folder searched, `/`-separated. */
	path: string;
	bytes: number;
	purpose: string;
}

/** Folders of an archive that hold no finished files: partials, quarantined copies. */
const notSearched = new Set(['.parts', '.quarantine']);

/** Stale temps anywhere under `root` (symlinks not followed; .parts and .quarantine skipped). */
export async function* findStaleTemporaries(root: string): AsyncGenerator<StaleTemporary> {
	for await (const relative of walkFiles(root, root, notSearched)) {
		const name = path.posix.basename(relative);
		if (!isStaleTemporary(name)) continue;
		const info = await lstat(path.join(root, relative)).catch(() => undefined);
		if (info) yield {path: relative, bytes: info.size, purpose: temporaryFileOwner(name)!.purpose};
	}
}

/** Remove the stale temps under `root` (or only list them with dryRun); returns what was (or would be) removed. */
export async function removeStaleTemporaries(root: string, options: {dryRun?: boolean} = {}): Promise<StaleTemporary[]> {
	const found: StaleTemporary[] = [];
	for await (const temporary of findStaleTemporaries(root)) {
		if (!options.dryRun) await rm(path.join(root, temporary.path), {force: true});
		found.push(temporary);
	}
	return found;
}

/** Remove stale temps that sit beside `target` (one folder, not a walk): export's and metrics' own leftovers. */
export async function removeStaleSiblings(target: string): Promise<void> {
	const dir = path.dirname(target);
	const base = path.basename(target);
	const names = await readdir(dir).catch(() => [] as string[]);
	for (const name of names) {
		if (name.startsWith(base) && isStaleTemporary(name)) await rm(path.join(dir, name), {force: true});
	}
}

/**
 * Run `work`, which writes temps into the archive, under a marker naming this
 * process; first sweep the temps of earlier writers that ended without
 * removing their marker (killed). Without such a marker no walk is made.
 */
export async function writingArchiveTemps<T>(store: ArchiveStore, purpose: TempPurpose, work: () => Promise<T>): Promise<T> {
	if (endedWriters(store).length > 0) await sweepArchiveTemps(store);
	store.tempMarkers.mark(process.pid, purpose);
	const result = await work();
	// Only after a normal end: after an error the marker stays and the next run sweeps, to be sure.
	store.tempMarkers.unmark(process.pid);
	return result;
}

/** Pids of processes that marked themselves as writing temps and have ended since. */
function endedWriters(store: ArchiveStore): number[] {
	return store.tempMarkers.pids().filter(pid => pid !== process.pid && !processAlive(pid));
}

/** Remove the archive's stale temps (or only list them) and, unless listing, forget the ended writers' markers. */
export async function sweepArchiveTemps(store: ArchiveStore, options: {dryRun?: boolean} = {}): Promise<StaleTemporary[]> {
	const ended = endedWriters(store);
	const removed = await removeStaleTemporaries(store.dir, options);
	if (!options.dryRun) for (const pid of ended) store.tempMarkers.unmark(pid);
	return removed;
}
