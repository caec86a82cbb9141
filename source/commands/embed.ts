/**
 * `mj-tui embed`: write each archived PNG's full command and job id into the
 * file itself (PNG `Description` text + XMP), so the prompt travels with the
 * image. Files are rewritten atomically and the archive's sha256/bytes follow.
 */
import {ExitCode} from '../core/errors.js';
import {embedJobMetadata} from '../core/png-text.js';
import {toSingleLine} from '../core/terminal-text.js';
import {storedPathLocation} from '../core/verify.js';
import {openArchive, parseCommandArgs, wantsJson, writeLine} from './search.js';
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
		const report = {embedded: 0, unchanged: 0, failed: [] as Array<{path: string; reason: string}>};
		try {
			const rows = store.db.prepare(`SELECT i.id, i.path, j.id AS job_id, j.full_command FROM images i JOIN jobs j ON j.id = i.job_id WHERE i.status = 'done' AND i.variant = 'png' AND i.path IS NOT NULL AND i.id > ? ORDER BY i.id LIMIT 500`);
			const record = store.db.prepare(`UPDATE images SET sha256 = ?, bytes = ?, updated_at = ? WHERE id = ?`);
			let lastId = 0;
			for (;;) {
				const page = rows.all(lastId) as Array<{id: number; path: string; job_id: string; full_command: string}>;
				if (page.length === 0) break;
				lastId = page.at(-1)!.id;
				for (const row of page) {
					context.signal.throwIfAborted();
					try {
						const written = await embedJobMetadata(storedPathLocation(store.dir, row.path), {fullCommand: row.full_command, id: row.job_id});
						if (written) {
							record.run(written.sha256, written.bytes, Date.now(), row.id);
							report.embedded++;
						} else report.unchanged++;
					} catch (error) {
						report.failed.push({path: row.path, reason: (error as Error).message});
					}
				}
			}
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
