/**
 * Temp files of interrupted commands, through the installed binary: an
 * `import --copy` killed with SIGKILL mid-copy leaves its temp; `verify` names
 * it a stale temp (not an orphan), and the next import or `clean` removes it.
 * An export's leftover goes on the next export to the same place.
 */
import {spawn} from 'node:child_process';
import {once} from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import {startStandIn} from '../../fixtures/stand-in.js';
import type {VerifyReport} from '../../source/core/verify.js';
import {runBin, sandbox, type Sandbox} from '../helpers/cli-io.js';
import {filesUnder, startBin} from '../helpers/stand-in-bin.js';

const lastJson = <T>(text: string) => JSON.parse(text.trim().split('\n').at(-1)!) as T;
const importTemp = /\.mj-tui-import-(\d+)\.tmp$/;

/** A folder of website PNGs (each carries its job id), large enough that copying one takes a while. */
async function downloadedPngs(box: Sandbox): Promise<{folder: string; count: number}> {
	const standIn = await startStandIn({jobs: 3, seed: 31, imageBytes: 8 * 1024 * 1024});
	try {
		const folder = path.join(box.root, 'downloads');
		fs.mkdirSync(folder);
		const pngs = standIn.jobs().flatMap(job => standIn.filePaths(job.id)).filter(file => /\/0_\d+\.png$/.test(file));
		// Named as the website names downloads, `<job id>_<index>.png`.
		for (const file of pngs) fs.writeFileSync(path.join(folder, file.slice(1).replace(/\/0_(\d+)\.png$/, '_$1.png')), standIn.fileBytes(file));
		return {folder, count: pngs.length};
	} finally {
		await standIn.close();
	}
}

/**
 * Run `import --copy` and SIGKILL it the moment a temp appears in the target
 * folder. A kill that lands between two files leaves none: then import again
 * (already copied files are skipped) until one is left behind; on a machine so
 * busy that the import finished first, start over with an empty archive.
 */
async function killImportMidCopy(t: import('ava').ExecutionContext, box: Sandbox, archive: string, folder: string): Promise<string> {
	const target = path.join(archive, 'imported');
	fs.mkdirSync(target, {recursive: true});
	for (let attempt = 0; attempt < 20; attempt++) {
		const watcher = fs.watch(target);
		const run = startBin(['import', folder, '--copy', '--archive', archive, '--naming', 'imported/{job_id}_{index}.{ext}'], {cwd: box.project, env: box.env});
		watcher.on('change', (_event, name) => {
			if (typeof name === 'string' && importTemp.test(name)) run.child.kill('SIGKILL');
		});
		const result = await run.done;
		watcher.close();
		const left = fs.readdirSync(target).filter(name => importTemp.test(name));
		if (left.length > 0) {
			t.is(result.signal, 'SIGKILL');
			return path.join(target, left[0]!);
		}
		if (result.code === 0) {
			fs.rmSync(archive, {recursive: true, force: true});
			fs.mkdirSync(target, {recursive: true});
		}
	}
	throw new Error('no kill left a temp behind in 20 tries');
}

