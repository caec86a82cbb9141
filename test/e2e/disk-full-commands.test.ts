/**
 * A full disk under the subcommands that write, through the installed binary:
 * `embed`, `sidecars` and `config init` stop with exit 74 and a message about
 * the disk (never 70, "internal error", and never a list of every file
 * failing), leave no temp file, and lose nothing: the archive's hashes hold, a
 * config file replaced with --force stays whole. With room again, they work.
 * Needs root for the tmpfs (CI runs as root); elsewhere skipped, saying why.
 */
import fs from 'node:fs';
import path from 'node:path';
import test, {type ExecutionContext} from 'ava';
import {checkArchive, tokenStateDir, walkFiles} from '../helpers/archive-invariants.js';
import {exitProblems, lastJsonLine, runBinTo, type BinOutcome} from '../helpers/bin-run.js';
import {faultScene, requireBuiltBin, type FaultScene} from '../helpers/fault-run.js';
import {mountSmallDisk, smallDiskSkipReason, type SmallDisk} from '../helpers/small-disk.js';

const skipReason = smallDiskSkipReason('subcommand disk-full tests');
const diskTest = skipReason ? test.skip : test;

test.before(requireBuiltBin);

function smallDisk(t: ExecutionContext, bytes: number): SmallDisk {
	const disk = mountSmallDisk(bytes);
	if (typeof disk === 'string') throw new Error(disk);
	t.teardown(() => disk.unmount());
	return disk;
}

/** Take every free byte of the disk but `leave` with one file; returns it (remove it to make room again). */
function fillUp(dir: string, leave = 0): string {
	const filler = path.join(dir, 'filler');
	const fd = fs.openSync(filler, 'w');
	const chunk = Buffer.alloc(4096, 1);
	try {
		for (;;) fs.writeSync(fd, chunk);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
	} finally {
		fs.closeSync(fd);
	}
	fs.truncateSync(filler, Math.max(0, fs.statSync(filler).size - leave));
	return filler;
}

function assertDiskFull(t: ExecutionContext, outcome: BinOutcome): void {
	t.deepEqual(exitProblems(outcome, {json: false}), []);
	t.is(outcome.code, 74, outcome.stderr);
	t.regex(outcome.stderr, /^mj-tui: The disk is full: .* has .* free/m);
	t.notRegex(outcome.stderr, /internal error/);
}

const temps = (root: string) => walkFiles(root).filter(file => /\.mj-tui-[a-z]+-\d+\.tmp$/.test(file));

/** A downloaded archive on a disk with `leave` bytes free: none, or room to open the archive but not to rewrite its files. */
async function fullArchive(t: ExecutionContext, leave: number): Promise<{scene: FaultScene; filler: string}> {
	const disk = smallDisk(t, 4 * 1024 * 1024);
	// Bare PNGs (no website metadata): every one is work for embed.
	const scene = await faultScene(t, {jobs: 10, imageBytes: 8 * 1024, archive: path.join(disk.dir, 'archive'), websiteMetadata: false});
	const downloaded = await scene.start().ended;
	t.is(downloaded.code, 0, downloaded.stderr);
	return {scene, filler: fillUp(disk.dir, leave)};
}

const run = async (scene: FaultScene, args: string[]) => runBinTo([...args, '--archive', scene.archive], {cwd: scene.box.project, env: scene.env});

function assertArchiveHolds(t: ExecutionContext, scene: FaultScene): void {
	const report = checkArchive({archive: scene.archive, sandboxRoot: scene.box.root, allowed: [path.join(scene.box.project, 'package.json'), tokenStateDir(scene.box.home)]});
	t.deepEqual(report.violations, []);
	t.deepEqual(temps(scene.archive), []);
}

for (const [leave, where] of [[0, 'opening the archive'], [48 * 1024, 'writing files']] as const) {
	diskTest(`embed onto a full disk (${where}): 74 naming the disk, every PNG still matches its recorded hash; with room it embeds`, async t => {
		const {scene, filler} = await fullArchive(t, leave);
		const full = await run(scene, ['embed']);
		t.log(full.stderr.split('\n')[0]);
		assertDiskFull(t, full);
		// Checked with room again (reading the archive needs a little space too).
		fs.rmSync(filler);
		assertArchiveHolds(t, scene);

		const again = await run(scene, ['embed']);
		t.is(again.code, 0, again.stderr);
		assertArchiveHolds(t, scene);
	});

	diskTest(`sidecars onto a full disk (${where}): 74 naming the disk, no half-written sidecar or temp`, async t => {
		const {scene, filler} = await fullArchive(t, leave);
		const full = await run(scene, ['sidecars']);
		t.log(full.stderr.split('\n')[0]);
		assertDiskFull(t, full);
		fs.rmSync(filler);
		assertArchiveHolds(t, scene);
		const halfWritten = walkFiles(scene.archive).filter(file => file.endsWith('.xmp') && !fs.readFileSync(file, 'utf8').includes('</x:xmpmeta>'));
		t.deepEqual(halfWritten, []);
	});
}

for (const format of ['dataset', 'html'] as const) {
	diskTest(`export --format ${format} onto a full disk: 74 naming the disk, not "unreadable" images and exit 0; no temp left`, async t => {
		const {scene, filler} = await fullArchive(t, 48 * 1024);
		const out = path.join(path.dirname(scene.archive), `export-${format}`);
		const full = await run(scene, ['export', '--format', format, '--out', out]);
		t.log(full.stderr.split('\n')[0]);
		assertDiskFull(t, full);
		t.notRegex(full.stderr, /unreadable/);
		t.deepEqual(temps(out), []);
		fs.rmSync(filler);
		assertArchiveHolds(t, scene);
		const again = await run(scene, ['export', '--format', format, '--out', out, '--json']);
		t.is(again.code, 0, again.stderr);
		const report = lastJsonLine<Record<'dataset' | 'gallery', {images: number; unreadable: string[]} | undefined>>(again.stdout)?.[format === 'dataset' ? 'dataset' : 'gallery'];
		t.true((report?.images ?? 0) > 0, again.stdout);
		t.deepEqual(report?.unreadable, [], 'with room again, every image is in the export');
	});
}

diskTest('config init onto a full disk: 74; no half-written file, and one replaced with --force stays whole', async t => {
	const disk = smallDisk(t, 256 * 1024);
	const scene = await faultScene(t);
	const fresh = path.join(disk.dir, 'fresh.yaml');
	const kept = path.join(disk.dir, 'kept.yaml');
	fs.writeFileSync(kept, 'concurrency: 3\n', {mode: 0o600});
	fillUp(disk.dir);

	assertDiskFull(t, await runBinTo(['config', 'init', '--path', fresh], {cwd: scene.box.project, env: scene.env}));
	t.false(fs.existsSync(fresh));
	assertDiskFull(t, await runBinTo(['config', 'init', '--force', '--path', kept], {cwd: scene.box.project, env: scene.env}));
	t.is(fs.readFileSync(kept, 'utf8'), 'concurrency: 3\n');
	t.deepEqual(temps(disk.dir), []);
});
