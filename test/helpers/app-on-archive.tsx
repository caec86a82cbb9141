/**
 * The whole app over a real archive of generated jobs and a real engine (no
 * network): for tests of what the app says, at a given terminal size.
 */
import React from 'react';
import {render} from 'ink-testing-library';
import {defaultConfig} from '../../source/core/config/config.js';
import {createDownloadEngine} from '../../source/core/downloads/engine.js';
import {App} from '../../source/ui/app.js';
import type {TuiServices} from '../../source/ui/services.js';
import {themeFor} from '../../source/ui/theme.js';
import {makeArchive} from './ui-testing.js';

/** Render the app at `columns`x`rows` over `jobs` archived jobs; `sync` is what pressing s runs. Cleaned up after the test. */
export function renderAppOnArchive(t: {teardown(fn: () => unknown): void}, options: {columns: number; rows: number; jobs: number; sync?: TuiServices['sync']}) {
	const {columns, rows} = options;
	const archive = makeArchive(options.jobs);
	const engine = createDownloadEngine(archive.store, {...defaultConfig, archive: archive.dir});
	t.teardown(async () => {
		await engine.stop({immediate: true});
		archive.cleanup();
	});
	const services: TuiServices = {
		archive: archive.store,
		engine,
		sync: options.sync ?? (() => Promise.reject(new Error('no sync in this test'))),
		openImage: (file) => `image: ${file}`,
	};
	const app = render(<App services={services} columns={columns} rows={rows} theme={themeFor({NO_COLOR: '1'})} />);
	Object.defineProperty(app.stdout, 'columns', {get: () => columns});
	app.stdout.emit('resize');
	t.teardown(() => app.unmount());
	return {app, archive};
}
