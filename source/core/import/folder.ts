/**
 * `import <folder>`: index images people already have (from the website or
 * other downloaders). Each file's metadata creates or enriches a job row
 * (source 'import'; rows that came from the API are never overwritten) and the
 * file is linked where it is, or copied into the archive with `--copy`.
 *
 * Stored paths: files inside the archive are recorded relative to it, as
 * downloads are; files linked in place outside it are recorded as absolute
 * paths (the only unambiguous way to find them again). Symlinks are not
 * followed, so a folder cannot lead the walk elsewhere.
 */
import {copyFile, mkdir, open, opendir, readFile, rename, rm, stat} from 'node:fs/promises';
import {temporaryPathFor} from '../temp-files.js';
import path from 'node:path';
import type {ArchiveStore} from '../archive/store.js';
import type {Config} from '../config/config.js';
import {renderTemplate, resolveInside, withSuffix} from '../downloads/naming.js';
import type {ApiJob} from '../job.js';
import {sha256File} from '../verify.js';
import {readFileMetadata, type FileMetadata} from '../metadata/file-metadata.js';

const imageExtensions = new Set(['.png', '.jpg', '.jpeg', '.webp']);
/** Files larger than this are not read whole for metadata (a PNG from Midjourney is a few MB). */
const maxFileBytes = 256 * 1024 * 1024;

export type ImportOutcome = 'linked' | 'copied' | 'already-archived' | 'no-metadata' | 'conflict' | 'unreadable';

export interface ImportedFile {
	/** The file as found, relative to the imported folder. */
	file: string;
	outcome: ImportOutcome;
	jobId?: string;
	/** Where each fact came from, e.g. png:Description, xmp:dc:identifier, filename. */
	sources?: string[];
	detail?: string;
}

export interface ImportReport {
	scanned: number;
	linked: number;
	copied: number;
	alreadyArchived: number;
	jobsCreated: number;
	jobsEnriched: number;
	/** Files with no job id anywhere: reported, never guessed. */
	noMetadata: string[];
	files: ImportedFile[];
}

async function* imageFiles(dir: string): AsyncGenerator<string> {
	for await (const entry of await opendir(dir)) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) yield* imageFiles(full);
		else if (entry.isFile() && imageExtensions.has(path.extname(entry.name).toLowerCase())) yield full;
	}
}

/**
 * The job an imported file implies: only what the file states (its command,
 * the time its metadata gives, its pixel size), marked `"source": "file"`.
 * Nothing is invented: no job type, no batch size, and no time when the file
 * states none (the file's mtime says when it was copied, not made).
 */
function jobFromMetadata(meta: FileMetadata & {jobId: string}, fileName: string): ApiJob {
	const job: ApiJob = {id: meta.jobId, source: 'file'};
	if (meta.createdAt !== undefined) job.enqueue_time = meta.createdAt;
	if (meta.fullCommand !== undefined) job.full_command = meta.fullCommand;
	if (meta.width !== undefined) job.width = meta.width;
	if (meta.height !== undefined) job.height = meta.height;
	job.imported_from = {file: fileName, author: meta.author ?? null, sources: meta.sources, digital_source_type: meta.digitalSourceType ?? null};
	return job;
}

/** Copy into the archive atomically (temp + fsync + rename), never over an existing file. */
async function copyIntoArchive(source: string, archiveDir: string, relative: string): Promise<string> {
	let candidate = relative;
	for (let n = 2; ; n++) {
		const target = resolveInside(archiveDir, candidate);
		const exists = await stat(target).then(() => true, () => false);
		if (!exists) {
			await mkdir(path.dirname(target), {recursive: true});
			const temporary = temporaryPathFor(target, 'import');
			try {
				await copyFile(source, temporary);
				const handle = await open(temporary, 'r+');
				await handle.sync();
				await handle.close();
				await rename(temporary, target);
			} catch (error) {
				await rm(temporary, {force: true});
				throw error;
			}
			return candidate;
		}
		candidate = withSuffix(relative, n);
	}
}

/** Variant of the rows for files whose image index nothing states: kept apart from the planned downloads. */
export const unplacedVariant = 'file';

/**
 * Which image row a file fills. Its index comes from its name or metadata; a
 * job with a single image of that kind (an upscale) can only mean that one.
 * Otherwise nothing is guessed: a wrong index would mark another image's
 * planned download done with these bytes, so the file gets a row of its own.
 */
