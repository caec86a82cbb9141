/**
 * A long message (a missing token's instructions) opens in a message box at
 * 80x24 that can be read in full: it scrolls with j/PgDn, closes with Esc or
 * Enter, and `!` opens it again. Through the whole app with a real archive
 * and engine; the sync fails the way a missing token makes it fail.
 */
import test from 'ava';
import {ExitCode, MjError} from '../../source/core/errors.js';
import {freshTokenHint} from '../../source/core/midjourney/auth.js';
import {renderAppOnArchive} from '../helpers/app-on-archive.js';
import {keys, waitForFrame} from '../helpers/ui-testing.js';

for (const [columns, rows] of [
	[80, 24],
	[60, 12],
] as const) {
	test(`${columns}x${rows}: a missing token’s instructions open in a box that scrolls to the end and closes with Esc or Enter`, async t => {
		const sync = () => Promise.reject(new MjError('No Midjourney token is configured.', {exitCode: ExitCode.auth, hint: freshTokenHint}));
		const {app} = renderAppOnArchive(t, {columns, rows, jobs: 5, sync});
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
