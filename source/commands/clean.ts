/**
 * `mj-tui clean [--parts] [--temps] [--older-than 7d] [--dry-run] [--json]`:
 * remove partial downloads nothing waits for any more (and, with
 * --older-than, those untouched for that long) and temp files left by
 * interrupted commands, and report the space reclaimed. Without --parts or
 * --temps it does both.
 */
import {withArchiveClaim} from '../core/archive/claims.js';
import type {ArchiveStore} from '../core/archive/store.js';
import {ExitCode, MjError} from '../core/errors.js';
import {findStaleParts, removeStaleParts} from '../core/downloads/stale-parts.js';
import {sweepArchiveTemps} from '../core/temp-files.js';
import {toSingleLine} from '../core/terminal-text.js';
import {formatBytes, parseDuration} from '../core/units.js';
import {openArchive, parseCommandArgs, wantsJson, writeLine} from './shared.js';
import type {Command} from './types.js';

const flags = {
	parts: {type: 'boolean', description: 'Remove stale partial downloads in <archive>/.parts'},
	temps: {type: 'boolean', description: 'Remove temp files left by interrupted commands (import --copy, embed, ...)'},
	olderThan: {type: 'string', value: '<duration>', description: 'Also remove partials untouched for this long (7d, 12h), even if a file still waits for them'},
	dryRun: {type: 'boolean', description: 'Only report what would be removed'},
} as const;

const help = `Usage: mj-tui clean [--parts] [--temps] [--older-than 7d] [--dry-run] [--json]

--parts  removes partial downloads (<archive>/.parts) that no pending file
         waits for: files since finished, failed or canceled. With
         --older-than, also partials not written to for that long.
--temps  removes temp files (*.mj-tui-<what>-<pid>.tmp) that a killed
         import --copy, embed or other command left in the archive; a
         running process's temps are left alone.
Without --parts or --temps, both. Reports the files removed and the space reclaimed.`;

/** One removed (or, with --dry-run, removable) file. */
interface Removed {
	path: string;
	bytes: number;
	reason: string;
}

/** Remove what was asked for; the list says what went (or would go). */
async function sweep(store: ArchiveStore, what: {parts: boolean; temps: boolean; olderThanMs?: number; dryRun: boolean}): Promise<Removed[]> {
	const removed: Removed[] = [];
	if (what.parts) {
		const stale = findStaleParts(store, {olderThanMs: what.olderThanMs});
		if (!what.dryRun) removeStaleParts(store, stale);
		removed.push(...stale);
	}
	if (what.temps) {
		const temps = await sweepArchiveTemps(store, {dryRun: what.dryRun});
		removed.push(...temps.map(temp => ({path: temp.path, bytes: temp.bytes, reason: `left by an interrupted ${temp.purpose}`})));
	}
	return removed;
}

export const cleanCommand: Command = {
	name: 'clean',
	summary: 'Remove stale partial downloads and temp files of interrupted commands (--parts, --temps, --older-than 7d), and report the space reclaimed',
	flags,
	async run(context) {
		const {flags: given} = parseCommandArgs('clean', context.argv, flags);
		if (given.help) {
			await writeLine(context, help);
			return ExitCode.ok;
		}
		let olderThanMs: number | undefined;
		if (typeof given.olderThan === 'string') {
			olderThanMs = parseDuration(given.olderThan);
			if (olderThanMs === undefined) throw new MjError(`clean: --older-than ${JSON.stringify(given.olderThan)} is not a duration`, {exitCode: ExitCode.usage, hint: 'Use a number and a unit: 30m, 12h, 7d, 2w.'});
		}
		const both = given.parts !== true && given.temps !== true;
		const what = {parts: both || given.parts === true, temps: both || given.temps === true, olderThanMs, dryRun: given.dryRun === true};
		const store = openArchive(context, given);
		try {
			// Removing partials changes image rows: not while another mj-tui downloads into this archive.
			const removed = what.dryRun ? await sweep(store, what) : await withArchiveClaim(store, 'cleaning partials and temp files', context.signal, () => sweep(store, what));
			const bytes = removed.reduce((n, file) => n + file.bytes, 0);
			if (wantsJson(context.config, given)) {
				await writeLine(context, JSON.stringify({removed: removed.length, bytes, dryRun: what.dryRun, files: removed}));
			} else {
				for (const file of removed) await writeLine(context, `${what.dryRun ? 'would remove' : 'removed'} ${toSingleLine(file.path)} (${formatBytes(file.bytes)}, ${file.reason})`);
				const noun = what.parts && what.temps ? 'file' : what.parts ? 'partial' : 'temp file';
				await writeLine(context, `${what.dryRun ? 'Would remove' : 'Removed'} ${removed.length} ${noun}${removed.length === 1 ? '' : 's'}, ${formatBytes(bytes)} ${what.dryRun ? 'to reclaim' : 'reclaimed'}.`);
			}
			return ExitCode.ok;
		} finally {
			store.close();
		}
	},
};
