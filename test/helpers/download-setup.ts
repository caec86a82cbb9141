/**
 * Shared set-up for the download tests: a real stand-in CDN on 127.0.0.1, a
 * real archive in a temp folder holding the stand-in's jobs, and checks of
 * the files on disk against the exact bytes the stand-in serves.
 */
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {ExecutionContext} from 'ava';
import {startStandIn} from '../../fixtures/stand-in.js';
import type {StandIn, StandInOptions} from '../../fixtures/types.js';
import {ArchiveStore} from '../../source/core/archive/store.js';
import {defaultConfig, type Config} from '../../source/core/config/config.js';
import type {ImageRow} from '../../source/core/archive/images.js';
import {readArchiveDb} from './archive-db.js';

export interface DownloadFixture {
	standIn: StandIn;
	store: ArchiveStore;
	dir: string;
	config: Config;
}

/** A stand-in with `jobs` jobs, an archive holding them, and a fast-failing config; closed after the test. */
export async function downloadFixture(t: ExecutionContext, options: StandInOptions & {config?: Partial<Config>} = {}): Promise<DownloadFixture> {
	const standIn = await startStandIn({jobs: 3, imageBytes: 64 * 1024, ...options});
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-tui-dl-'));
	const store = ArchiveStore.open(dir);
	store.upsertJobs(standIn.jobs());
	const config: Config = {
		...defaultConfig,
		archive: dir,
		cdnBase: standIn.cdnBase,
		apiBase: standIn.apiBase,
		retries: 3,
		retryAfterCapMs: 5000,
		// The product's default: a shorter stall (and headers) timeout turns a loaded machine's pauses into retries,
		// and the tests that count requests would count those. Tests of a real stall set their own.
		stallTimeoutMs: 30_000,
		...options.config,
	};
	t.teardown(async () => {
		store.close();
		await standIn.close();
		fs.rmSync(dir, {recursive: true, force: true});
	});
	return {standIn, store, dir, config};
}

export function sha256(data: Buffer): string {
	return createHash('sha256').update(data).digest('hex');
}

/** Every images row. */
export function imageRows(store: ArchiveStore): ImageRow[] {
	return readArchiveDb(store.dir, db => db.prepare('SELECT * FROM images ORDER BY id').all() as ImageRow[]);
}

/** The CDN path of a row's URL (`/<job>/0_0.png`, with query); rows of Midjourney files store just that. */
export function cdnPath(url: string): string {
	if (url.startsWith('/')) return url;
	const parsed = new URL(url);
	return parsed.pathname + parsed.search;
}

/**
 * Assert every row is done and its file on disk has exactly the bytes the
 * stand-in serves (sha256 in the row and of the file). Returns how many files.
 */
export function assertAllFilesCorrect(t: ExecutionContext, fixture: DownloadFixture): number {
	const rows = imageRows(fixture.store);
	const expected = fixture.standIn.jobs().flatMap((job) => fixture.standIn.filePaths(job.id));
	t.is(rows.length, expected.length, 'one row per file the CDN has');
	for (const row of rows) {
		const want = sha256(fixture.standIn.fileBytes(cdnPath(row.url)));
		t.is(row.status, 'done', `${row.url} is done (last error: ${row.last_error})`);
		t.is(row.sha256, want, `${row.url}: recorded sha256`);
		t.is(sha256(fs.readFileSync(path.join(fixture.dir, row.path!))), want, `${row.url}: bytes on disk`);
	}
	t.deepEqual(listParts(fixture.dir), [], 'no partial left behind');
	return rows.length;
}

/** Partials in <archive>/.parts. */
export function listParts(dir: string): string[] {
	try {
		return fs.readdirSync(path.join(dir, '.parts'));
	} catch {
		return [];
	}
}

/** Requests the stand-in's CDN served for one path (with query), in order. */
export function cdnRequests(standIn: StandIn, pathWithQuery: string) {
	return standIn.requests().filter((r) => r.route === 'cdn' && r.path === pathWithQuery);
}

/** Resolve once `condition` holds, polling; fails the wait after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
	const started = Date.now();
	while (!condition()) {
		if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}
