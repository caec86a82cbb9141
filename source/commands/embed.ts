/**
 * `mj-tui embed`: write each archived PNG's full command and job id into the
 * file itself (PNG `Description` text + XMP), so the prompt travels with the
 * image. Files are rewritten atomically and the archive's sha256/bytes follow.
 */
import {withArchiveClaim} from '../core/archive/claims.js';
import {ExitCode} from '../core/errors.js';
import {embedArchiveMetadata} from '../core/metadata/embed-archive.js';
import {writingArchiveTemps} from '../core/temp-files.js';
import {toSingleLine} from '../core/terminal-text.js';
import {openArchive, parseCommandArgs, wantsJson, writeLine} from './shared.js';
import type {Command} from './types.js';

export const embedCommand: Command = {
	name: 'embed',
	summary: 'Write the full command and job id into every archived PNG (Description text + XMP)',
	flags: {},
	async run(context) {
		const {flags} = parseCommandArgs('embed', context.argv, {});
		if (flags.help) {
			await writeLine(context, 'Usage: mj-tui embed [--json]\n\nWrites "<full_command> Job ID: <uuid>" as a PNG Description chunk and an XMP\npacket into every downloaded PNG; the archive records the new sha256.');
			return ExitCode.ok;
		}
		const store = openArchive(context, flags);
		try {
			// Temps a killed earlier embed left beside the PNGs go first.
			const report = await withArchiveClaim(store, 'embedding metadata into PNGs', context.signal, () =>
				writingArchiveTemps(store, 'embed', () => embedArchiveMetadata(store, {signal: context.signal})),
			);
			if (wantsJson(context.config, flags)) await writeLine(context, JSON.stringify(report));
			else {
				await writeLine(context, `Embedded metadata in ${report.embedded} PNG(s); ${report.unchanged} already carried it; ${report.failed.length} failed`);
				for (const failure of report.failed) await writeLine(context, `failed ${toSingleLine(failure.path)}  (${toSingleLine(failure.reason)})`);
			}
			return report.failed.length === 0 ? ExitCode.ok : ExitCode.someFailed;
		} finally {
			store.close();
		}
	},
};

export default embedCommand;
