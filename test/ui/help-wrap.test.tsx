/**
 * Help at 80x24 wraps long descriptions under their key instead of cutting
 * them: every word of the focused pane's keys can be read.
 */
import test from 'ava';
import React from 'react';
import {render} from 'ink-testing-library';
import {HelpOverlay} from '../../source/ui/help/help-overlay.js';
import {bindingsIn} from '../../source/ui/keys.js';
import {themeFor} from '../../source/ui/theme.js';
import {wrapWords} from '../../source/ui/wrap-text.js';
import {waitForFrame} from '../helpers/ui-testing.js';

const plain = themeFor({NO_COLOR: '1'});

test('help at 80 columns shows every word of the queue’s keys, wrapped, nothing cut', async t => {
	const app = render(<HelpOverlay width={80} height={21} theme={plain} scope="queue" />);
	const frame = await waitForFrame(app.lastFrame, text => text.includes('Keys ('));
	const lines = frame.split('\n');
	t.true(lines.length <= 21);
	for (const line of lines) t.true([...line].length <= 80, line);
	t.false(frame.includes('…'), 'no description is cut');
	// Words in reading order, across the wrapped lines of a column.
	const words = frame.replace(/\s+/g, ' ');
	for (const binding of bindingsIn('queue')) {
		for (const word of binding.description.split(/\s+/)) t.true(words.includes(word), `${binding.command}: "${word}" missing`);
	}
	app.unmount();
});

test('wrapping breaks between words, and cuts only a word longer than the line', t => {
	t.deepEqual(wrapWords('Sort by state: running, failed, held', 16), ['Sort by state:', 'running, failed,', 'held']);
	t.deepEqual(wrapWords('see https://example.com/a/very/long/path', 12), ['see', 'https://exam', 'ple.com/a/ve', 'ry/long/path']);
	t.deepEqual(wrapWords('one\n\ntwo', 10), ['one', '', 'two']);
});
