/**
 * Two downloaders on one archive through the installed binary: a slow batch
 * holds the archive, a second batch started meanwhile must not download
 * anything twice. It stops with exit 75 naming the holder (and its JSON
 * summary); the first completes with exactly the stand-in's files.

 */
import test from 'ava';
import {assertComplete, assertRun, cdnAnswered, faultScene, finish, requireBuiltBin, until} from '../helpers/fault-run.js';

test.before(requireBuiltBin);

test('a second batch while one downloads: exit 75 naming the holder, never a file twice', async t => {
	const scene = await faultScene(t, {jobs: 12, imageBytes: 32 * 1024});
	const first = scene.start(['--limit-rate', '150k']);
	await until(first, () => cdnAnswered(scene.standIn) >= 2, 'the first batch was downloading');
	const second = await finish(scene, scene.start());
	assertRun(t, second, 75);
	t.regex(second.outcome.stderr, /in use by another mj-tui \(process \d+/, 'the message names who holds the archive');
	const done = await finish(scene, first, true);
	assertRun(t, done, 0);
	assertComplete(t, scene);
});
