/**
 * `mj-tui stats [--json]`: what the archive holds: jobs and images by month,
 * by type and by model version, the most used parameters and prompt words,
 * size on disk and how complete the downloads are.
 */
import {statSync} from 'node:fs';
import path from 'node:path';
import type {LikeCounts} from '../core/archive/likes.js';
import type {ArchiveStore} from '../core/archive/store.js';
import {ExitCode} from '../core/errors.js';
import {toSingleLine} from '../core/terminal-text.js';
import {formatBytes} from '../core/units.js';
import type {HashCoverage} from '../core/archive/perceptual-hashes.js';
import {defaultFamilyDistance, familyCountLimit, summariseFamilies, type FamilySummary} from '../core/similar/families.js';
import {similarityIndexOf} from '../core/similar/similar-images.js';
import {openArchive, parseCommandArgs, wantsJson, writeLine} from './shared.js';
import type {Command} from './types.js';

/** Words too common in English prompts to say anything about them. */
const stopWords = new Set('a an and are as at be by for from in into is it its of on or the this to with without over under very'.split(' '));

export interface ArchiveStats {
	jobs: number;
	images: number;
	imagesDone: number;
	imagesPending: number;
	imagesFailed: number;
	/** Share of known images that are downloaded, 0..1. */
	completeness: number;
	/** Jobs whose every file is downloaded. */
	jobsComplete: number;
	bytes: {images: number; database: number};
	byMonth: Array<{month: string; jobs: number; images: number}>;
	byJobType: Array<{name: string; jobs: number}>;
	byEventType: Array<{name: string; jobs: number}>;
	byModelVersion: Array<{name: string; jobs: number}>;
	parameters: Array<{name: string; jobs: number; topValues: Array<{value: string; jobs: number}>}>;
	words: Array<{word: string; jobs: number}>;
	/** Jobs liked on the site (`--likes`): how many, by others, the account's own, and likes withdrawn since. */
	likes: LikeCounts;
	/** Near-duplicate families by perceptual hash, and how many files have a hash. */
	similar: FamilySummary & {hashes: HashCoverage};
}

function fileSize(file: string): number {
	try {
		return statSync(file).size;
	} catch {
		return 0;
	}
}

/** Gather the statistics with a handful of aggregate queries. */
export function archiveStats(store: ArchiveStore, top = 15): ArchiveStats {
	const totals = store.totals();
	const words = store.stats
		.topWords(top + stopWords.size)
		.filter(row => !stopWords.has(row.word) && !/^\d+$/.test(row.word))
		.slice(0, top);
	const imagesByMonth = store.stats.doneImagesByMonth();
	const dbFile = path.join(store.dir, 'archive.db');
	return {
		jobs: totals.jobs,
		images: totals.images,
		imagesDone: totals.imagesDone,
		imagesPending: totals.imagesPending,
		imagesFailed: totals.imagesFailed,
		completeness: totals.images === 0 ? 1 : totals.imagesDone / totals.images,
		jobsComplete: store.stats.completeJobs(),
		bytes: {images: totals.bytesOnDisk, database: fileSize(dbFile) + fileSize(`${dbFile}-wal`)},
		byMonth: store.stats.jobsByMonth().map(row => ({...row, images: imagesByMonth.get(row.month) ?? 0})).sort((a, b) => a.month.localeCompare(b.month)),
		byJobType: store.stats.jobsBy('job_type', top),
		byEventType: store.stats.jobsBy('event_type', top),
		byModelVersion: store.stats.jobsBy('model_version', top),
		parameters: store.stats.topParameters(top, 5),
		words,
		likes: store.likes.counts(),
		similar: {...familySummary(store), hashes: store.perceptualHashes.coverage()},
	};
}

/** Families at the default distance; not counted over familyCountLimit hashes (it would take minutes). */
function familySummary(store: ArchiveStore): FamilySummary {
	const index = similarityIndexOf(store);
	if (index.size > familyCountLimit) return {maxDistance: defaultFamilyDistance, counted: false, families: 0, images: 0, largest: 0};
	return summariseFamilies(index.families(defaultFamilyDistance), defaultFamilyDistance);
}

function table(title: string, rows: Array<[string, string]>): string[] {
	if (rows.length === 0) return [];
	const width = Math.max(...rows.map(([name]) => name.length));
	return ['', title, ...rows.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`)];
}

export const statsCommand: Command = {
	name: 'stats',
	summary: 'Archive statistics: by month, type and model version, top parameters and words, size, completeness',
	flags: {},
	async run(context) {
		const {flags} = parseCommandArgs('stats', context.argv, {});
		if (flags.help) {
			await writeLine(context, 'Usage: mj-tui stats [--json]\n\nJobs and images by month, type and model version; most used parameters and\nprompt words; archive size on disk; download completeness; liked jobs (by others, your own);\nnear-duplicate families (images within 6 bits of perceptual hash: mj-tui similar lists them).');
			return ExitCode.ok;
		}
		// Read-write: fts5vocab lives in the temp schema; nothing in the archive is written.
		const store = openArchive(context, flags);
		try {
			const stats = archiveStats(store);
			if (wantsJson(context.config, flags)) {
				await writeLine(context, JSON.stringify(stats));
				return ExitCode.ok;
			}
			const clean = toSingleLine;
			const lines = [
				`${stats.jobs} jobs, ${stats.images} images (${stats.imagesDone} downloaded, ${stats.imagesPending} pending, ${stats.imagesFailed} failed): ${(stats.completeness * 100).toFixed(1)}% complete, ${stats.jobsComplete} jobs complete`,
				`On disk: ${formatBytes(stats.bytes.images)} of images, ${formatBytes(stats.bytes.database)} of database`,
				`Liked: ${stats.likes.liked} jobs (${stats.likes.byOthers} by others, ${stats.likes.own} your own)${stats.likes.unliked ? `; ${stats.likes.unliked} likes withdrawn` : ''}`,
				...table('By month (jobs / images downloaded)', stats.byMonth.map(row => [row.month, `${row.jobs} / ${row.images}`])),
				...table('By job type', stats.byJobType.map(row => [clean(row.name), String(row.jobs)])),
				...table('By event type', stats.byEventType.map(row => [clean(row.name), String(row.jobs)])),
				...table('By model version', stats.byModelVersion.map(row => [clean(row.name), String(row.jobs)])),
				...table('Most used parameters (jobs; top values)', stats.parameters.map(row => [`--${clean(row.name)}`, `${row.jobs}; ${row.topValues.map(value => `${clean(value.value)} (${value.jobs})`).join(', ')}`])),
				...table('Most used words (jobs)', stats.words.map(row => [clean(row.word), String(row.jobs)])),
				'',
				stats.similar.counted
					? `Near-duplicate families (perceptual hash within ${stats.similar.maxDistance} bits): ${stats.similar.families} families holding ${stats.similar.images} images (largest ${stats.similar.largest})`
					: `Near-duplicate families: not counted above ${familyCountLimit.toLocaleString('en-US')} hashed images (it would take minutes); mj-tui similar and export --dedupe still work`,
				`  ${stats.similar.hashes.hashed} files hashed, ${stats.similar.hashes.unhashable} not hashable (videos, undecodable)${stats.similar.hashes.missing ? `, ${stats.similar.hashes.missing} not hashed yet (mj-tui verify computes them)` : ''}`,
			];
			for (const line of lines) await writeLine(context, line);
			return ExitCode.ok;
		} finally {
			store.close();
		}
	},
};

export default statsCommand;
