/**
 * How a job reads in one table row. Every string that came from the network
 * goes through toSingleLine before it is drawn.
 */
import type {Job, JobFileCounts} from '../../core/job.js';
import {toSingleLine} from '../../core/terminal-text.js';

export interface JobColumns {
	date: number;
	type: number;
	prompt: number;
	files: number;
}

/** Column widths for a table `width` cells wide (two cells go to the selection marker). */
export function jobColumns(width: number): JobColumns {
	const date = width >= 70 ? 16 : 10;
	const type = width >= 120 ? 14 : width >= 70 ? 10 : 0;
	const files = 8;
	const gaps = type ? 3 : 2;
	return {date, type, files, prompt: Math.max(4, width - 2 - date - type - files - gaps)};
}

const pad = (value: number) => String(value).padStart(2, '0');

/** Local date and time, `2024-05-01 13:45`, or just the date when `short`; `no date` for a job the API sent without one. */
export function formatJobDate(epochMs: number | null, short = false): string {
	if (epochMs === null) return 'no date';
	const date = new Date(epochMs);
	const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
	return short ? day : `${day} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** The job's type as shown: job_type, cleaned for the terminal. */
export function formatJobType(job: Job): string {
	return toSingleLine(job.jobType || job.eventType);
}

export type FilesTone = 'none' | 'complete' | 'partial' | 'failed';

/** `4/4 ✓`, `2/4`, `2/4 ✗1`, or `-` when no files are known yet. */
export function formatFiles(files: JobFileCounts): {text: string; tone: FilesTone} {
	if (files.total === 0) return {text: '-', tone: 'none'};
	const counts = `${files.done}/${files.total}`;
	if (files.failed > 0) return {text: `${counts} ✗${files.failed}`, tone: 'failed'};
	if (files.done >= files.total) return {text: `${counts} ✓`, tone: 'complete'};
	return {text: counts, tone: 'partial'};
}

/** The prompt on one line, safe to draw. */
export function formatPrompt(job: Job): string {
	return toSingleLine(job.prompt || job.fullCommand);
}
