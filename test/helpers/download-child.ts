/**
 * A batch download in its own process, for the kill -9 tests: opens the
 * archive in MJ_TUI_ARCHIVE and downloads everything missing from the
 * stand-in CDN at MJ_TUI_CDN_BASE, capped at MJ_TUI_LIMIT_RATE bytes/s so
 * the parent can kill it mid-file. Prints the summary as JSON when done.
 */
import {ArchiveStore} from '../../source/core/archive/store.js';
import {defaultConfig} from '../../source/core/config/config.js';
import {runDownloads} from '../../source/core/downloads/run.js';

const env = process.env;
const store = ArchiveStore.open(env.MJ_TUI_ARCHIVE!);
try {
	const summary = await runDownloads({
		store,
		config: {
			...defaultConfig,
			archive: env.MJ_TUI_ARCHIVE!,
			cdnBase: env.MJ_TUI_CDN_BASE!,
			limitRate: Number(env.MJ_TUI_LIMIT_RATE ?? 0),
			concurrency: 4,
			perHostConcurrency: 4,
		},
	});
	process.stdout.write(`${JSON.stringify(summary)}\n`);
} finally {
	store.close();
}
