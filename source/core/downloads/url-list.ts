/**
 * Plain URL lists (`mj-tui --batch --urls list.txt`): one URL per line, `#`
 * comments and blank lines ignored, for files that are not Midjourney jobs.
 * Each URL becomes an images row named from its host and path inside the archive.
 */
import fs from 'node:fs';
import {ExitCode, MjError} from '../errors.js';
import type {ImagesTable} from '../archive/images.js';
import {nameFromUrl} from './naming.js';
import {uniquePath} from './plan.js';

/** The URLs of a list file, in order, without duplicates. Throws MjError (64/66-like usage) naming file and line. */
export function readUrlList(file: string): URL[] {
	let text: string;
	try {
		text = fs.readFileSync(file, 'utf8');
	} catch (error) {
		throw new MjError(`cannot read the URL list ${file}: ${(error as Error).message}`, {exitCode: ExitCode.usage, cause: error});
	}
	const urls = new Map<string, URL>();
	for (const [i, raw] of text.split(/\r?\n/).entries()) {
		const line = raw.trim();
		if (line === '' || line.startsWith('#')) continue;
		let url: URL;
		try {
			url = new URL(line);
		} catch {
			throw new MjError(`${file}:${i + 1}: not a URL: ${JSON.stringify(line.slice(0, 200))}`, {exitCode: ExitCode.usage});
		}
		if (url.protocol !== 'http:' && url.protocol !== 'https:') {
			throw new MjError(`${file}:${i + 1}: only http and https URLs can be downloaded (got ${url.protocol})`, {exitCode: ExitCode.usage});
		}
		urls.set(url.href, url);
	}
	return [...urls.values()];
}

/** Add rows for these URLs (failed or canceled ones are queued again); returns their ids and how many were already done. */
export function planUrls(images: ImagesTable, urls: readonly URL[]): {ids: number[]; alreadyDone: number} {
	const taken = new Set<string>();
	const ids: number[] = [];
	let alreadyDone = 0;
	// One transaction for the whole list: one commit per URL made a 1,000-line list cost ~0.2 s before any download.
	images.inTransaction(() => {
		for (const url of urls) {
			let row = images.getByUrl(url.href);
			if (!row) {
				images.insert([{jobId: null, idx: 0, variant: 'url', url: url.href, path: uniquePath(images, nameFromUrl(url), taken)}]);
				row = images.getByUrl(url.href)!;
			} else if (row.status === 'done') alreadyDone++;
			else images.requeue(row.id);
			ids.push(row.id);
		}
	});
	return {ids, alreadyDone};
}
