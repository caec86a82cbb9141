/**
 * One entry point for every export format, so the command, the TUI and the
 * benchmark run exports the same way.
 */
import path from 'node:path';
import {mkdir, rm} from 'node:fs/promises';
import type {ArchiveStore} from '../archive/store.js';
import {ExitCode, MjError} from '../errors.js';
import {writeCsv} from './csv.js';
import {datasetImageKeys, writeDataset, type DatasetOptions, type DatasetReport} from './dataset.js';
import {planDedupe} from '../similar/dedupe.js';
import {writeGallery, type GalleryReport} from './gallery.js';
import {writeJson, writeJsonLines} from './json.js';
import type {ExportSelection} from './records.js';
import {ExportSink, isSpecialFile, standardOutput} from './sink.js';
import {removeStaleSiblings, removeStaleTemporaries} from '../temp-files.js';

export const exportFormats = ['csv', 'json', 'jsonl', 'html', 'dataset'] as const;
export type ExportFormat = (typeof exportFormats)[number];

export interface ExportOptions extends ExportSelection {
	format: ExportFormat;
	/** A file for csv/json/jsonl (`-`: `stdout`), a folder for html/dataset. */
	out: string;
	/** Where `--out -` writes. */
	stdout?: NodeJS.WritableStream;
	dataset?: DatasetOptions;
	signal?: AbortSignal;
	/** Called now and then with the number of jobs written. */
	onProgress?: (jobs: number) => void;
}

export interface ExportReport {
	format: ExportFormat;
	out: string;
	jobs: number;
	gallery?: GalleryReport;
	dataset?: DatasetReport;
}

/** Run an export; file formats appear at `out` only when complete. */
export async function runExport(store: ArchiveStore, options: ExportOptions): Promise<ExportReport> {
	const toStdout = options.out === standardOutput;
	if (toStdout && (options.format === 'html' || options.format === 'dataset')) {
		throw new MjError(`--out -: the ${options.format} export is a folder; standard output takes csv, json or jsonl`, {exitCode: ExitCode.usage});
	}
	if (toStdout && !options.stdout) throw new MjError('--out -: no standard output to write to here', {exitCode: ExitCode.usage});
	const out = toStdout ? standardOutput : path.resolve(options.out);
	// A FIFO or device has no temps beside it to clean (and /dev is no place to look).
	if (!toStdout && !isSpecialFile(out)) await removeExportLeftovers(options.format, out);
	const selection: ExportSelection = {query: options.query, filter: options.filter, limit: options.limit};
	function* counted<Row>(pages: Iterable<Row[]>): Generator<Row[]> {
		let count = 0;
		for (const page of pages) {
			options.signal?.throwIfAborted();
			count += page.length;
			options.onProgress?.(count);
			yield page;
		}
	}
	function* records() {
		for (const page of counted(store.exports.recordPages(selection))) yield* page;
	}
	if (options.format === 'html') {
		const gallery = await writeGallery(store, records(), out, {signal: options.signal});
		return {format: options.format, out, jobs: gallery.jobs, gallery};
	}
	if (options.format === 'dataset') {
		const datasetOptions = options.dataset ?? {};
		// Dedupe needs the whole selection first: which images are in it decides the families.
		const dedupe = datasetOptions.dedupeDistance === undefined ? undefined : planDedupe(store, [...datasetImageKeys(records())], datasetOptions.dedupeDistance);
		const dataset = await writeDataset(store, records(), out, datasetOptions, dedupe);
		return {format: options.format, out, jobs: dataset.jobs, dataset};
	}
	const writer = {
		csv: async (sink: ExportSink) => {
			const donePaths = store.exports.donePaths();
			try {
				return await writeCsv(counted(store.exports.csvPages(selection)), ids => donePaths.lookup(ids), sink);
			} finally {
				await donePaths.close();
			}
		},
		json: (sink: ExportSink) => writeJson(records(), sink),
		jsonl: (sink: ExportSink) => writeJsonLines(records(), sink),
	}[options.format];
	if (!writer) throw new MjError(`unknown export format ${JSON.stringify(options.format)}`, {exitCode: ExitCode.usage, hint: `Formats: ${exportFormats.join(', ')}`});
	if (!toStdout) await mkdir(path.dirname(out), {recursive: true});
	const sink = new ExportSink(out, {stdout: options.stdout, signal: options.signal});
	try {
		const jobs = await writer(sink);
		await sink.close();
		return {format: options.format, out, jobs};
	} catch (error) {
		await sink.abort();
		throw error;
	}
}

/** Temps a killed export to the same place left: beside the file, or anywhere in the gallery or dataset folder. */
async function removeExportLeftovers(format: ExportFormat, out: string): Promise<void> {
	if (format === 'html' || format === 'dataset') {
		await removeStaleTemporaries(out);
		return;
	}
	await removeStaleSiblings(out);
	// The name earlier versions used, without a pid.
	await rm(`${out}.tmp`, {force: true});
}
