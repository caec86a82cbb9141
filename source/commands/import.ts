/**
 * `mj-tui import <folder> [--copy]` indexes images already on disk by the
 * metadata inside them; `mj-tui import --responses <file.json|file.har>`
 * stores /api/imagine answers saved from the browser.
 */
import {statSync} from 'node:fs';
import path from 'node:path';
import {withArchiveClaim} from '../core/archive/claims.js';
import {ExitCode, MjError} from '../core/errors.js';
import {oddityLines} from '../core/archive/job-rows.js';
import {importFolder} from '../core/import/folder.js';
import {writingArchiveTemps} from '../core/temp-files.js';
import {importResponses} from '../core/import/responses.js';
import {fillPerceptualHashes} from '../core/similar/fill-hashes.js';
import {toSingleLine} from '../core/terminal-text.js';
import type {FlagDefinitions} from '../args/flags.js';
import {archiveDir, parseCommandArgs, wantsJson, writeLine} from './shared.js';

const importFlags = {
	copy: {type: 'boolean', description: 'Copy files into the archive (named like downloads) instead of linking them in place'},
	responses: {type: 'string', value: '<file>', description: 'Ingest /api/imagine responses saved from the browser (.har or .json)'},
} as const satisfies FlagDefinitions;
import type {Command} from './types.js';
import {ArchiveStore} from '../core/archive/store.js';

const help = `Usage: mj-tui import <folder> [--copy] [--json]
       mj-tui import --responses <file.json|file.har> [--json]

<folder>: every PNG/JPEG/WebP below it is read for its job: the website's PNG
  Description ("<prompt> Job ID: <uuid>"), Author and Creation Time chunks
  (anywhere in the file), XMP dc:description/dc:title/dc:identifier, EXIF
  UserComment, or a job id in the file name. Files are linked where they are
  (absolute paths for files outside the archive) or copied into the archive
  with --copy. Files with no job id are listed, never guessed.
--responses: /api/imagine answers saved from the browser's network tab (a HAR
  file, one saved JSON page, or an array of pages); validated like API pages.`;

export const importCommand: Command = {
	name: 'import',
	summary: 'Index images already on disk by their metadata, or ingest /api/imagine responses saved from the browser',
	flags: importFlags,
	async run(context) {
		const {flags, input: positionals} = parseCommandArgs('import', context.argv, importFlags);
		const values = flags as {help?: boolean; copy?: boolean; responses?: string};
		if (values.help) {
			await writeLine(context, help);
			return ExitCode.ok;
		}
		const json = wantsJson(context.config, flags);
		// Check the arguments before the archive is opened (and perhaps created).
		let folder = '';
		if (values.responses === undefined) {
			if (positionals.length !== 1) throw new MjError('mj-tui import: give one folder (or --responses <file>)', {exitCode: ExitCode.usage, hint: 'e.g. mj-tui import ~/Downloads/midjourney'});
			folder = path.resolve(context.io.cwd, positionals[0]!);
			if (!statSync(folder, {throwIfNoEntry: false})?.isDirectory()) {
				throw new MjError(`mj-tui import: ${folder} is not a folder`, {exitCode: ExitCode.usage, hint: 'Give the folder that holds the images, or --responses <file> for saved API answers.'});
			}
		}
		// Import may start an archive: create it when missing, even beside the files of one whose database was lost (it rebuilds it).
		const store = ArchiveStore.open(archiveDir(context, flags), {adoptFiles: true});
		try {
			return await withArchiveClaim(store, values.responses === undefined ? 'importing image files' : 'importing saved API responses', context.signal, importInto);
		} finally {
			store.close();
		}

		async function importInto(): Promise<number> {
			if (values.responses !== undefined) {
				const report = await importResponses(store, path.resolve(context.io.cwd, values.responses));
				if (json) await writeLine(context, JSON.stringify(report));
				else {
					await writeLine(context, `Imported ${report.pages} page(s), ${report.jobs} jobs: ${report.inserted} new, ${report.updated} updated, ${report.unchanged} unchanged${report.skippedEntries ? ` (${report.skippedEntries} other HAR entries skipped)` : ''}`);
					for (const line of oddityLines(report.oddities)) await writeLine(context, `note: ${toSingleLine(line)}`);
				}
				return ExitCode.ok;
			}
			// Temps a killed `import --copy` left in the archive go first.
			const report = await writingArchiveTemps(store, 'import', () => importFolder(store, context.config, folder, {copy: values.copy, signal: context.signal}));
			const problems = report.files.filter(file => file.outcome === 'no-metadata' || file.outcome === 'unreadable' || file.outcome === 'conflict');
			// The imported files' perceptual hashes (mj-tui similar, families), as downloads make them.
			const importedJobs = new Set(report.files.flatMap(file => (file.outcome === 'linked' || file.outcome === 'copied') && file.jobId ? [file.jobId] : []));
			const imageIds = [...importedJobs].flatMap(jobId => store.perceptualHashes.ofJob(jobId).map(image => image.imageId));
			const perceptualHashes = await fillPerceptualHashes(store, {imageIds, signal: context.signal});
			if (json) await writeLine(context, JSON.stringify({...report, perceptualHashes}));
			else {
				await writeLine(context, `Scanned ${report.scanned} files: ${report.linked} linked, ${report.copied} copied, ${report.alreadyArchived} already archived; ${report.jobsCreated} jobs created, ${report.jobsEnriched} enriched; ${perceptualHashes.hashed} perceptual hashes computed`);
				for (const file of problems) await writeLine(context, `${file.outcome.padEnd(11)} ${toSingleLine(file.file)}${file.detail ? `  (${toSingleLine(file.detail)})` : ''}`);
			}
			return problems.length === 0 ? ExitCode.ok : ExitCode.someFailed;
		}
	},
};

export default importCommand;
