/**
 * A sync in its own process, for the kill -9 tests: opens the archive in
 * MJ_TUI_ARCHIVE and syncs from the stand-in whose URLs and tokens come in
 * the environment, printing `page <n>` after each stored page.
 */
import {ArchiveStore} from '../../source/core/archive/store.js';
import {defaultConfig} from '../../source/core/config/config.js';
import {MidjourneyClient} from '../../source/core/midjourney/client.js';
import {syncJobs} from '../../source/core/sync.js';

const env = process.env;
const config = {
	...defaultConfig,
	apiBase: env.MJ_TUI_API_BASE!,
	tokenBase: env.MJ_TUI_TOKEN_BASE!,
	tokenApiKey: env.MJ_TUI_TOKEN_API_KEY!,
	token: env.MJ_TUI_TOKEN,
	refreshToken: env.MJ_TUI_REFRESH_TOKEN,
	pageSize: Number(env.MJ_TUI_PAGE_SIZE ?? 50),
	pagePauseMs: Number(env.MJ_TUI_PAGE_PAUSE_MS ?? 0),
};
const store = ArchiveStore.open(env.MJ_TUI_ARCHIVE!);
const client = new MidjourneyClient(config);
try {
	const summary = await syncJobs(store, client, {
		pagePauseMs: config.pagePauseMs,
		onProgress: progress => progress.state === 'listing' && process.stdout.write(`page ${progress.page}\n`),
	});
	process.stdout.write(`done ${JSON.stringify(summary)}\n`);
} finally {
	await client.close();
	store.close();
}
