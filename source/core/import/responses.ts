/**
 * `import --responses <file.json|file.har>`: for users whom Cloudflare blocks
 * from calling the API, ingest answers saved from the browser's network tab:
 * `/api/imagine` pages and `/api/job-status` answers (a bare JSON array of
 * jobs). A file or page that is unusable as a whole (not JSON, no job array,
 * nested absurdly deep) stops the import with nothing written; odd jobs never
 * do: they are stored as far as they can be read and counted in `oddities`.
 */
import {readFile, stat} from 'node:fs/promises';
import {OddityTally} from '../archive/job-rows.js';
import type {ArchiveStore} from '../archive/store.js';
import {ExitCode, MjError} from '../errors.js';
import type {ApiJob} from '../job.js';
import {asListPage, findExcessiveNesting, findPageProblem, storableJobs} from '../midjourney/validate.js';

export interface ResponsesReport {
	/** Pages found (HAR entries for /api/imagine or /api/job-status, or JSON pages). */
	pages: number;
	/** HAR entries skipped: other URLs, non-200 answers, bodies that were not saved. */
	skippedEntries: number;
	jobs: number;
	inserted: number;
	updated: number;
	unchanged: number;
	/** Odd fields, counted once per kind: "3 jobs had parent_grid as a string". */
	oddities: Record<string, number>;
}

interface HarEntry {
	request?: {url?: string};
	response?: {status?: number; content?: {text?: string; encoding?: string}};
}

/** Larger than any saved session by far; beyond it Node cannot even hold the text. */
export const maxResponsesFileBytes = 512 * 1024 * 1024;
/** Saved answers that hold the account's own jobs (explore-likes holds other people's, so it is left out). */
const jobAnswerPaths = new Set(['/api/imagine', '/api/job-status']);

function parseJson(text: string, where: string): unknown {
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch (error) {
		throw new MjError(`${where}: not valid JSON (${(error as Error).message})`, {exitCode: ExitCode.dataError, hint: 'Nothing was imported.'});
	}
	const tooDeep = findExcessiveNesting(parsed);
	if (tooDeep) throw new MjError(`${where}: the JSON is ${tooDeep}; no saved answer nests like that`, {exitCode: ExitCode.dataError, hint: 'Nothing was imported.'});
	return parsed;
}

/** A saved listing page has `data` (its jobs) where a job has its `id`; a broken page is still a page, to be refused as one. */
function looksLikeListingPage(value: unknown): boolean {
	return typeof value === 'object' && value !== null && 'data' in value && !('id' in value);
}

/** The job pages inside a HAR, a single saved page, an array of pages, or a bare array of jobs. */
export function extractPages(document: unknown, file: string): {pages: Array<{page: unknown; where: string}>; skippedEntries: number} {
	const log = (document as {log?: {entries?: unknown}} | null)?.log;
	if (log && Array.isArray(log.entries)) {
		const pages: Array<{page: unknown; where: string}> = [];
		let skippedEntries = 0;
		for (const [index, entry] of (log.entries as HarEntry[]).entries()) {
			let pathname = '';
			try {
				pathname = new URL(entry?.request?.url ?? '').pathname;
			} catch {}
			const content = entry?.response?.content;
			if (!jobAnswerPaths.has(pathname) || entry.response?.status !== 200 || typeof content?.text !== 'string') {
				skippedEntries++;
				continue;
			}
			const where = `${file}: log.entries[${index}]`;
			const text = content.encoding === 'base64' ? Buffer.from(content.text, 'base64').toString('utf8') : content.text;
			pages.push({page: parseJson(text, where), where});
		}
		return {pages, skippedEntries};
	}
	// An array of saved pages, or one saved /api/job-status answer: a bare array of jobs.
	if (Array.isArray(document) && document.length > 0 && document.every(item => looksLikeListingPage(item))) {
		return {pages: document.map((page, index) => ({page, where: `${file}: [${index}]`})), skippedEntries: 0};
	}
	return {pages: [{page: document, where: file}], skippedEntries: 0};
}

async function readResponsesFile(file: string): Promise<string> {
	try {
		const info = await stat(file);
		if (info.size > maxResponsesFileBytes) {
			throw new MjError(`${file}: ${info.size} bytes is larger than a saved session can be (at most ${maxResponsesFileBytes} bytes)`, {exitCode: ExitCode.dataError, hint: 'Nothing was imported. Save fewer answers per file.'});
		}
		return await readFile(file, 'utf8');
	} catch (error) {
		if (error instanceof MjError) throw error;
		throw new MjError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {exitCode: ExitCode.ioError});
	}
}

/** Validate every page in the file, then store all their jobs in one go (source 'responses'). */
export async function importResponses(store: ArchiveStore, file: string): Promise<ResponsesReport> {
	const {pages, skippedEntries} = extractPages(parseJson(await readResponsesFile(file), file), file);
	if (pages.length === 0) {
		throw new MjError(`${file}: no /api/imagine or /api/job-status responses found`, {
			exitCode: ExitCode.dataError,
			hint: 'In the browser, open the network tab on midjourney.com/imagine, scroll your history, then "Save all as HAR with content".',
		});
	}
	const oddities = new OddityTally();
	const jobs: ApiJob[] = [];
	for (const {page, where} of pages) {
		const problem = findPageProblem(page, {bareArray: true});
		if (problem) throw new MjError(`${where}: ${problem}`, {exitCode: ExitCode.dataError, hint: 'Nothing was imported.'});
		jobs.push(...storableJobs(asListPage(page).data, oddities));
	}
	const result = store.upsertJobs(jobs, 'responses', oddities);
	return {pages: pages.length, skippedEntries, jobs: jobs.length, inserted: result.inserted, updated: result.updated, unchanged: result.unchanged, oddities: oddities.toJSON()};
}
