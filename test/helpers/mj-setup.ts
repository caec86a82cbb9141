/**
 * Shared set-up for the client and sync tests: a client configured against a
 * running stand-in, and a dump of an archive's stored data for before/after
 * comparisons.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import {defaultConfig, type Config} from '../../source/core/config/config.js';
import type {StandIn} from '../../fixtures/types.js';
import {standInConfigValues} from '../../source/demo.js';

/** A Config that points the client at the stand-in, with fast test-friendly timings. */
export function standInConfig(standIn: StandIn, overrides: Partial<Config> = {}): Config {
	return {
		...defaultConfig,
		...standInConfigValues(standIn),
		// The client reads the account id from the token's claim, as with a real account.
		userId: undefined,
		pageSize: 100,
		pagePauseMs: 0,
		retries: 3,
		requestTimeoutMs: 5000,
		...overrides,
	};
}

/** The MJ_TUI_* variables that point the installed binary at the stand-in, with no pause between pages. */
export function standInBaseEnv(standIn: StandIn, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
	return {
		MJ_TUI_API_BASE: standIn.apiBase,
		MJ_TUI_CDN_BASE: standIn.cdnBase,
		MJ_TUI_TOKEN_BASE: standIn.tokenBase,
		MJ_TUI_TOKEN_API_KEY: standIn.tokenApiKey,
		MJ_TUI_TOKEN: standIn.token,
		MJ_TUI_REFRESH_TOKEN: standIn.refreshToken,
		MJ_TUI_PAGE_PAUSE_MS: '0',
		...extra,
	};
}

/** The same with one retry per request, so a test's faults resolve quickly. */
export function standInEnv(standIn: StandIn, overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
	return standInBaseEnv(standIn, {MJ_TUI_RETRIES: '1', ...overrides});
}

/** A fresh temporary archive folder. */
export function temporaryArchive(): string {
	return fs.mkdtempSync(path.join(os.tmpdir(), 'mj-tui-sync-'));
}

/** Every stored row of the archive's data tables (not the sync_runs log), as comparable text. */
export function dumpArchive(db: Database.Database): string {
	const tables = db
		.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'jobs_fts_%' AND name != 'sync_runs' ORDER BY name")
		.pluck()
		.all() as string[];
	const dump: Record<string, unknown[]> = {};
	for (const table of tables) {
		const rowid = table === 'jobs_fts' ? 'rowid, ' : '';
		dump[table] = db.prepare(`SELECT ${rowid}* FROM "${table}" ORDER BY 1`).raw().all();
	}
	return JSON.stringify(dump);
}

/** Listing requests the stand-in served. */
export function listingRequests(standIn: StandIn): number {
	return standIn.requests().filter(entry => entry.route === 'api' && entry.path.startsWith('/api/imagine')).length;
}
