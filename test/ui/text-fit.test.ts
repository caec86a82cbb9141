/**
 * Paths shortened in the middle keep what tells files apart (the folder and
 * the `_0.png` / `_1.png` end); prompts wrap at spaces within a width, also
 * with wide characters and words longer than a line.
 */
import test from 'ava';
import {fitMiddle, textWidth, wrapText} from '../../source/ui/text-fit.js';

test('fitMiddle keeps the start and the end of a path, within the width', t => {
	const folder = 'images/2026/11/2026-11-20_4d89a1f1-273b-47e4-b891-cb697baec37f';
	const first = fitMiddle(`${folder}_0.png`, 40);
	const second = fitMiddle(`${folder}_1.png`, 40);
	t.not(first, second, 'two files of one job stay distinguishable');
	t.true(first.startsWith('images/2026/11/'), first);
	t.true(first.endsWith('_0.png'));
	t.true(first.includes('…'));
	t.is(textWidth(first), 40);
	t.is(fitMiddle('short.png', 40), 'short.png', 'what fits is left alone');
	for (const width of [0, 1, 2, 3, 7]) t.true(textWidth(fitMiddle(`${folder}_0.png`, width)) <= width, `width ${width}`);
	const wide = fitMiddle('画像/桜の木の下で眠る猫/猫_3.png', 16);
	t.true(textWidth(wide) <= 16, wide);
	t.true(wide.endsWith('_3.png'), wide);
});

test('wrapText breaks at spaces, keeps line breaks, and splits only words longer than a line', t => {
	t.deepEqual(wrapText('a lighthouse on a basalt cliff, oil painting', 16), ['a lighthouse on', 'a basalt cliff,', 'oil painting']);
	t.deepEqual(wrapText('line one\nline two', 40), ['line one', 'line two']);
	t.deepEqual(wrapText('https://s.mj.run/abcdefghijkl tail', 10), ['https://s.', 'mj.run/abc', 'defghijkl', 'tail']);
	for (const line of wrapText('桜の木の下で眠る猫、水彩画 富士山と新幹線', 9)) t.true(textWidth(line) <= 9, line);
	t.deepEqual(wrapText('', 10), ['']);
});
