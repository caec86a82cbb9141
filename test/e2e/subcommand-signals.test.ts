/**
 * SIGTERM and SIGINT while a subcommand works, through the installed binary:
 * `verify --repair`, `import --copy`, `export`, `embed` and `sidecars` must end
 * with 143 (130 for SIGINT) and a short "interrupted" line, as batch mode does,
 * never "internal error" (70); the archive holds, and no temp file stays.
 *
 * The signal lands while the command is visibly working: once its output has
 * started (a file copied, a sidecar written, a CDN request served) the process
 * is frozen with SIGSTOP, the test checks work is still left, and only then
 * sends the signal and SIGCONT. No fixed sleeps.
 */
import fs from 'node:fs';
import path from 'node:path';
import test, {type ExecutionContext} from 'ava';
import {checkArchive, tokenStateDir, walkFiles} from '../helpers/archive-invariants.js';
import {exitProblems, startBin, type BinRun} from '../helpers/bin-run.js';
import {cdnAnswered, faultScene, requireBuiltBin, until, type FaultScene} from '../helpers/fault-run.js';

test.before(requireBuiltBin);

/** An archive with every file of `jobs` jobs downloaded. */
async function downloadedScene(t: ExecutionContext, jobs: number, websiteMetadata = true): Promise<FaultScene> {
	const scene = await faultScene(t, {jobs, imageBytes: 4 * 1024, websiteMetadata});
	const synced = await scene.start().ended;
	t.is(synced.code, 0, synced.stderr);
	return scene;
}

function startCommand(scene: FaultScene, args: string[], env: NodeJS.ProcessEnv = {}): BinRun {
	return startBin([...args, '--archive', scene.archive], {cwd: scene.box.project, env: {...scene.env, ...env}, deadlineMs: 60_000});
}

const archivedImages = (scene: FaultScene) => walkFiles(path.join(scene.archive, 'images')).filter(file => file.endsWith('.png'));

/**
 * Wait until `started` holds, freeze the process, make sure `left` says work
 * remains, then deliver `signal`: the command is mid-work when it sees it.
 */
async function interruptWhileWorking(t: ExecutionContext, run: BinRun, started: () => boolean, left: () => boolean, signal: 'SIGTERM' | 'SIGINT') {
	await until(run, started, 'the command started writing');
	run.child.kill('SIGSTOP');
	const workLeft = left();
	if (!workLeft) run.child.kill('SIGCONT');
	t.true(workLeft, 'the command finished before it could be interrupted: give it more work');
	run.child.kill(signal);
	run.child.kill('SIGCONT');
	const outcome = await run.ended;
	t.deepEqual(exitProblems(outcome, {json: false}), []);
	t.is(outcome.code, signal === 'SIGTERM' ? 143 : 130, outcome.stderr);
	t.regex(outcome.stderr, new RegExp(`^mj-tui: \\w+: interrupted by ${signal}`, 'm'));
	t.notRegex(outcome.stderr, /internal error/);
	return outcome;
}

function assertArchiveHolds(t: ExecutionContext, scene: FaultScene, allowed: string[] = []): void {
	const report = checkArchive({archive: scene.archive, sandboxRoot: scene.box.root, allowed: [path.join(scene.box.project, 'package.json'), tokenStateDir(scene.box.home), ...allowed]});
	t.deepEqual(report.violations, []);
	const temps = walkFiles(scene.box.root).filter(file => /\.mj-tui-[a-z]+-\d+\.tmp$/.test(file));
	t.deepEqual(temps, [], 'no temp file is left behind');
}

test('SIGTERM during import --copy: 143, the files copied so far are recorded, no temp copy left', async t => {
	const scene = await faultScene(t, {jobs: 150, imageBytes: 4 * 1024});
	const synced = await scene.start(['--no-download']).ended;
	t.is(synced.code, 0, synced.stderr);
	const inbox = path.join(scene.box.root, 'inbox');
	fs.mkdirSync(inbox);
	let total = 0;
	for (const job of scene.standIn.jobs()) {
		for (const file of scene.standIn.filePaths(job.id).filter(name => /\/0_\d\.png$/.test(name))) {
			fs.writeFileSync(path.join(inbox, `saved_${job.id}_0_${/0_(\d)\.png$/.exec(file)![1]}.png`), scene.standIn.fileBytes(file));
			total++;
		}
	}

	const run = startCommand(scene, ['import', inbox, '--copy']);
	await interruptWhileWorking(t, run, () => fs.existsSync(path.join(scene.archive, 'images')) && archivedImages(scene).length > 0, () => archivedImages(scene).length < total - 1, 'SIGTERM');
	assertArchiveHolds(t, scene, [inbox]);
});

test('SIGINT during sidecars: 130, the archive holds', async t => {
	const scene = await downloadedScene(t, 150);
	const sidecars = () => walkFiles(path.join(scene.archive, 'images')).filter(file => file.endsWith('.xmp')).length;
	const run = startCommand(scene, ['sidecars']);
	await interruptWhileWorking(t, run, () => sidecars() > 0, () => sidecars() < archivedImages(scene).length - 64, 'SIGINT');
	assertArchiveHolds(t, scene);
});

test('SIGTERM during embed: 143, every PNG whole (the archive\'s hashes hold), no temp left', async t => {
	// Bare PNGs, as other tools fetch them: every one needs its metadata written in.
	const scene = await downloadedScene(t, 150, false);
	const inodes = new Map(archivedImages(scene).map(file => [file, fs.statSync(file).ino]));
	// Embedding replaces a PNG by renaming a rewritten copy over it: a new inode per file done.
	const rewritten = () => [...inodes].filter(([file, inode]) => fs.statSync(file, {throwIfNoEntry: false})?.ino !== inode).length;
	const run = startCommand(scene, ['embed']);
	await interruptWhileWorking(t, run, () => rewritten() > 0, () => rewritten() < inodes.size - 1, 'SIGTERM');
	assertArchiveHolds(t, scene);
});

test('SIGTERM during verify --repair: 143 while re-downloading, the archive holds', async t => {
	const scene = await downloadedScene(t, 12);
	for (const file of archivedImages(scene)) fs.rmSync(file);
	const before = cdnAnswered(scene.standIn);
	// A slow CDN link keeps the repair busy; the signal lands once the first re-download is being served.
	const run = startCommand(scene, ['verify', '--repair'], {MJ_TUI_LIMIT_RATE: '64k'});
	await interruptWhileWorking(t, run, () => cdnAnswered(scene.standIn) > before, () => archivedImages(scene).length < 40, 'SIGTERM');
	const report = checkArchive({archive: scene.archive, sandboxRoot: scene.box.root, allowed: [path.join(scene.box.project, 'package.json'), tokenStateDir(scene.box.home)]});
	t.deepEqual(report.violations, []);
});
