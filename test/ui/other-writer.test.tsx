/**
 * Another process writing the archive (a cron `--batch` while the app is
 * open): the status line names it from the start, `d` is refused naming it,
 * and the line clears once that process is gone. The holder is a real live
 * process (`sleep`), its claim the real `meta` row.
 */
import {spawn} from 'node:child_process';
import os from 'node:os';
import test from 'ava';
import React from 'react';
import {render} from 'ink-testing-library';
import {writerClaimKey} from '../../source/core/archive/claims.js';
import {defaultConfig} from '../../source/core/config/config.js';
import {createDownloadEngine} from '../../source/core/downloads/engine.js';
import {App} from '../../source/ui/app.js';
import {engineUnderClaim, type TuiServices} from '../../source/ui/services.js';
import {claimArchiveNow} from '../../source/core/archive/claims.js';
import {themeFor} from '../../source/ui/theme.js';
import {makeArchive, press, waitForFrame} from '../helpers/ui-testing.js';

test('another writer is named in the status line from the start, d is refused naming it, and the line clears when it ends', async (t) => {
	const archive = makeArchive(12);
	t.teardown(() => archive.cleanup());
	const holder = spawn('sleep', ['120'], {stdio: 'ignore'});
	t.teardown(() => holder.kill('SIGKILL'));
	const exited = new Promise((resolve) => holder.once('exit', resolve));
	const now = Date.now();
	archive.store.setMeta(writerClaimKey, JSON.stringify({pid: holder.pid, host: os.hostname(), since: now, doing: 'syncing the listing', beat: now}));

	const engine = createDownloadEngine(archive.store, {...defaultConfig, archive: archive.dir});
	const services: TuiServices = {
		archive: archive.store,
		// As the app wires it (mount.tsx): the first download takes the writer claim.
		engine: engineUnderClaim(engine, () => claimArchiveNow(archive.store, 'downloading files in the interactive app').release()),
		sync: () => Promise.reject(new Error('no sync in this test')),
		openImage: (absolutePath) => `image: ${absolutePath}`,
	};
	const app = render(<App services={services} columns={160} rows={30} theme={themeFor({NO_COLOR: '1'})} />);
	t.teardown(async () => {
		app.unmount();
		await engine.stop();
	});

	const named = `archive in use by process ${holder.pid} (syncing the listing, since `;
	let frame = await waitForFrame(app.lastFrame, (text) => text.includes(named) && text.includes('of 12'));
	t.regex(frame, /browsing only/);
	frame = await press(app, 'd', (text) => text.includes(`process ${holder.pid} on ${os.hostname()}`));
	t.regex(frame, /in use by another mj-tui/, 'the download is refused with the holder’s name');
	t.is(archive.store.images.ofJob(archive.store.listJobs({limit: 1})[0]!.id).length, 0, 'nothing was queued');

	// At 80 columns the line keeps the holder's pid and drops what it is doing, so the totals still fit.
	app.rerender(<App services={services} columns={80} rows={24} theme={themeFor({NO_COLOR: '1'})} />);
	frame = await waitForFrame(app.lastFrame, (text) => text.includes(`archive in use by process ${holder.pid}: browsing only`));
	t.regex(frame.split('\n').find((line) => line.includes('browsing only')) ?? '', /12 jobs/, 'the archive totals still show on that line');

	holder.kill('SIGKILL');
	await exited;
	frame = await waitForFrame(app.lastFrame, (text) => !text.includes('archive in use by process'));
	t.false(frame.includes(named), 'the holder is gone: the archive is writable again');
});
