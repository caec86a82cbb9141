/**
 * The disk filling up under the archive, through the installed binary: a
 * 1 MiB tmpfs holds the archive and the account needs more. The run must stop
 * promptly with exit 74 and a message about the disk, print its JSON summary,
 * keep the archive intact, and resume to completion once there is room.
 * Needs root for the tmpfs (CI runs as root); elsewhere it is skipped and says why.
 */
import path from 'node:path';
import test from 'ava';
import {mountSmallDisk, smallDiskSkipReason} from '../helpers/small-disk.js';
import {assertComplete, assertRun, faultScene, finish, requireBuiltBin} from '../helpers/fault-run.js';

const skipReason = smallDiskSkipReason('disk-full tests');
const diskTest = skipReason ? test.skip : test;

test.before(requireBuiltBin);

diskTest('a full disk under the archive: exit 74 naming the disk, the summary printed, nothing lost; a resume with room completes', async t => {
	const disk = mountSmallDisk(1024 * 1024);
	if (typeof disk === 'string') return t.fail(disk);
	t.teardown(() => disk.unmount());
	const archive = path.join(disk.dir, 'archive');
	const scene = await faultScene(t, {jobs: 12, imageBytes: 96 * 1024, archive});
	const full = await finish(scene, scene.start());
	t.log(`stopped with ${full.report.mediaFiles} files on the full disk`);
	assertRun(t, full, 74);
	t.regex(full.outcome.stderr, /disk|space/i, 'the message says the disk is full');
	t.is(full.summary?.exitCode, 74);

	disk.resize(64 * 1024 * 1024);
	const resumed = await finish(scene, scene.start(), true);
	assertRun(t, resumed, 0);
	assertComplete(t, scene);
});

diskTest('the disk fills up during the sync: exit 74 naming the disk, the summary printed, the archive intact', async t => {
	// 2,000 jobs of listing JSON need more than the 512 KiB this disk has, before any download.
	const disk = mountSmallDisk(512 * 1024);
	if (typeof disk === 'string') return t.fail(disk);
	t.teardown(() => disk.unmount());
	const archive = path.join(disk.dir, 'archive');
	const scene = await faultScene(t, {jobs: 2000, archive, args: ['--no-download']});
	const full = await finish(scene, scene.start());
	assertRun(t, full, 74);
	t.regex(full.outcome.stderr, /disk|space/i, 'the message says the disk is full');
	t.notRegex(full.outcome.stderr, /internal error/);
});
