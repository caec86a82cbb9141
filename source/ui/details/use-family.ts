/**
 * The details pane's Family section: the shown job's parent (the grid and
 * image it came from) and its children (variations, upscales, pans, videos
 * made from it), re-read when the archive changes, and the jumps between
 * them: Enter on a relative's line, `u` to the parent. A jump selects the job
 * in the jobs table; when the jobs filter hides it, the filter is cleared
 * first and the notice says so.
 */
import {useCallback, useEffect, useMemo, useRef} from 'react';
import type {FamilyMember} from '../../core/archive/lineage.js';
import type {Job} from '../../core/job.js';
import {relationOf, relativeKind} from '../../core/lineage-tree.js';
import {toSingleLine} from '../../core/terminal-text.js';
import type {ArchiveSource} from '../archive-source.js';

/** One selectable line of the Family section. */
export type FamilyLine =
	| {role: 'parent'; id: string; member: FamilyMember | undefined; fromImage: number | null}
	| {role: 'child'; id: string; member: FamilyMember};

export interface FamilyOptions {
	archive: ArchiveSource;
	job: Job | undefined;
	/** Bumped when archived data changed: relatives are read again. */
	dataVersion: number;
	/** Select a job in the jobs table; false when the filter hides it (or it is not archived). */
	jumpTo: (jobId: string) => boolean;
	/** Drop the jobs filter (the table then shows every job). */
	clearFilter: () => void;
	info: (text: string) => void;
}

/** How a jump names its target in a notice. */
function describe(line: FamilyLine): string {
	if (line.role === 'parent') return `the parent ${toSingleLine(line.id)}`;
	return `the ${relativeKind(line.member)} ${toSingleLine(line.id)}`;
}

/** The family lines of the shown job, and `jump(line)` / `toParent()` for the key handlers. */
export function useFamily({archive, job, dataVersion, jumpTo, clearFilter, info}: FamilyOptions) {
	const lines = useMemo((): FamilyLine[] => {
		if (!job) return [];
		const parent: FamilyLine[] = job.parentId ? [{role: 'parent', id: job.parentId, member: archive.lineage.member(job.parentId), fromImage: job.parentGrid}] : [];
		return [...parent, ...archive.lineage.children(job.id).map((member): FamilyLine => ({role: 'child', id: member.id, member}))];
	}, [archive, job?.id, job?.parentId, job?.parentGrid, dataVersion]);

	// A jump that had to clear the filter first: taken once the table shows the unfiltered list.
	const pendingJump = useRef<{id: string; what: string; failedWith: FamilyOptions['jumpTo']} | undefined>(undefined);
	useEffect(() => {
		const pending = pendingJump.current;
		// Wait for the table's jumpTo of the cleared filter: this one already failed.
		if (!pending || pending.failedWith === jumpTo) return;
		pendingJump.current = undefined;
		if (!jumpTo(pending.id)) info(`${pending.what} is not in the jobs list`);
	}, [jumpTo, info]);

	const jump = useCallback(
		(line: FamilyLine) => {
			const what = describe(line);
			if (!archive.getJob(line.id)) return info(`${what} is not in the archive (a sync with --full may bring it)`);
			if (jumpTo(line.id)) return;
			pendingJump.current = {id: line.id, what, failedWith: jumpTo};
			clearFilter();
			info(`filter cleared: ${what} is outside it`);
		},
		[archive, jumpTo, clearFilter, info],
	);

	// The job `u` left: the parent's details select its line, so Enter goes back down.
	const cameFrom = useRef<string | undefined>(undefined);
	const toParent = useCallback(
		(target: Job | undefined) => {
			if (!target) return info('no job selected');
			if (!target.parentId) return info(`${toSingleLine(target.id)} has no parent: it is an original ${relationOf(target)}`);
			cameFrom.current = target.id;
			jump({role: 'parent', id: target.parentId, member: undefined, fromImage: target.parentGrid});
		},
		[jump, info],
	);
	/** The line to select when a new job is shown: the child `u` came from, else the first. */
	const takeStartLine = useCallback(() => {
		const from = cameFrom.current;
		cameFrom.current = undefined;
		return Math.max(0, lines.findIndex((line) => line.id === from));
	}, [lines]);

	return {lines, jump, toParent, takeStartLine};
}
