/**
 * `mj-tui export --format csv|json|jsonl|html|dataset --out <path> [query] [filters]`:
 * the archive's jobs and images in a form other tools read. Selection works
 * as in `search` (query text with parameter filters, --type, --since, --until,
 * --limit); without a query every job is exported, newest first.
 */
import fs from 'node:fs';
import path from 'node:path';
import {diskFullError, isDiskFull} from '../core/downloads/disk-full.js';
import {ExitCode, MjError} from '../core/errors.js';
import {parseSplit} from '../core/export/dataset.js';
import {exportFormats, runExport, type ExportFormat} from '../core/export/run.js';
import {standardOutput} from '../core/export/sink.js';
import {defaultFamilyDistance} from '../core/similar/families.js';
import {parseDistanceFlag} from '../core/similar/similar-images.js';
import type {FlagDefinitions} from '../args/flags.js';
import {filterFromFlags, openArchive, parseCommandArgs, parseCountFlag, selectionFlags, wantsJson, writeLine} from './shared.js';
import type {Command} from './types.js';

const help = `Usage: mj-tui export --format <csv|json|jsonl|html|dataset> --out <path> [query] [flags]

  --format <f>             csv, json, jsonl (a file); html, dataset (a folder)
  --out <path>             where to write (- for standard output: csv, json, jsonl)
  [query]                  as in mj-tui search: words, "phrases", prefix*; Midjourney
                           parameter filters go inside the quoted query ("cat --ar 16:9")
                           or after -- (mj-tui export ... -- cat --ar 16:9)
  --type, --since, --until, --limit   as in mj-tui search
  --liked                  only jobs you liked on the site (or liked:yes in the query)
  --split 0.9,0.05,0.05    dataset: train,validation,test fractions
  --seed <n>               dataset: seed of the split (default 0)
  --captions-with-params   dataset: keep --ar/--v/... in captions
  --link                   dataset: hard-link images instead of copying them (saves
                           space, but editing an exported image in place then edits
                           the archive's original too)
  --dedupe                 dataset: one image per near-duplicate family (perceptual
                           hash within 6 bits): the one with the most pixels, then an
                           upscale, the higher rating, the larger file, the older;
                           dropped.jsonl lists what was left out
  --dedupe-distance <n>    dataset: the distance for --dedupe (0-16, default 6)
  --json                   print the summary as JSON

Examples:
  mj-tui export --format csv --out jobs.csv --since 2025-01-01
  mj-tui export --format html --out gallery "red car --v 7"
  mj-tui export --format json --out liked.json --liked
  mj-tui export --format dataset --out ds --split 0.8,0.1,0.1 --seed 7`;

const exportFlags = {
	...selectionFlags,
	format: {type: 'string', value: '<format>', description: 'csv, json, jsonl (a file); html, dataset (a folder)'},
	out: {type: 'string', shortFlag: 'o', value: '<path>', description: 'Where to write'},
	split: {type: 'string', value: '<a,b,c>', description: 'dataset: train,validation,test fractions (default 0.9,0.05,0.05)'},
	seed: {type: 'string', value: '<n>', description: 'dataset: seed of the split (default 0)'},
	captionsWithParams: {type: 'boolean', description: 'dataset: keep --ar/--v/... in captions'},
	link: {type: 'boolean', description: "dataset: hard-link images instead of copying (an edit in place then changes the archive's file too)"},
	dedupe: {type: 'boolean', description: 'dataset: keep one image per near-duplicate family (dropped.jsonl lists the rest)'},
	dedupeDistance: {type: 'string', value: '<n>', description: 'dataset: perceptual-hash distance for --dedupe (0-16, default 6)'},
} as const satisfies FlagDefinitions;

/** The --dedupe distance (undefined without --dedupe); only the dataset format dedupes. */
function parseDedupe(values: {dedupe?: boolean; dedupeDistance?: string}, format: ExportFormat): number | undefined {
	if (values.dedupe !== true && values.dedupeDistance === undefined) return undefined;
	if (format !== 'dataset') throw new MjError(`--dedupe applies to --format dataset, not ${format}`, {exitCode: ExitCode.usage});
	return parseDistanceFlag('--dedupe-distance', values.dedupeDistance) ?? defaultFamilyDistance;
}