function placeOf(records: ArchiveStore['importRecords'], jobId: string, meta: FileMetadata): {index: number; variant: string; placed: boolean} {
	const variant = meta.format === 'png' ? 'png' : meta.format === 'webp' ? 'webp' : 'url';
	if (meta.index !== undefined) return {index: meta.index, variant, placed: true};
	const known = records.indexesOf(jobId, variant);
	if (known.length === 1) return {index: known[0]!, variant, placed: true};
	return {index: records.nextFreeIndex(jobId, unplacedVariant), variant: unplacedVariant, placed: false};
}

/** Import every PNG/JPEG/WebP under `folder`. */
export async function importFolder(
	store: ArchiveStore,
	config: Config,
	folder: string,
	options: {copy?: boolean; signal?: AbortSignal; onFile?: (file: ImportedFile) => void} = {},
): Promise<ImportReport> {
	const root = path.resolve(folder);
	const archiveDir = path.resolve(store.dir);
	const report: ImportReport = {scanned: 0, linked: 0, copied: 0, alreadyArchived: 0, jobsCreated: 0, jobsEnriched: 0, noMetadata: [], files: []};
	const records = store.importRecords;

	const record = (file: ImportedFile) => {
		report.files.push(file);
		options.onFile?.(file);
	};

	for await (const absolute of imageFiles(root)) {
		options.signal?.throwIfAborted();
		report.scanned++;
		const shown = path.relative(root, absolute).split(path.sep).join('/');
		let bytes: Buffer;
		let info;
		try {
			info = await stat(absolute);
			if (info.size > maxFileBytes) throw new Error(`larger than ${maxFileBytes} bytes`);
			bytes = await readFile(absolute);
		} catch (error) {
			record({file: shown, outcome: 'unreadable', detail: (error as Error).message});
			continue;
		}
		const meta = readFileMetadata(bytes, absolute);
		if (!meta) {
			record({file: shown, outcome: 'unreadable', detail: 'not a PNG, JPEG or WebP file'});
			continue;
		}
		if (!meta.jobId) {
			report.noMetadata.push(shown);
			record({file: shown, outcome: 'no-metadata', sources: meta.sources, detail: meta.fullCommand ? 'a prompt but no job id' : 'no prompt and no job id'});
			continue;
		}
		const jobId = meta.jobId;
		const existing = records.job(jobId);
		if (!existing) {
			store.upsertJobs([jobFromMetadata({...meta, jobId}, path.basename(absolute))], 'import');
			report.jobsCreated++;
		} else if (existing.source === 'import' && !existing.full_command && meta.fullCommand) {
			// An earlier import knew only the id; this file knows the prompt.
			store.upsertJobs([jobFromMetadata({...meta, jobId}, path.basename(absolute))], 'import');
			report.jobsEnriched++;
		}

		const hash = await sha256File(absolute);
		const {index, variant, placed} = placeOf(records, jobId, meta);
		const current = placed ? records.image(jobId, index, variant) : undefined;
		if (current?.status === 'done') {
			if (current.sha256 === hash.sha256) {
				report.alreadyArchived++;
				record({file: shown, outcome: 'already-archived', jobId, sources: meta.sources, detail: current.path ?? undefined});
			} else {
				record({file: shown, outcome: 'conflict', jobId, sources: meta.sources, detail: `image ${index} of this job is archived already with other content (${current.path})`});
			}
			continue;
		}
		const duplicate = records.doneFileWithSha(hash.sha256);
		if (duplicate) {
			report.alreadyArchived++;
			record({file: shown, outcome: 'already-archived', jobId, sources: meta.sources, detail: duplicate});
			continue;
		}

		let storedPath: string;
		if (options.copy) {
			const ext = meta.format === 'jpeg' ? 'jpg' : meta.format;
			const job = store.getJob(jobId)!;
			// A file that states no time is named by its mtime; the job itself stays without a time.
			const named = renderTemplate(config.naming, {enqueuedAt: job.enqueuedAt ?? info.mtime.getTime(), jobId, index, type: job.jobType, prompt: job.prompt, ext});
			storedPath = await copyIntoArchive(absolute, archiveDir, named);
		} else {
			const inside = absolute.startsWith(archiveDir + path.sep);
			storedPath = inside ? path.relative(archiveDir, absolute).split(path.sep).join('/') : absolute;
		}
		// The CDN path of a PNG (resolved against cdnBase when fetched) lets --repair fetch it again; other formats get a
		// file URL, which nothing downloads.
		const url = placed && variant === 'png' ? `/${jobId}/0_${index}.png` : `file://${absolute}`;
		records.recordImage({jobId, index, variant, url, path: storedPath, bytes: hash.bytes, sha256: hash.sha256, now: Date.now()});
		if (options.copy) report.copied++;
		else report.linked++;
		record({file: shown, outcome: options.copy ? 'copied' : 'linked', jobId, sources: meta.sources, detail: storedPath});
	}
	return report;
}
