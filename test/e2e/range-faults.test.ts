/**
 * A CDN that gets ranges wrong, through the installed binary: partials are
 * left by truncated bodies, and the resumes meet a server that ignores Range
 * (200 with the whole file) or answers with a Content-Range that starts
 * elsewhere. Either way the files end byte for byte right, exit 0.
 *
 * The files are 1 MiB, so a truncated body's first half (512 KiB) is more than
 * the partial's write buffer (256 KiB): the client stops reading until bytes
 * are on disk, and the retry always has a partial to resume. With small files
 * the whole half and the connection's end can arrive before the partial is
 * open; the retry then starts from 0 and never meets the range fault.
 */
import test from 'ava';
import {assertComplete, assertRun, faultRun, requireBuiltBin} from '../helpers/fault-run.js';

test.before(requireBuiltBin);

for (const kind of ['ignore-range', 'wrong-range'] as const) {
	test(`${kind} on resumed transfers: every file byte for byte, exit 0`, async t => {
		const run = await faultRun(t, {imageBytes: 1024 * 1024, faults: [{kind: 'truncate', route: 'cdn', count: 4}, {kind, count: 4}]});
		assertRun(t, run, 0);
		assertComplete(t, run.scene);
		const ranged = run.scene.standIn.requests().filter(entry => entry.route === 'cdn' && entry.range !== undefined);
		t.true(ranged.length > 0, 'the truncated transfers were resumed with Range, so the fault was met');
	});
}