export const exportCommand: Command = {
	name: 'export',
	summary: 'Export jobs and images: csv, json, jsonl, an HTML gallery, or an image+caption dataset',
	flags: exportFlags,
	async run(context) {
		const {flags, input} = parseCommandArgs('export', context.argv, exportFlags);
		const values = flags as {help?: boolean; format?: string; out?: string; split?: string; seed?: string; captionsWithParams?: boolean; link?: boolean; limit?: string; dedupe?: boolean; dedupeDistance?: string};
		if (values.help) {
			await writeLine(context, help);
			return ExitCode.ok;
		}
		const format = values.format as ExportFormat | undefined;
		if (!format || !(exportFormats as readonly string[]).includes(format)) {
			throw new MjError(`mj-tui export: --format must be one of ${exportFormats.join(', ')}${format ? ` (got ${JSON.stringify(format)})` : ''}`, {exitCode: ExitCode.usage});
		}
		if (!values.out) throw new MjError('mj-tui export: --out <path> is required', {exitCode: ExitCode.usage});
		if (values.seed !== undefined && !/^-?\d+$/.test(values.seed)) throw new MjError(`--seed ${JSON.stringify(values.seed)}: expected a whole number`, {exitCode: ExitCode.usage});
		const split = values.split === undefined ? undefined : parseSplit(values.split);
		const dedupeDistance = parseDedupe(values, format);
		const filter = filterFromFlags(flags);
		const limit = parseCountFlag('limit', values.limit);
		const store = openArchive(context, flags, {readonly: true});
		const toStdout = values.out === standardOutput;
		const out = toStdout ? standardOutput : path.resolve(context.io.cwd, values.out);
		try {
			const report = await runExport(store, {
				format,
				out,
				stdout: context.io.stdout,
				query: input.join(' '),
				filter,
				limit,
				signal: context.signal,
				dataset: {split, seed: values.seed === undefined ? undefined : Number(values.seed), captionsWithParams: values.captionsWithParams, link: values.link, dedupeDistance},
			});
			// With --out - the export itself is stdout: the report goes to stderr.
			const say = toStdout ? async (line: string) => void context.io.stderr.write(`${line}\n`) : async (line: string) => writeLine(context, line);
			if (wantsJson(context.config, flags)) await say(JSON.stringify(report));
			else {
				const extra = report.gallery
					? `, ${report.gallery.images} images (${report.gallery.thumbnailsMade} thumbnails made, ${report.gallery.thumbnailsCached} cached${report.gallery.unreadable.length ? `, ${report.gallery.unreadable.length} unreadable` : ''})`
					: report.dataset
						? `, ${report.dataset.images} images (train ${report.dataset.splits.train}, validation ${report.dataset.splits.validation}, test ${report.dataset.splits.test} jobs; ${report.dataset.linked} hard links, ${report.dataset.copied} copies)${report.dataset.dedupe ? `; ${report.dataset.dedupe.dropped} near-duplicates left out of ${report.dataset.dedupe.families} families (dropped.jsonl)` : ''}`
						: '';
				await say(`Exported ${report.jobs} jobs${extra} to ${toStdout ? 'standard output' : report.out}`);
			}
			return ExitCode.ok;
		} catch (error) {
			// A full disk: name the disk and its free space (exit 74).
			if (isDiskFull(error)) {
				const folder = fs.statSync(out, {throwIfNoEntry: false})?.isDirectory() ? out : path.dirname(out);
				throw diskFullError(folder, error, {folder: 'the folder', stopped: 'mj-tui export stopped', hint: 'Free some space there and export again; nothing half-written was left at the output path.'});
			}
			const code = (error as NodeJS.ErrnoException).code;
			// Disk full, a file where a folder should be, no permission: say where, keep the archive untouched.
			if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
				throw new MjError(`mj-tui export: cannot write ${out}: ${code} (${(error as Error).message})`, {exitCode: ExitCode.ioError, hint: 'Nothing partial was left at the output path.', cause: error});
			}
			throw error;
		} finally {
			store.close();
		}
	},
};

export default exportCommand;
