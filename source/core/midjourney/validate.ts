/**
 * Validation of `/api/imagine` pages (live, or saved by the user). Strict only
 * where a page is unusable as a whole: it is not an object with a `data`
 * array, its cursor is not a cursor, or it is nested too deep to walk safely;
 * then the sync stops (exit 65) before anything from the page is stored.
 * Jobs themselves are read leniently (archive/job-rows.ts): one odd job never
 * stops a page, and a job without a string id is skipped and counted.
 */
import {hasJobId, kindOf, type OddityTally} from '../archive/job-rows.js';
import type {ApiJob, ImagineListPage} from '../job.js';

/**
 * Deeper than any real answer (a job is 3-4 levels) by far, and shallow enough
 * that storing a job (JSON.stringify recurses) never exhausts the stack.
 */
export const maxJsonDepth = 64;

/** How a path is written in messages: `data[3].prompt_meta.a` (long paths abbreviated). */
function pathText(parts: ReadonlyArray<string | number>): string {
	const written = parts.map((part, i) => (typeof part === 'number' ? `[${part}]` : /^[A-Za-z_$][\w$]*$/.test(part) ? `${i === 0 ? '' : '.'}${part}` : `[${JSON.stringify(part)}]`));
	return written.length > 12 ? `${written.slice(0, 8).join('')}…${written.slice(-2).join('')}` : written.join('') || '(top level)';
}

interface Nested {
	value: object;
	depth: number;
	parent: Nested | undefined;
	key: string | number;
}

/**
 * Where `value` first nests deeper than `maxDepth` arrays/objects, or
 * undefined. Iterative (an explicit stack, parent links instead of path
 * copies), so a 200,000-deep document is measured, not a stack overflow,
 * and a normal page costs one pass over its objects.
 */
export function findExcessiveNesting(value: unknown, maxDepth = maxJsonDepth): string | undefined {
	if (typeof value !== 'object' || value === null) return undefined;
	const stack: Nested[] = [{value, depth: 0, parent: undefined, key: ''}];
	while (stack.length > 0) {
		const node = stack.pop()!;
		if (node.depth >= maxDepth) {
			const path: Array<string | number> = [];
			for (let at: Nested | undefined = node; at?.parent; at = at.parent) path.unshift(at.key);
			return `nested deeper than ${maxDepth} levels at ${pathText(path)}`;
		}

		const container = node.value as Record<string, unknown>;
		if (Array.isArray(container)) {
			for (let i = container.length - 1; i >= 0; i--) {
				const child: unknown = container[i];
				if (typeof child === 'object' && child !== null) stack.push({value: child, depth: node.depth + 1, parent: node, key: i});
			}
		} else {
			for (const key in container) {
				const child = container[key];
				if (typeof child === 'object' && child !== null) stack.push({value: child, depth: node.depth + 1, parent: node, key});
			}
		}
	}

	return undefined;
}

/**
 * The problem that makes a parsed page unusable, or undefined when its jobs
 * can be read. `bareArray` accepts a JSON array of jobs (a saved
 * `/api/job-status` answer) as a page without a cursor.
 */
export function findPageProblem(page: unknown, options: {bareArray?: boolean} = {}): string | undefined {
	const tooDeep = findExcessiveNesting(page);
	if (tooDeep) return `the response is ${tooDeep}`;
	if (options.bareArray && Array.isArray(page)) return undefined;
	if (typeof page !== 'object' || page === null || Array.isArray(page)) return `the response is ${kindOf(page)}, expected an object with a "data" array`;
	const {data, cursor, checkpoint} = page as Record<string, unknown>;
	if (!Array.isArray(data)) return `"data" is ${data === undefined ? 'missing' : kindOf(data)}, expected an array of jobs`;
	for (const [name, value] of Object.entries({cursor, checkpoint})) {
		if (value !== undefined && value !== null && typeof value !== 'string' && typeof value !== 'number') return `"${name}" is ${kindOf(value)}, expected a string or null`;
	}

	return undefined;
}

/** A page findPageProblem() accepted, as a listing page: a bare array has no cursor; a numeric cursor is used as text. */
export function asListPage(page: unknown): ImagineListPage {
	if (Array.isArray(page)) return {data: page, cursor: null};
	const record = page as ImagineListPage;
	const cursorText = (value: unknown) => (typeof value === 'number' ? String(value) : (value as string | null | undefined));
	return {...record, cursor: cursorText(record.cursor), checkpoint: cursorText(record.checkpoint)};
}

/** The jobs of a page that can be stored (a non-empty string id); the others are counted in `oddities`, never stored. */
export function storableJobs(data: readonly unknown[], oddities?: OddityTally): ApiJob[] {
	const jobs: ApiJob[] = [];
	for (const item of data) {
		if (hasJobId(item)) jobs.push(item);
		else oddities?.add(typeof item === 'object' && item !== null && !Array.isArray(item) ? 'no string id (skipped: a job needs one to be stored)' : `${kindOf(item)} in place of a job object (skipped)`);
	}

	return jobs;
}
