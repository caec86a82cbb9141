/**
 * `mj-tui sidecars`: the "after files are done" pass over an existing archive:
 * an `<image>.xmp` sidecar beside every downloaded file (rewritten only when
 * the job's metadata changed) and each file's mtime set to its job's enqueue
 * time (unless setMtime is off). Image bytes are never touched.
 */
import {ExitCode} from '../core/errors.js';
import {finishDownloadedFiles} from '../core/metadata/sidecars.js';
import {toSingleLine} from '../core/terminal-text.js';
import {openArchive, parseCommandArgs, wantsJson, writeLine} from './shared.js';
import type {Command} from './types.js';

const help = `Usage: mj-tui sidecars [--no-set-mtime] [--json]

Writes <image>.xmp beside every downloaded file: prompt (dc:title,
dc:description), job id (dc:identifier), xmp:CreateDate, xmp:Rating, keywords
(dc:subject, lr:hierarchicalSubject, digiKam:TagsList) and the full command.
A sidecar that already says the same is left alone. Each file's mtime becomes
its job's enqueue time (config setMtime; --no-set-mtime leaves times alone).`;

export const sidecarsCommand: Command = {
	name: 'sidecars',
	summary: 'Write an XMP sidecar beside every downloaded file and set file times to when each job was made',
	flags: {},
	async run(context) {
		const {flags} = parseCommandArgs('sidecars', context.argv, {});
		if (flags.help) {
			await writeLine(context, help);
			return ExitCode.ok;
		}
		// Read-only: sidecars and file times live on disk, the archive is only read.
		const store = openArchive(context, flags, {readonly: true});
		try {
			const report = await finishDownloadedFiles(store, {sidecars: true, setMtime: context.config.setMtime, signal: context.signal});
			if (wantsJson(context.config, flags)) await writeLine(context, JSON.stringify(report));
			else {
				await writeLine(context, `Wrote ${report.sidecarsWritten} sidecar(s); ${report.sidecarsUnchanged} already current; set ${report.timesSet} file time(s); ${report.failed.length} failed`);
				for (const failure of report.failed) await writeLine(context, `failed ${toSingleLine(failure.path)}  (${toSingleLine(failure.reason)})`);
			}
			return report.failed.length === 0 ? ExitCode.ok : ExitCode.someFailed;
		} finally {
			store.close();
		}
	},
};

export default sidecarsCommand;
