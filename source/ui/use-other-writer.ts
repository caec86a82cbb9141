/**
 * Another process writing the archive (a cron `--batch`, a second app): while
 * it does, this app's downloads and syncs are refused naming it, so the
 * status line says so before the user presses `d` to find out. The claim is
 * one `meta` row: read when the app starts and every two seconds.
 */
import {useEffect, useState} from 'react';
import type {ClaimHolder} from '../core/archive/claims.js';
import {toSingleLine} from '../core/terminal-text.js';
import {formatJobDate} from './jobs-table/job-columns.js';
import type {ArchiveSource} from './archive-source.js';

const pollMs = 2000;

/** The status line's words for the holder: `archive in use by process 4121 (syncing the listing, since 2026-12-05 03:00): browsing only`. */
export function otherWriterText(holder: ClaimHolder): string {
	const since = holder.since > 0 ? `, since ${formatJobDate(holder.since)}` : '';
	return `archive in use by process ${holder.pid} (${toSingleLine(holder.doing)}${since}): browsing only`;
}

/** The status line's text while another process holds the archive's writer claim; undefined while none does (or the archive cannot say). */
export function useOtherWriter(archive: ArchiveSource): string | undefined {
	const [text, setText] = useState<string | undefined>(undefined);
	useEffect(() => {
		const look = () => {
			try {
				const holder = archive.claims.otherWriter();
				// Same text, same state: React skips the render.
				setText(holder ? otherWriterText(holder) : undefined);
			} catch {
				// A busy or locked archive: look again next time.
			}
		};
		look();
		const timer = setInterval(look, pollMs);
		return () => clearInterval(timer);
	}, [archive]);
	return text;
}
