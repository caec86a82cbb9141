/**
 * `import --responses <file.json|file.har>`: for users whom Cloudflare blocks
 * from calling the API, ingest `/api/imagine` answers saved from the browser's
 * network tab. Every page is validated like a live API page before anything
 * is stored; one bad page stops the import with nothing written.
 */
import {readFile} from 'node:fs/promises';
import {ExitCode, MjError} from '../errors.js';
import type {ApiJob} from '../job.js';
import type {ArchiveStore} from '../archive/store.js';
import {asListPage, findPageProblem} from '../midjourney/validate.js';

export interface ResponsesReport {
	/** Pages found (HAR entries for /api/imagine, or JSON pages). */
	pages: number;
	/** HAR entries skipped: other URLs, non-200 answers, bodies that were not saved. */
	skippedEntries: number;
	jobs: number;
	inserted: number;
	updated: number;
	unchanged: number;
}

interface HarEntry {
	request?: {url?: string};
	response?: {status?: number; content?: {text?: string; encoding?: string}};
}

function parseJson(text: string, where: string): unknown {
	try {
		return JSON.parse(text);
	} catch (error) {
		throw new MjError(`${where}: not valid JSON (${(error as Error).message})`, {exitCode: ExitCode.dataError});
	}
}

/** The /api/imagine pages inside a HAR, a single saved page, or an array of pages. */
export function extractPages(document: unknown, file: string): {pages: Array<{page: unknown; where: string}>; skippedEntries: number} {
	const log = (document as {log?: {entries?: unknown}} | null)?.log;
	if (log && Array.isArray(log.entries)) {
		const pages: Array<{page: unknown; where: string}> = [];
		let skippedEntries = 0;
		for (const [index, entry] of (log.entries as HarEntry[]).entries()) {
			let pathname = '';
			try {
				pathname = new URL(entry.request?.url ?? '').pathname;
			} catch {}
			const content = entry.response?.content;
			if (pathname !== '/api/imagine' || entry.response?.status !== 200 || typeof content?.text !== 'string') {
				skippedEntries++;
				continue;
			}
			const where = `${file}: log.entries[${index}]`;
			const text = content.encoding === 'base64' ? Buffer.from(content.text, 'base64').toString('utf8') : content.text;
			pages.push({page: parseJson(text, where), where});
		}
		return {pages, skippedEntries};
	}
	if (Array.isArray(document)) return {pages: document.map((page, index) => ({page, where: `${file}: [${index}]`})), skippedEntries: 0};
	return {pages: [{page: document, where: file}], skippedEntries: 0};
}

/** Validate every page in the file, then store all their jobs in one go (source 'responses'). */
export async function importResponses(store: ArchiveStore, file: string): Promise<ResponsesReport> {
	let text: string;
	try {
		text = await readFile(file, 'utf8');
	} catch (error) {
		throw new MjError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {exitCode: ExitCode.ioError});
	}
	const {pages, skippedEntries} = extractPages(parseJson(text, file), file);
	if (pages.length === 0) {
		throw new MjError(`${file}: no /api/imagine responses found`, {
			exitCode: ExitCode.dataError,
			hint: 'In the browser, open the network tab on midjourney.com/imagine, scroll your history, then "Save all as HAR with content".',
		});
	}
	const jobs: ApiJob[] = [];
	for (const {page, where} of pages) {
		const problem = findPageProblem(page);
		if (problem) throw new MjError(`${where}: ${problem}`, {exitCode: ExitCode.dataError, hint: 'Nothing was imported.'});
		jobs.push(...asListPage(page).data);
	}
	const result = store.upsertJobs(jobs, 'responses');
	return {pages: pages.length, skippedEntries, jobs: jobs.length, inserted: result.inserted, updated: result.updated, unchanged: result.unchanged};
}
