/**
 * `mj-tui clean --parts [--older-than 7d] [--dry-run] [--json]`: remove
 * partial downloads nothing waits for any more (and, with --older-than,
 * those untouched for that long) and report the space reclaimed.
 */
import {ExitCode, MjError} from '../core/errors.js';
import {findStaleParts, removeStaleParts} from '../core/downloads/stale-parts.js';
import {formatBytes, parseDuration} from '../core/units.js';
import {openArchive, parseCommandArgs, wantsJson, writeLine} from './search.js';
import type {Command} from './types.js';

const flags = {
	parts: {type: 'boolean', description: 'Remove stale partial downloads in <archive>/.parts'},
	olderThan: {type: 'string', value: '<duration>', description: 'Also remove partials untouched for this long (7d, 12h), even if a file still waits for them'},
	dryRun: {type: 'boolean', description: 'Only report what would be removed'},
} as const;

const help = `Usage: mj-tui clean --parts [--older-than 7d] [--dry-run] [--json]

Removes partial downloads (<archive>/.parts) that no pending file waits for:
files since finished, failed or canceled. With --older-than, also partials not
written to for that long. Reports the files removed and the space reclaimed.`;

export const cleanCommand: Command = {
	name: 'clean',
	summary: 'Remove stale partial downloads (--parts [--older-than 7d]) and report the space reclaimed',
	flags,
	async run(context) {
		const {flags: given} = parseCommandArgs('clean', context.argv, flags);
		if (given.help) {
			await writeLine(context, help);
			return ExitCode.ok;
		}
		if (given.parts !== true) throw new MjError('clean: say what to clean: --parts', {exitCode: ExitCode.usage, hint: help});
		let olderThanMs: number | undefined;
		if (typeof given.olderThan === 'string') {
			olderThanMs = parseDuration(given.olderThan);
			if (olderThanMs === undefined) throw new MjError(`clean: --older-than ${JSON.stringify(given.olderThan)} is not a duration`, {exitCode: ExitCode.usage, hint: 'Use a number and a unit: 30m, 12h, 7d, 2w.'});
		}
		const store = openArchive(context, given);
		try {
			const stale = findStaleParts(store.images, store.dir, {olderThanMs});
			if (given.dryRun !== true) removeStaleParts(store.images, store.dir, stale);
			const bytes = stale.reduce((n, part) => n + part.bytes, 0);
			if (wantsJson(context.config, given)) {
				await writeLine(context, JSON.stringify({removed: stale.length, bytes, dryRun: given.dryRun === true, files: stale}));
			} else {
				for (const part of stale) await writeLine(context, `${given.dryRun === true ? 'would remove' : 'removed'} ${part.path} (${formatBytes(part.bytes)}, ${part.reason})`);
				await writeLine(context, `${given.dryRun === true ? 'Would remove' : 'Removed'} ${stale.length} partial${stale.length === 1 ? '' : 's'}, ${formatBytes(bytes)} ${given.dryRun === true ? 'to reclaim' : 'reclaimed'}.`);
			}
			return ExitCode.ok;
		} finally {
			store.close();
		}
	},
};
