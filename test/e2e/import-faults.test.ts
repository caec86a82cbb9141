/**
 * `import <folder> --copy` onto a disk that fills up, through the installed
 * binary: it must stop with exit 74 and a message about the disk (not exit 70,
 * "internal error"), leave no temp copy behind, and lose nothing stored.
 * (Found by the chaos run, seed 300 round 6, as "internal error: ENOSPC ... copyfile", exit 70.)
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import {mountSmallDisk, smallDiskSkipReason} from '../helpers/small-disk.js';
import {checkArchive} from '../helpers/archive-invariants.js';
import {exitProblems, runBinTo} from '../helpers/bin-run.js';
import {faultScene, requireBuiltBin} from '../helpers/fault-run.js';

const skipReason = smallDiskSkipReason('import disk-full test');
const diskTest = skipReason ? test.skip : test;

test.before(requireBuiltBin);

diskTest('import --copy onto a full disk: exit 74 naming the disk, no temp copy left, the archive intact', async t => {
	const disk = mountSmallDisk(1536 * 1024);
	if (typeof disk === 'string') return t.fail(disk);
	t.teardown(() => disk.unmount());
	const archive = path.join(disk.dir, 'archive');
	const scene = await faultScene(t, {jobs: 8, imageBytes: 256 * 1024, archive});
	const synced = await runBinTo(['--batch', '--no-download', '--json', '--archive', archive], {cwd: scene.box.project, env: scene.env});
	t.is(synced.code, 0, synced.stderr);
	// Files as the website saves them, more than the disk can take.
	const inbox = path.join(scene.box.root, 'inbox');
	fs.mkdirSync(inbox);
	for (const job of scene.standIn.jobs()) {
		for (const [index, file] of scene.standIn.filePaths(job.id).filter(name => /\/0_\d\.png$/.test(name)).entries()) {
			fs.writeFileSync(path.join(inbox, `saved_${job.id}_${index}.png`), scene.standIn.fileBytes(file));
		}
	}

	const imported = await runBinTo(['import', inbox, '--copy', '--json', '--archive', archive], {cwd: scene.box.project, env: scene.env});
	t.deepEqual(exitProblems(imported, {json: false}), []);
	t.is(imported.code, 74, imported.stderr);
	t.regex(imported.stderr, /disk|space/i);
	t.notRegex(imported.stderr, /internal error/);
	const report = checkArchive({archive, sandboxRoot: scene.box.root, allowed: [path.join(scene.box.project, 'package.json'), inbox], settled: true});
	t.deepEqual(report.violations, []);
});
