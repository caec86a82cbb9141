/**
 * A long message (a missing token's instructions) opens in a message box at
 * 80x24 that can be read in full: it scrolls with j/PgDn, closes with Esc or
 * Enter, and `!` opens it again. Through the whole app with a real archive
 * and engine; the sync fails the way a missing token makes it fail.
 */
import test from 'ava';
import React from 'react';
import {render} from 'ink-testing-library';
import {defaultConfig} from '../../source/core/config/config.js';
import {createDownloadEngine} from '../../source/core/downloads/engine.js';
import {ExitCode, MjError} from '../../source/core/errors.js';
import {freshTokenHint} from '../../source/core/midjourney/auth.js';
import {App} from '../../source/ui/app.js';
import type {TuiServices} from '../../source/ui/services.js';
import {themeFor} from '../../source/ui/theme.js';
import {keys, makeArchive, waitForFrame} from '../helpers/ui-testing.js';

const plain = themeFor({NO_COLOR: '1'});

for (const [columns, rows] of [
	[80, 24],
	[60, 12],
] as const) {
test(`${columns}x${rows}: a missing token’s instructions open in a box that scrolls to the end and closes with Esc or Enter`, async t => {
	const archive = makeArchive(5);
	const engine = createDownloadEngine(archive.store, {...defaultConfig, archive: archive.dir});
	t.teardown(async () => {
		await engine.stop({immediate: true});
		archive.cleanup();
	});
	const services: TuiServices = {
		archive: archive.store,
		engine,
		sync: () => Promise.reject(new MjError('No Midjourney token is configured.', {exitCode: ExitCode.auth, hint: freshTokenHint})),
		openImage: file => `image: ${file}`,
	};
	const app = render(<App services={services} columns={columns} rows={rows} theme={plain} searchDebounceMs={30} />);
	Object.defineProperty(app.stdout, 'columns', {get: () => columns});
	app.stdout.emit('resize');
	t.teardown(() => app.unmount());
	await waitForFrame(app.lastFrame, text => text.includes('of 5'));

	app.stdin.write('s');
	let frame = await waitForFrame(app.lastFrame, text => text.includes('Sync failed'));
	for (const line of frame.split('\n')) t.true([...line].length <= columns, line);
	t.true(frame.split('\n').length <= rows - 1);
	t.true(frame.includes('No Midjourney token is configured.'));
	t.regex(frame, /j\/↓ scroll · Esc\/Enter close/);
	// Read to the end: every word of the hint shows at some scroll position.
	let seen = frame;
	const atEnd = (text: string) => {
		const scrolled = /(\d+)–(\d+) of (\d+) lines/.exec(text);
		return !scrolled || scrolled[2] === scrolled[3];
	};
	while (!atEnd(frame)) {
		app.stdin.write('j');
		frame = await waitForFrame(app.lastFrame, text => text !== frame);
		seen += frame;
	}
	if (rows < 24) t.regex(seen, /1–\d+ of \d+ lines/, 'a small terminal scrolls');
	const words = seen.replace(/[│╭╮╰╯─]/g, ' ').replace(/\s+/g, ' ');
	for (const word of freshTokenHint.split(/\s+/)) t.true(words.includes(word), `"${word}" never shown`);

	app.stdin.write(keys.escape);
	frame = await waitForFrame(app.lastFrame, text => !text.includes('Sync failed'));
	t.true(frame.includes('sync error: No Midjourney token'), 'the status line keeps the short form');
	app.stdin.write('!');
	await waitForFrame(app.lastFrame, text => text.includes('Sync failed'));
	app.stdin.write(keys.enter);
	frame = await waitForFrame(app.lastFrame, text => !text.includes('Sync failed'));
	t.true(frame.includes('of 5'), 'back at the jobs');
});
}
