/**
 * "More like this" (`m` on a job): the archived images whose perceptual hash
 * is nearest to the job's images, in a list over the jobs pane; Enter jumps
 * to that image's job and shows its details. The lookup (and, the first time,
 * building the index from the archive) runs after the frame that says
 * "looking…" is drawn, so the key is answered at once.
 */
import {useMemo} from 'react';
import type {Job} from '../../core/job.js';
import {similarToJob, type SimilarImage} from '../../core/similar/similar-images.js';
import {toSingleLine} from '../../core/terminal-text.js';
import type {ArchiveSource} from '../archive-source.js';
import type {CommandHandlers} from '../keys.js';
import {listCommands} from '../list-commands.js';
import {useSyncState} from '../use-sync-state.js';

/** Images listed at most: more than a screen, few enough to read the archive quickly. */
export const similarListLimit = 100;

export interface SimilarState {
	open: boolean;
	/** The job compared, and the start of its prompt for the title. */
	jobId?: string;
	prompt?: string;
	loading: boolean;
	results: SimilarImage[];
	index: number;
	error?: string;
}

const closed: SimilarState = {open: false, loading: false, results: [], index: 0};

export interface SimilarOptions {
	archive: ArchiveSource;
	currentJob: () => Job | undefined;
	/** Select a job in the jobs table; false when the filter hides it. */
	jumpTo: (jobId: string) => boolean;
	showDetails: () => void;
	info: (text: string) => void;
	/** Defers the lookup until the "looking…" frame is out (tests may run it at once). */
	defer?: (work: () => void) => void;
}

/** The list's state, `commands` for the list itself and `paneCommands` (the `m` key) for the jobs and details panes. */
export function useSimilar({archive, currentJob, jumpTo, showDetails, info, defer = (work) => setTimeout(work, 0)}: SimilarOptions) {
	const [state, setState, ref] = useSyncState<SimilarState>(closed);
	const handlers = useMemo(() => {
		const close = () => setState(closed);
		const open = () => {
			const job = currentJob();
			if (!job) return info('no job selected');
			setState({open: true, jobId: job.id, prompt: toSingleLine(job.prompt), loading: true, results: [], index: 0});
			defer(() => {
				similarToJob(archive, job.id, {limit: similarListLimit}).then(
					({similar}) => setState((now) => (now.jobId === job.id && now.open ? {...now, loading: false, results: similar} : now)),
					(error: unknown) => setState((now) => (now.jobId === job.id && now.open ? {...now, loading: false, error: toSingleLine((error as Error)?.message ?? String(error))} : now)),
				);
			});
		};
		const move = (to: (index: number, count: number) => number) => setState((now) => {
			const index = Math.max(0, Math.min(now.results.length - 1, to(now.index, now.results.length)));
			return index === now.index ? now : {...now, index};
		});
		const commands: CommandHandlers = {
			...listCommands((delta) => move((index) => index + delta), () => 10, () => move(() => 0), () => move((_, count) => count - 1)),
			'similar-accept'() {
				const chosen = ref.current.results[ref.current.index];
				if (!chosen?.jobId) return;
				close();
				if (jumpTo(chosen.jobId)) showDetails();
				else info(`job ${chosen.jobId} is hidden by the filter (F clears it)`);
			},
			'similar-close': close,
		};
		const paneCommands: CommandHandlers = {'more-like-this': open};
		return {commands, paneCommands};
	}, [archive, currentJob, jumpTo, showDetails, info, defer, setState, ref]);
	return {state, ref, ...handlers};
}