test('import --copy killed mid-copy: verify names the stale temp; the next import removes it; clean removes the next one', async t => {
	const box = sandbox();
	const archive = path.join(box.root, 'archive');
	const {folder, count} = await downloadedPngs(box);

	const temp = await killImportMidCopy(t, box, archive, folder);
	const verify = await runBin(['verify', '--json', '--archive', archive], {cwd: box.project, env: box.env});
	t.is(verify.code, 1, verify.stdout);
	const report = lastJson<VerifyReport>(verify.stdout);
	t.deepEqual(
		report.problems.map(problem => problem.kind),
		['stale-temp'],
		'the temp is a stale temp, not an orphan',
	);
	t.is(report.problems[0]!.path, path.relative(archive, temp));
	t.regex(report.problems[0]!.detail!, /interrupted import/);

	// The next import cleans up after the killed one and finishes the job.
	const again = await runBin(['import', folder, '--copy', '--json', '--archive', archive, '--naming', 'imported/{job_id}_{index}.{ext}'], {cwd: box.project, env: box.env});
	t.is(again.code, 0, again.stderr);
	t.false(fs.existsSync(temp));
	t.is(filesUnder(path.join(archive, 'imported')).length, count);
	const clean = await runBin(['verify', '--json', '--archive', archive], {cwd: box.project, env: box.env});
	t.is(clean.code, 0, clean.stdout);

	// Another kill, in a fresh archive: `clean` (parts and temps) removes what it left.
	const second = path.join(box.root, 'second');
	const secondTemp = await killImportMidCopy(t, box, second, folder);
	const dry = await runBin(['clean', '--temps', '--dry-run', '--archive', second], {cwd: box.project, env: box.env});
	t.is(dry.code, 0, dry.stderr);
	t.regex(dry.stdout, /would remove imported\/.*\.mj-tui-import-\d+\.tmp .*interrupted import/);
	t.true(fs.existsSync(secondTemp));
	const cleaned = await runBin(['clean', '--json', '--archive', second], {cwd: box.project, env: box.env});
	t.is(cleaned.code, 0, cleaned.stderr);
	t.like(lastJson<{removed: number}>(cleaned.stdout), {removed: 1});
	t.false(fs.existsSync(secondTemp));
	const after = await runBin(['verify', '--json', '--archive', second], {cwd: box.project, env: box.env});
	t.deepEqual(lastJson<VerifyReport>(after.stdout).problems, []);
});

test("a live process's temp is left alone; a dead one's beside an export goes on the next export", async t => {
	const box = sandbox();
	const archive = path.join(box.root, 'archive');
	const {folder} = await downloadedPngs(box);
	t.is((await runBin(['import', folder, '--archive', archive], {cwd: box.project, env: box.env})).code, 0);

	const live = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {stdio: 'ignore'});
	t.teardown(() => live.kill('SIGKILL'));
	await once(live, 'spawn');
	const dead = spawn(process.execPath, ['-e', ''], {stdio: 'ignore'});
	await once(dead, 'exit');
	const out = path.join(box.root, 'jobs.csv');
	const liveTemp = `${out}.mj-tui-export-${live.pid}.tmp`;
	const deadTemp = `${out}.mj-tui-export-${dead.pid}.tmp`;
	const oldStyle = `${out}.tmp`;
	for (const file of [liveTemp, deadTemp, oldStyle]) fs.writeFileSync(file, 'half an export');

	const exported = await runBin(['export', '--format', 'csv', '--out', out, '--archive', archive], {cwd: box.project, env: box.env});
	t.is(exported.code, 0, exported.stderr);
	t.true(fs.existsSync(out));
	t.false(fs.existsSync(deadTemp), "the killed export's temp is gone");
	t.false(fs.existsSync(oldStyle), 'so is the name earlier versions used');
	t.true(fs.existsSync(liveTemp), 'a running process keeps its temp');

	// The same in the archive: clean leaves a live writer's temp alone.
	const inArchive = path.join(archive, 'images', `x.png.mj-tui-embed-${live.pid}.tmp`);
	fs.mkdirSync(path.dirname(inArchive), {recursive: true});
	fs.writeFileSync(inArchive, 'being written');
	const cleaned = await runBin(['clean', '--temps', '--json', '--archive', archive], {cwd: box.project, env: box.env});
	t.like(lastJson<{removed: number}>(cleaned.stdout), {removed: 0});
	t.true(fs.existsSync(inArchive));
	const verify = await runBin(['verify', '--json', '--archive', archive], {cwd: box.project, env: box.env});
	t.deepEqual(lastJson<VerifyReport>(verify.stdout).problems, [], 'neither an orphan nor stale while its writer runs');
});
