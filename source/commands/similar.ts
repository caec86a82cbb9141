/**
 * `mj-tui similar <job-id|file> [--image N] [--max-distance N] [--limit N] [--json]`:
 * the archived images nearest to a job's images (or to any image file, hashed
 * on the fly), by perceptual hash, nearest first.
 */
import fs from 'node:fs';
import path from 'node:path';
import type {FlagDefinitions} from '../args/flags.js';
import {ExitCode, MjError} from '../core/errors.js';
import {hashOfImageFile, nearestTo, parseDistanceFlag, similarToJob, type SimilarImage} from '../core/similar/similar-images.js';
import {maxLookupDistance} from '../core/similar/hash-index.js';
import {toSingleLine} from '../core/terminal-text.js';
// Plain string code (no Ink): the width rules the TUI's columns use, for the CJK prompts the text lines show.
import {fitEnd, textWidth} from '../ui/text-fit.js';
import {openArchive, parseCommandArgs, parseCountFlag, wantsJson, writeLine} from './shared.js';
import type {Command} from './types.js';

const similarFlags = {
	maxDistance: {type: 'string', value: '<n>', description: `Bits of the 64-bit hash that may differ (0-${maxLookupDistance}, default 10)`},
	limit: {type: 'string', value: '<n>', description: 'At most n images (default 20)'},
	image: {type: 'string', value: '<i>', description: "Compare only the job's image i (0-3 in a grid)"},
} as const satisfies FlagDefinitions;

const help = `Usage: mj-tui similar <job-id|image-file> [flags]

Lists the archived images that look most like a job's images (or like any
image file, which is hashed on the fly), nearest first, by a 64-bit
perceptual hash (dHash): distance 0 is the same picture, variations and
re-encodes are a few bits apart, unrelated pictures about 32.

  mj-tui similar 3f0a2c1e-...-9b1d             every image of the job
  mj-tui similar 3f0a2c1e-...-9b1d --image 2   only its third image
  mj-tui similar ~/Downloads/found.png --max-distance 6 --json

Flags:
  --max-distance <n>  bits that may differ, 0-${maxLookupDistance} (default 10)
  --limit <n>         at most n images (default 20)
  --image <i>         only the job's image i
  --json              one JSON object per line
  --archive <dir>     the archive folder

Exit 65: unknown job id, or the file is not an image; 66: the file is missing
or unreadable. Hashes come with downloads, import and verify (which fills in
files downloaded before).`;

/** Characters of the prompt a text line shows. */
const promptWidth = 32;

const jobIdPattern = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/i;

function parseImageIndex(value: unknown): number | undefined {
	if (value === undefined) return undefined;
	if (typeof value !== 'string' || !/^\d{1,2}$/.test(value)) throw new MjError(`--image ${JSON.stringify(value)}: expected an image index (0-99)`, {exitCode: ExitCode.usage});
	return Number(value);
}

/** One result as a JSON object (the --json line and the MCP answer share it). */
export function similarImageJson(image: SimilarImage): Record<string, unknown> {
	return {distance: image.distance, job_id: image.jobId, index: image.index, variant: image.variant, path: image.path, hash: image.hash, prompt: image.prompt, event_type: image.eventType, rating: image.rating};
}

export const similarCommand: Command = {
	name: 'similar',
	summary: 'List the archived images most like a job\'s (or any image file), nearest first, by perceptual hash',
	flags: similarFlags,
	async run(context) {
		const {flags, input} = parseCommandArgs('similar', context.argv, similarFlags);
		if (flags.help) {
			await writeLine(context, help);
			return ExitCode.ok;
		}
		if (input.length !== 1) throw new MjError(`mj-tui similar: expected one job id or image file, got ${input.length}`, {exitCode: ExitCode.usage, hint: 'e.g. mj-tui similar 3f0a2c1e-... or mj-tui similar ./picture.png'});
		const maxDistance = parseDistanceFlag('--max-distance', flags.maxDistance);
		const limit = parseCountFlag('limit', flags.limit) ?? 20;
		const imageIndex = parseImageIndex(flags.image);
		const target = input[0];
		const store = openArchive(context, flags, {readonly: true});
		try {
			// A job id unless a file of that name exists: ids are UUIDs, and a file named like one is unlikely.
			const asFile = !jobIdPattern.test(target) || fs.existsSync(path.resolve(context.io.cwd, target));
			if (asFile && imageIndex !== undefined) throw new MjError('--image applies to a job id, not a file', {exitCode: ExitCode.usage});
			const results = asFile
				? nearestTo(store, [await hashOfImageFile(path.resolve(context.io.cwd, target))], {maxDistance, limit})
				: (await similarToJob(store, target, {index: imageIndex, maxDistance, limit})).similar;
			if (wantsJson(context.config, flags)) {
				for (const image of results) await writeLine(context, JSON.stringify(similarImageJson(image)));
				return ExitCode.ok;
			}
			if (results.length === 0) {
				context.io.stderr.write(`No archived image within distance ${maxDistance ?? 10} of ${toSingleLine(target)}\n`);
				return ExitCode.ok;
			}
			// The prompt's start, then the whole path (to copy into a viewer), however long.
			await writeLine(context, `${'DIST'.padStart(4)}  ${'JOB'.padEnd(36)}  IMG  ${'PROMPT'.padEnd(promptWidth)}  PATH`);
			for (const image of results) {
				const prompt = toSingleLine(image.prompt ?? '');
				const fitted = fitEnd(prompt, promptWidth);
				const shown = fitted + ' '.repeat(Math.max(0, promptWidth - textWidth(fitted)));
				await writeLine(context, `${String(image.distance).padStart(4)}  ${toSingleLine(image.jobId ?? '(url)').padEnd(36)}  ${String(image.index).padStart(3)}  ${shown}  ${toSingleLine(image.path)}`);
			}
			return ExitCode.ok;
		} finally {
			store.close();
		}
	},
};

export default similarCommand;
