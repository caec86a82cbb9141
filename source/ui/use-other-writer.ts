/**
 * Another process writing the archive (a cron `--batch`, a second app): while
 * it does, this app's downloads and syncs are refused naming it, so the
 * status line says so before the user presses `d` to find out. The claim is
 * one `meta` row: read when the app starts and every two seconds.
 */
import {useEffect, useState} from 'react';
import type {ClaimHolder} from '../core/archive/claims.js';
import type {ArchiveSource} from './archive-source.js';

const pollMs = 2000;

/** The process holding the archive's writer claim while it is not this one; undefined while none does (or the archive cannot say). */
export function useOtherWriter(archive: ArchiveSource): ClaimHolder | undefined {
	const [holder, setHolder] = useState<ClaimHolder | undefined>(undefined);
	useEffect(() => {
		let seen = '';
		const look = () => {
			try {
				const now = archive.claims.otherWriter();
				// The heartbeat changes every beat; what the line shows does not: only a new holder or task is a new state.
				const key = now ? `${now.pid}@${now.host}:${now.since}:${now.doing}` : '';
				if (key === seen) return;
				seen = key;
				setHolder(now);
			} catch {
				// A busy or locked archive: look again next time.
			}
		};
		look();
		const timer = setInterval(look, pollMs);
		return () => clearInterval(timer);
	}, [archive]);
	return holder;
}
