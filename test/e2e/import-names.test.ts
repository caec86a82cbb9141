/**
 * Which image an imported file is, through the installed binary. Midjourney's
 * `<uuid>_0_<i>` names image i (it was once read as image 0, which would have
 * marked image 0's queued download done with image 1's bytes), and a file whose
 * name and metadata state no index (the website's `<user>_<prompt>_<uuid>.png`
 * of a grid job) claims no planned image: it gets a row of its own, and every
 * planned image still downloads with its own bytes.
 */
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import test from 'ava';
import {checkArchive, tokenStateDir} from '../helpers/archive-invariants.js';
import {exitProblems, runBinTo} from '../helpers/bin-run.js';
import {faultScene, requireBuiltBin} from '../helpers/fault-run.js';

test.before(requireBuiltBin);

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

interface Row {
	idx: number;
	variant: string;
	status: string;
	sha256: string | null;
	path: string | null;
}

function rowsOf(archive: string, jobId: string): Row[] {
	const db = new Database(path.join(archive, 'archive.db'), {readonly: true});
	try {
		return db.prepare('SELECT idx, variant, status, sha256, path FROM images WHERE job_id = ? ORDER BY variant, idx').all(jobId) as Row[];
	} finally {
		db.close();
	}
}

test('import reads <uuid>_0_1 as image 1 and gives an index-less grid file its own row; the planned downloads stay right', async t => {
	const scene = await faultScene(t, {jobs: 12});
	const synced = await scene.start(['--no-download']).ended;
	t.is(synced.code, 0, synced.stderr);
	const grids = scene.standIn.jobs().filter(job => scene.standIn.filePaths(job.id).filter(file => /\/0_\d\.png$/.test(file)).length === 4);
	t.true(grids.length >= 2, 'the stand-in has two four-image jobs');
	const [named, bare] = grids as [(typeof grids)[0], (typeof grids)[0]];
	const inbox = path.join(scene.box.root, 'inbox');
	fs.mkdirSync(inbox);
	const imageOne = scene.standIn.fileBytes(`/${named.id}/0_1.png`);
	fs.writeFileSync(path.join(inbox, `${named.id}_0_1.png`), imageOne);
	const bareBytes = scene.standIn.fileBytes(`/${bare.id}/0_2.png`);
	fs.writeFileSync(path.join(inbox, `someone_a_red_car_${bare.id}.png`), bareBytes);

	const imported = await runBinTo(['import', inbox, '--copy', '--json', '--archive', scene.archive], {cwd: scene.box.project, env: scene.env});
	t.is(imported.code, 0, imported.stderr);

	const namedRows = rowsOf(scene.archive, named.id).filter(row => row.variant === 'png');
	t.like(namedRows.find(row => row.idx === 1), {status: 'done', sha256: sha256(imageOne)}, 'the file is image 1');
	t.not(namedRows.find(row => row.idx === 0)?.status, 'done', 'image 0 is still to download');

	const bareRows = rowsOf(scene.archive, bare.id);
	t.deepEqual(bareRows.filter(row => row.variant === 'png' && row.status === 'done'), [], 'no planned image was claimed');
	const own = bareRows.find(row => row.variant === 'file');
	t.like(own, {status: 'done', sha256: sha256(bareBytes)}, 'the file has a row of its own');

	// The downloads then bring every planned image with its own bytes.
	const downloaded = await scene.start().ended;
	t.deepEqual(exitProblems(downloaded, {json: true}), []);
	t.is(downloaded.code, 0, downloaded.stderr);
	const report = checkArchive({archive: scene.archive, sandboxRoot: scene.box.root, allowed: [path.join(scene.box.project, 'package.json'), tokenStateDir(scene.box.home), inbox], settled: true});
	t.deepEqual(report.violations, []);
	for (const job of [named, bare]) {
		for (const index of [0, 1, 2, 3]) {
			const row = rowsOf(scene.archive, job.id).find(row => row.variant === 'png' && row.idx === index);
			t.like(row, {status: 'done', sha256: sha256(scene.standIn.fileBytes(`/${job.id}/0_${index}.png`))}, `${job.id} image ${index}`);
		}
	}
});
