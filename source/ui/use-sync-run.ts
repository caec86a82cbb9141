/** One sync at a time from the app (`s`): its state for the status line, and a way to stop it on quit. */
import {useCallback, useRef, useState} from 'react';
import {errorLine, errorText} from './error-line.js';
import type {TuiServices} from './services.js';
import type {SyncState} from './status-line/status-line.js';

/** `onJobs` hears of each stored page (and the end), so tables and totals count again. */
export function useSyncRun(sync: TuiServices['sync'], onJobs: () => void, info: (text: string) => void) {
	const [state, setState] = useState<SyncState>({state: 'idle'});
	const running = useRef<AbortController | null>(null);

	const start = useCallback(() => {
		if (running.current) return info('a sync is already running');
		const controller = new AbortController();
		running.current = controller;
		setState({state: 'syncing', page: 0, jobsNew: 0});
		sync({
			signal: controller.signal,
			onProgress(progress) {
				if (progress.state === 'listing') setState({state: 'syncing', page: progress.page, jobsNew: progress.jobsNew, jobsSeen: progress.jobsSeen});
				onJobs();
			},
		})
			.then(
				(summary) => setState({state: 'done', jobsNew: summary.jobsNew, jobsUpdated: summary.jobsUpdated}),
				(error: unknown) => setState({state: 'error', message: errorLine(error), text: errorText(error)}),
			)
			.finally(() => {
				running.current = null;
				onJobs();
			});
	}, [sync, onJobs, info]);

	const stop = useCallback(() => running.current?.abort(), []);
	return {sync: state, start, stop};
}
