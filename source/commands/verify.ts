/**
 * `mj-tui verify [--repair] [--json]`: re-hash every archived file and report
 * missing, corrupt and orphaned files and stale partials. Exit 1 when any
 * problem remains; --repair re-downloads missing and corrupt files first.
 */
import {withArchiveClaim} from '../core/archive/claims.js';
import {ExitCode} from '../core/errors.js';
import {toSingleLine} from '../core/terminal-text.js';
import {formatBytes, formatRate} from '../core/units.js';
import {repairArchive, verifyArchive, type VerifyProblem} from '../core/verify.js';
import {fillPerceptualHashes} from '../core/similar/fill-hashes.js';
import type {FlagDefinitions} from '../args/flags.js';
import {openArchive, parseCommandArgs, wantsJson, writeLine} from './shared.js';

const verifyFlags = {
	repair: {type: 'boolean', description: 'Re-download missing and corrupt files, then re-check them'},
} as const satisfies FlagDefinitions;
import type {Command} from './types.js';

const help = `Usage: mj-tui verify [--repair] [--json]

Re-hashes every downloaded file against the sha256 recorded at download time.
Reports: missing (in the archive, not on disk), corrupt (size or hash differ),
orphan (under images/ but unknown to the archive), stale-partial (.parts/
files nothing will resume), stale-temp (temp files of a killed command;
mj-tui clean removes them). Exit 0 when all is well, 1 when a problem remains.
Then computes the perceptual hashes (for mj-tui similar) that files lack.

  --repair   move corrupt files to .quarantine/, re-download missing and
             corrupt ones, then re-check them (orphans are only reported)
  --json     one JSON report`;

function problemLine(problem: VerifyProblem): string {
	return `${problem.kind.padEnd(13)} ${toSingleLine(problem.path)}${problem.detail ? `  (${toSingleLine(problem.detail)})` : ''}`;
}

export const verifyCommand: Command = {
	name: 'verify',
	summary: 'Re-hash archived files; report missing, corrupt, orphaned files, stale partials and temps (--repair re-downloads)',
	flags: verifyFlags,
	async run(context) {
		const {flags} = parseCommandArgs('verify', context.argv, verifyFlags);
		if (flags.help) {
			await writeLine(context, help);
			return ExitCode.ok;
		}
		const json = wantsJson(context.config, flags);
		const store = openArchive(context, flags, {readonly: false});
		try {
			// Repairing downloads, so it needs the archive to itself (exit 75 while another mj-tui writes it).
			return flags.repair === true ? await withArchiveClaim(store, 'repairing the archive (verify --repair)', context.signal, check) : await check();
		} finally {
			store.close();
		}

		async function check(): Promise<number> {
			const report = await verifyArchive(store, {signal: context.signal});
			let remaining = report.problems;
			let repair;
			if (flags.repair === true && report.problems.some(problem => problem.kind === 'missing' || problem.kind === 'corrupt')) {
				repair = await repairArchive(store, context.config, report.problems, {signal: context.signal});
				remaining = [...repair.unrepairable, ...repair.after.problems];
			}
			// Files downloaded before hashes existed, or by the interactive app, get theirs here.
			const perceptualHashes = await fillPerceptualHashes(store, {signal: context.signal});
			if (json) {
				await writeLine(context, JSON.stringify({...report, repair, remaining, clean: remaining.length === 0, perceptualHashes}));
			} else {
				const rate = report.durationMs > 0 ? formatRate((report.bytes / report.durationMs) * 1000) : '';
				await writeLine(context, `Checked ${report.checked} files (${formatBytes(report.bytes)}, ${rate}): ${report.ok} ok, ${report.problems.length} problem(s)`);
				for (const problem of report.problems) await writeLine(context, problemLine(problem));
				if (repair) {
					await writeLine(context, `Repair: ${repair.requeued} re-queued, ${repair.download.downloaded} downloaded, ${repair.download.failed} failed${repair.quarantined.length ? `; corrupt files kept in .quarantine/ (${repair.quarantined.length})` : ''}`);
					for (const problem of remaining) await writeLine(context, `still ${problemLine(problem)}`);
				}
				if (perceptualHashes.hashed + perceptualHashes.unhashable > 0) {
					await writeLine(context, `Perceptual hashes: ${perceptualHashes.hashed} computed, ${perceptualHashes.unhashable} file(s) not hashable (videos, undecodable)`);
				}
			}
			return remaining.length === 0 ? ExitCode.ok : ExitCode.someFailed;
		}
	},
};

export default verifyCommand;
