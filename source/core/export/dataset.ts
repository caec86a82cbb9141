/**
 * `export --format dataset`: image + caption pairs for fine-tuning tools, in
 * the Hugging Face imagefolder layout:
 *
 *   images/<job>_<i>.png + .txt      every pair, with metadata.jsonl at the top
 *   train/ validation/ test/         the same files split by job, each with its own metadata.jsonl
 *
 * The split is by job (a grid's four images never straddle train and test) and
 * seeded: sha256(seed:job id) decides, so the same seed gives the same split
 * and adding jobs never moves existing ones. Files are copies (reflinks where
 * the filesystem can: instant and sharing no writes with the archive); hard
 * links only when asked (`--link`), because editing a hard-linked image in
 * place edits the archive's original too.
 */
import {createHash} from 'node:crypto';
import {constants} from 'node:fs';
import {copyFile, link, mkdir, rename, rm, writeFile} from 'node:fs/promises';
import path from 'node:path';
import type {ArchiveStore} from '../archive/store.js';
import {sanitizeSegmentValue} from '../downloads/naming.js';
import {isDiskFull} from '../downloads/disk-full.js';
import {ExitCode, MjError} from '../errors.js';
import {storedPathLocation} from '../verify.js';
import {recordImages, recordParameters, type ExportRecord} from './records.js';
import {ExportSink} from './sink.js';
import {temporaryPathFor} from '../temp-files.js';
import type {DedupePlan, ImageKey} from '../similar/dedupe.js';

export const splitNames = ['train', 'validation', 'test'] as const;
export type SplitName = (typeof splitNames)[number];

export interface DatasetOptions {
	/** Fractions for train, validation, test; default 0.9, 0.05, 0.05. */
	split?: readonly [number, number, number];
	seed?: number;
	/** Keep `--ar 16:9 ...` in captions (default: prompt text only). */
	captionsWithParams?: boolean;
	/** Hard-link images instead of copying them (saves space; an edit in place then changes the archive's file too). */
	link?: boolean;
	/** Keep one image per near-duplicate family: images within this perceptual-hash distance count as one (see similar/dedupe.ts). */
	dedupeDistance?: number;
}

export interface DatasetReport {
	jobs: number;
	images: number;
	/** Files placed as hard links vs copies (each image is placed 2 times: images/ and its split). */
	linked: number;
	copied: number;
	splits: Record<SplitName, number>;
	/** Archived files that could not be read. */
	unreadable: string[];
	/** With dedupe: families found, images left out (listed in dropped.jsonl), images without a hash (kept). */
	dedupe?: {maxDistance: number; families: number; dropped: number; unhashed: number};
}

const datasetVariants = new Set(['png', 'webp', 'url']);

/** The files of a job a dataset takes: downloaded images (no videos, no grids). */
function datasetFiles(job: ExportRecord) {
	return recordImages(job).filter(image => image.status === 'done' && image.path && datasetVariants.has(image.variant));
}

/** Every image a dataset of these records would hold (what dedupe plans over). */
export function* datasetImageKeys(records: Iterable<ExportRecord>): Generator<ImageKey> {
	for (const job of records) for (const image of datasetFiles(job)) yield {jobId: job.id, index: image.index, variant: image.variant};
}

/** Parse `0.9,0.05,0.05`; the three fractions must be >= 0 and sum to 1. */
export function parseSplit(text: string): [number, number, number] {
	const parts = text.split(',').map(part => Number(part.trim()));
	const sum = parts.reduce((total, part) => total + part, 0);
	if (parts.length !== 3 || parts.some(part => !Number.isFinite(part) || part < 0) || Math.abs(sum - 1) > 1e-6) {
		throw new MjError(`--split ${JSON.stringify(text)}: expected three fractions for train,validation,test that sum to 1`, {exitCode: ExitCode.usage, hint: 'e.g. --split 0.9,0.05,0.05'});
	}
	return parts as [number, number, number];
}

/** The split a job falls in: a stable function of seed and job id. */
export function splitOf(jobId: string, seed: number, split: readonly [number, number, number]): SplitName {
	const fraction = createHash('sha256').update(`${seed}:${jobId}`).digest().readUInt32BE(0) / 2 ** 32;
	if (fraction < split[0]) return 'train';
	if (fraction < split[0] + split[1]) return 'validation';
	return 'test';
}

/**
 * Put `source` at `target` (replacing an earlier export's file): a copy, cloned
 * where the filesystem can, written to a temp and renamed so a killed export
 * leaves no half file; with `hardLink`, a hard link where possible.
 */
