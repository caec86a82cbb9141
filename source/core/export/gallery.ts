/**
 * `export --format html`: a static gallery folder that opens from disk
 * (file://). Thumbnails are made once with sharp and cached by content
 * (thumbs/<sha256>.webp), so re-exporting only thumbnails new images; full
 * images are linked from the archive by relative URL, never copied.
 */
import {mkdir, rename, rm, stat, writeFile} from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import {isDiskFull} from '../downloads/disk-full.js';
import type {ArchiveStore} from '../archive/store.js';
import {storedPathLocation, sha256File} from '../verify.js';
import {galleryCss, galleryHtmlHead, galleryHtmlTail, galleryScript, scriptSafeJson} from './gallery-page.js';
import {galleryQueryScript} from './gallery-query-script.js';
import type {SearchableJob} from '../query/evaluate.js';
import {recordImages, recordParameters, type ExportRecord} from './records.js';
import {ExportSink} from './sink.js';
import {temporaryPathFor} from '../temp-files.js';

/** Longest edge of a thumbnail in pixels: sharp on a 2x screen for ~180 px tiles. */
const thumbnailEdge = 384;
/** Thumbnails made at once; sharp uses its own threads inside each. */
const thumbnailsInFlight = 4;
const imageVariants = new Set(['png', 'webp', 'grid', 'url']);

export interface GalleryReport {
	jobs: number;
	images: number;
	thumbnailsMade: number;
	thumbnailsCached: number;
	/** Archived images whose file could not be read (shown without a thumbnail). */
	unreadable: string[];
}

/** A relative URL from the gallery folder to a file, each segment percent-encoded. */
function relativeUrl(fromDir: string, file: string): string {
	return path.relative(fromDir, file).split(path.sep).map(encodeURIComponent).join('/');
}

/** A job as the page's data block holds it (without its images): what the page shows and searches. */
export interface GalleryJob extends SearchableJob {
	enqueue_time: string;
	full_command: string | null;
}

/** The page's fields of a record. */
export function galleryJob(record: ExportRecord): GalleryJob {
	return {
		id: record.id,
		enqueue_time: record.enqueueTime,
		job_type: record.jobType,
		event_type: record.eventType,
		prompt: record.prompt,
		full_command: record.fullCommand,
		parameters: recordParameters(record),
		width: record.width,
		height: record.height,
		liked: record.liked === 1,
	};
}

/** Write the gallery for these records into `outDir`. */
export async function writeGallery(store: ArchiveStore, records: Iterable<ExportRecord>, outDir: string, options: {signal?: AbortSignal; title?: string} = {}): Promise<GalleryReport> {
	const thumbsDir = path.join(outDir, 'thumbs');
	await mkdir(thumbsDir, {recursive: true});
	await writeFile(path.join(outDir, 'gallery.css'), galleryCss);
	// The search engine first: the page script calls the `mjQuery` it defines.
	await writeFile(path.join(outDir, 'gallery.js'), `${await galleryQueryScript()}\n${galleryScript}`);
	const report: GalleryReport = {jobs: 0, images: 0, thumbnailsMade: 0, thumbnailsCached: 0, unreadable: []};
	const inFlight = new Set<Promise<void>>();

	// One promise per content hash: identical images share a thumbnail and are never made twice at once.
	const made = new Map<string, Promise<string | undefined>>();
	const thumbnail = async (source: string, sha256: string | null): Promise<string | undefined> => {
		let key: string;
		try {
			key = sha256 ?? (await sha256File(source)).sha256;
		} catch {
			report.unreadable.push(source);
			return undefined;
		}
		if (!made.has(key)) made.set(key, makeThumbnail(source, key));
		return made.get(key);
	};
	const makeThumbnail = async (source: string, key: string): Promise<string | undefined> => {
		try {
			const name = `${key}.webp`;
			const target = path.join(thumbsDir, name);
			if (await stat(target).then(() => true, () => false)) {
				report.thumbnailsCached++;
				return `thumbs/${name}`;
			}
			const temporary = temporaryPathFor(target, 'thumbnail');
			try {
				await sharp(source, {failOn: 'none'}).rotate().resize({width: thumbnailEdge, height: thumbnailEdge, fit: 'inside', withoutEnlargement: true}).webp({quality: 72}).toFile(temporary);
				await rename(temporary, target);
			} catch (error) {
				await rm(temporary, {force: true});
				throw error;
			}
			report.thumbnailsMade++;
			return `thumbs/${name}`;
		} catch (error) {
			// A full disk under the gallery is no unreadable image: it stops the export (exit 74).
			if (isDiskFull(error)) throw error;
			report.unreadable.push(source);
			return undefined;
		}
	};

	const sink = new ExportSink(path.join(outDir, 'index.html'));
	try {
		await sink.write(galleryHtmlHead('Midjourney archive'));
		await sink.write('{"jobs":[');
		// Entries wait in order until their thumbnails exist, so thumbnails of several jobs are made at once.
		const waiting: Array<{entry: object; ready: Promise<unknown>}> = [];
		// A thumbnail that stops the export (a full disk) is kept here, so no in-flight task rejects with nobody listening.
		let stopped: {error: unknown} | undefined;
		const stopIfFailed = () => {
			if (stopped) throw stopped.error;
		};
		const writeReady = async (keep: number) => {
			while (waiting.length > keep) {
				const {entry, ready} = waiting.shift()!;
				await ready;
				stopIfFailed();
				await sink.write(`${report.jobs === 0 ? '' : ','}\n${scriptSafeJson(entry)}`);
				report.jobs++;
			}
		};
		for (const record of records) {
			options.signal?.throwIfAborted();
			const images = recordImages(record).filter(image => image.status === 'done' && image.path && imageVariants.has(image.variant));
			if (images.length === 0) continue;
			const entry = {...galleryJob(record), images: [] as Array<{index: number; full: string; thumb?: string}>};
			const tasks: Array<Promise<void>> = [];
			for (const image of images) {
				const location = storedPathLocation(store.dir, image.path!);
				const shown: {index: number; full: string; thumb?: string} = {index: image.index, full: relativeUrl(outDir, location)};
				entry.images.push(shown);
				if (inFlight.size >= thumbnailsInFlight) await Promise.race(inFlight);
				stopIfFailed();
				const task = thumbnail(location, image.sha256).then(
					thumb => {
						shown.thumb = thumb;
					},
					(error: unknown) => {
						stopped ??= {error};
					},
				);
				inFlight.add(task);
				void task.finally(() => inFlight.delete(task));
				tasks.push(task);
			}
			waiting.push({entry, ready: Promise.all(tasks)});
			report.images += images.length;
			await writeReady(32);
		}
		await writeReady(0);
		await sink.write(']}');
		await sink.write(galleryHtmlTail);
		await sink.close();
	} catch (error) {
		// Let the thumbnails still being made end (each removes its own temp on failure) before leaving.
		await Promise.allSettled(inFlight);
		await sink.abort();
		await rm(path.join(outDir, 'index.html.tmp'), {force: true});
		throw error;
	}
	return report;
}
