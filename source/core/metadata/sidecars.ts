/**
 * The "after files are done" pass: an `<image>.xmp` sidecar beside each
 * downloaded file (--sidecars, `mj-tui sidecars`) and the file's mtime set to
 * its job's enqueue time (setMtime), so photo managers see the prompt and
 * tags and file browsers sort by when the image was made. Never touches an
 * image's bytes: its sha256 in the archive stays true.
 */
import {closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeSync} from 'node:fs';
import path from 'node:path';
import {fileUri, type DoneFile} from '../archive/file-queries.js';
import type {ArchiveStore} from '../archive/store.js';
import {stripTerminalControls} from '../terminal-text.js';
import {buildSidecarXmp} from './xmp.js';
import {isDiskFull} from '../downloads/disk-full.js';

/** Files per page: the walk holds one page of rows at a time. */
const pageSize = 500;
const yieldEvery = 32;

export interface FinishFilesOptions {
	/** Write or refresh `<image>.xmp` beside each file. */
	sidecars: boolean;
	/** Set each file's mtime to its job's enqueue time. */
	setMtime: boolean;
	/** Only files, or files of jobs, changed at or after this time (epoch ms): what one batch run touched. */
	changedSince?: number;
	signal?: AbortSignal;
}

export interface FinishFilesReport {
	/** Sidecars written or rewritten because the job's metadata changed. */
	sidecarsWritten: number;
	/** Sidecars already saying what the archive says. */
	sidecarsUnchanged: number;
	/** Files whose mtime was set. */
	timesSet: number;
	failed: Array<{path: string; reason: string}>;
}

/** Where a file's sidecar lives: `<image>.xmp`, as darktable, digiKam and exiftool look for it. */
export function sidecarPath(imagePath: string): string {
	return `${imagePath}.xmp`;
}

function words(value: string | true | undefined): string[] {
	return typeof value === 'string' ? value.split(/\s+/).filter(Boolean) : [];
}

/** The keywords of one file: type, model version, aspect ratio, style, sref codes and personalization profiles. */
export function sidecarTags(file: DoneFile): Array<[string, string]> {
	let parameters: Record<string, string | true> = {};
	try {
		parameters = JSON.parse(file.parameters) as Record<string, string | true>;
	} catch {
		// Lenient in what we read: a job without readable parameters still gets its other tags.
	}
	const tags: Array<[string, string]> = [['Type', file.jobType]];
	if (file.modelVersion) tags.push(['Model', file.modelVersion]);
	if (file.aspectRatio) tags.push(['Aspect ratio', file.aspectRatio]);
	const styles = [...words(parameters.style), ...(parameters.raw === undefined ? [] : ['raw'])];
	for (const style of new Set(styles)) tags.push(['Style', style]);
	for (const sref of new Set(words(parameters.sref))) tags.push(['Sref', sref]);
	const profiles = new Set(words(parameters.p));
	try {
		const codes = JSON.parse(file.personalizationCodes ?? 'null') as unknown;
		if (Array.isArray(codes)) for (const entry of codes) if (typeof (entry as {code?: unknown})?.code === 'string') profiles.add((entry as {code: string}).code);
	} catch {
		// Same: an odd personalization_codes field only loses these tags.
	}
	for (const profile of profiles) tags.push(['Profile', profile]);
	return tags.map(([category, value]) => [category, xmlText(value).trim()] as [string, string]).filter(([, value]) => value !== '');
}

/** Text fit for XML 1.0 and a terminal: control sequences and the noncharacters XML forbids removed. */
function xmlText(text: string): string {
	return stripTerminalControls(text).replace(/[\uFFFE\uFFFF]/g, '');
}

/** The sidecar text for one downloaded file. */
export function sidecarXml(file: DoneFile): string {
	return buildSidecarXmp({
		prompt: xmlText(file.prompt),
		fullCommand: xmlText(file.fullCommand),
		identifier: file.jobId,
		documentId: fileUri(file),
		createdAt: file.enqueuedAt,
		rating: file.rating ?? undefined,
		tags: sidecarTags(file),
		liked: file.liked === 1,
	});
}

function readOrUndefined(file: string): string | undefined {
	try {
		return readFileSync(file, 'utf8');
	} catch {
		return undefined;
	}
}

/**
 * Write `text` to `file` atomically: a temp file beside it named with our pid
 * (a crash leaves a recognisable `<name>.<pid>.tmp`), fsync, rename.
 */
function writeAtomically(file: string, text: string): void {
	const temporary = `${file}.${process.pid}.tmp`;
	const fd = openSync(temporary, 'w', 0o644);
	try {
		writeSync(fd, text);
		fsyncSync(fd);
	} finally {
		closeSync(fd);
	}
	try {
		renameSync(temporary, file);
	} catch (error) {
		rmSync(temporary, {force: true});
		throw error;
	}
}

/** Write the sidecar when it is missing or says something else; true when written. */
function refreshSidecar(imageFile: string, file: DoneFile): boolean {
	const target = sidecarPath(imageFile);
	const text = sidecarXml(file);
	if (readOrUndefined(target) === text) return false;
	writeAtomically(target, text);
	return true;
}

/** Set the file's mtime (and atime) to the job's enqueue time; true when it changed. */
function setFileTime(imageFile: string, mtimeMs: number, enqueuedAt: number): boolean {
	// stat reports whole milliseconds through a float (…056.999): compare what utimes can set.
	if (Math.round(mtimeMs) === enqueuedAt) return false;
	const when = new Date(enqueuedAt);
	utimesSync(imageFile, when, when);
	return true;
}

/** Run the pass over the archive's downloaded files (all, or those changed since `changedSince`). */
export async function finishDownloadedFiles(store: ArchiveStore, options: FinishFilesOptions): Promise<FinishFilesReport> {
	const report: FinishFilesReport = {sidecarsWritten: 0, sidecarsUnchanged: 0, timesSet: 0, failed: []};
	if (!options.sidecars && !options.setMtime) return report;
	let lastId = 0;
	for (;;) {
		const page = store.files.donePage(options.changedSince ?? 0, lastId, pageSize);
		if (page.length === 0) break;
		lastId = page.at(-1)!.id;
		for (const [position, file] of page.entries()) {
			// Writing is synchronous: let a signal (or the progress printer) in every few files, not once a page.
			if (position > 0 && position % yieldEvery === 0) await new Promise(resolve => setImmediate(resolve));
			options.signal?.throwIfAborted();
			const absolute = path.isAbsolute(file.path) ? file.path : path.join(store.dir, file.path);
			try {
				// A file gone from disk gets no sidecar of its own: it is a failure `verify --repair` mends.
				const {mtimeMs} = statSync(absolute);
				if (options.sidecars) {
					if (refreshSidecar(absolute, file)) report.sidecarsWritten++;
					else report.sidecarsUnchanged++;
				}
				// A hard-linked duplicate shares its original's inode, so one time: the original's (the first job that made it).
				if (options.setMtime && file.duplicateOf === null && setFileTime(absolute, mtimeMs, file.enqueuedAt)) report.timesSet++;
			} catch (error) {
				// A full disk fails every file after this one too: stop the pass (exit 74) instead of listing them all.
				if (isDiskFull(error)) throw error;
				report.failed.push({path: file.path, reason: (error as Error).message});
			}
		}
		// Let a signal or the progress printer in between pages.
		await new Promise(resolve => setImmediate(resolve));
	}
	return report;
}