async function place(source: string, target: string, hardLink: boolean): Promise<'linked' | 'copied'> {
	await rm(target, {force: true});
	if (hardLink) {
		try {
			await link(source, target);
			return 'linked';
		} catch (error) {
			const code = (error as NodeJS.ErrnoException).code;
			if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EMLINK' && code !== 'EACCES') throw error;
		}
	}
	const temporary = temporaryPathFor(target, 'export');
	try {
		// FICLONE: a reflink on btrfs, XFS, APFS (no bytes copied, no space used); a plain copy elsewhere.
		await copyFile(source, temporary, constants.COPYFILE_FICLONE);
		await rename(temporary, target);
	} catch (error) {
		await rm(temporary, {force: true});
		throw error;
	}
	return 'copied';
}

/** Write the dataset for these records into `outDir`, leaving out what `dedupe` drops (listed in dropped.jsonl). */
export async function writeDataset(store: ArchiveStore, records: Iterable<ExportRecord>, outDir: string, options: DatasetOptions, dedupe?: DedupePlan): Promise<DatasetReport> {
	const split = options.split ?? [0.9, 0.05, 0.05];
	const seed = options.seed ?? 0;
	const report: DatasetReport = {jobs: 0, images: 0, linked: 0, copied: 0, splits: {train: 0, validation: 0, test: 0}, unreadable: []};
	await mkdir(path.join(outDir, 'images'), {recursive: true});
	for (const name of splitNames) await mkdir(path.join(outDir, name), {recursive: true});
	const all = new ExportSink(path.join(outDir, 'metadata.jsonl'));
	const perSplit = Object.fromEntries(splitNames.map(name => [name, new ExportSink(path.join(outDir, name, 'metadata.jsonl'))])) as Record<SplitName, ExportSink>;
	const droppedList = dedupe ? new ExportSink(path.join(outDir, 'dropped.jsonl')) : undefined;
	const sinks = [all, ...Object.values(perSplit), ...(droppedList ? [droppedList] : [])];
	try {
		for (const job of records) {
			const files = datasetFiles(job).filter(image => !dedupe?.drops({jobId: job.id, index: image.index, variant: image.variant}));
			if (files.length === 0) continue;
			const splitName = splitOf(job.id, seed, split);
			const caption = options.captionsWithParams ? (job.fullCommand ?? job.prompt).trim() : job.prompt.trim();
			let placed = 0;
			for (const image of files) {
				const source = storedPathLocation(store.dir, image.path!);
				const ext = path.extname(image.path!).toLowerCase() || '.png';
				const base = `${sanitizeSegmentValue(job.id)}_${image.index}${image.variant === 'png' ? '' : `_${sanitizeSegmentValue(image.variant, 8)}`}`;
				try {
					for (const folder of ['images', splitName]) {
						report[await place(source, path.join(outDir, folder, `${base}${ext}`), options.link === true)]++;
						await writeFile(path.join(outDir, folder, `${base}.txt`), caption);
					}
				} catch (error) {
					// A full disk under the dataset is no unreadable image: it stops the export (exit 74).
					if (isDiskFull(error)) throw error;
					report.unreadable.push(image.path!);
					continue;
				}
				const fields = {text: caption, job_id: job.id, image_index: image.index, prompt: job.prompt, full_command: job.fullCommand, parameters: recordParameters(job), width: job.width, height: job.height, job_type: job.jobType, enqueue_time: job.enqueueTime, split: splitName};
				await all.write(`${JSON.stringify({file_name: `images/${base}${ext}`, ...fields})}\n`);
				await perSplit[splitName].write(`${JSON.stringify({file_name: `${base}${ext}`, ...fields})}\n`);
				report.images++;
				placed++;
			}
			if (placed > 0) {
				report.jobs++;
				report.splits[splitName]++;
			}
		}
		if (dedupe && droppedList) {
			for (const image of dedupe.dropped) await droppedList.write(`${JSON.stringify({job_id: image.jobId, image_index: image.index, variant: image.variant, kept: {job_id: image.kept.jobId, image_index: image.kept.index, variant: image.kept.variant}})}\n`);
			report.dedupe = {maxDistance: dedupe.maxDistance, families: dedupe.families, dropped: dedupe.dropped.length, unhashed: dedupe.unhashed};
		}
		for (const sink of sinks) await sink.close();
	} catch (error) {
		for (const sink of sinks) await sink.abort();
		throw error;
	}
	return report;
}
