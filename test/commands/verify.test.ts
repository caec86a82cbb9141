import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import {verifyCommand} from '../../source/commands/verify.js';
import type {VerifyProblem, VerifyReport} from '../../source/core/verify.js';
import {readArchiveDb} from '../helpers/archive-db.js';
import {runCommand, syncedArchive} from '../helpers/tools-archive.js';
import {cdnPath} from '../helpers/download-setup.js';

interface ImageRow {
	id: number;
	job_id: string;
	idx: number;
	path: string;
	url: string;
	sha256: string;
}

async function damagedArchive(t: import('ava').ExecutionContext) {
	const archive = await syncedArchive(12);
	t.teardown(archive.close);
	const rows = readArchiveDb(archive.dir, db => db.prepare(`SELECT id, job_id, idx, path, url, sha256 FROM images WHERE status = 'done' ORDER BY id`).all()) as ImageRow[];
	const [flipped, removed] = [rows[1]!, rows[5]!];
	const flippedFile = path.join(archive.dir, flipped.path);
	const bytes = fs.readFileSync(flippedFile);
	bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
	fs.writeFileSync(flippedFile, bytes);
	fs.rmSync(path.join(archive.dir, removed.path));
	fs.mkdirSync(path.join(archive.dir, 'images', 'stray'), {recursive: true});
	fs.writeFileSync(path.join(archive.dir, 'images', 'stray', 'unknown.png'), 'not in the archive');
	fs.mkdirSync(path.join(archive.dir, '.parts'), {recursive: true});
	fs.writeFileSync(path.join(archive.dir, '.parts', 'abandoned.part'), 'half a file');
	return {archive, rows, flipped, removed};
}

const verify = (config: import('../../source/core/config/config.js').Config, argv: string[] = []) => runCommand(verifyCommand, ['--json', ...argv], config);
const kinds = (problems: VerifyProblem[]) => problems.map(problem => `${problem.kind} ${problem.path}`).sort();

test('a healthy archive verifies clean (exit 0) and every file is hashed', async t => {
	const archive = await syncedArchive(12);
	t.teardown(archive.close);
	const result = await verify(archive.config);
	t.is(result.code, 0);
	const report = JSON.parse(result.stdout) as VerifyReport;
	t.is(report.checked, archive.store.totals().imagesDone);
	t.is(report.ok, report.checked);
	t.is(report.bytes, archive.store.totals().bytesOnDisk);
	t.deepEqual(report.problems, []);
});

test('verify reports a flipped byte, a missing file, an orphan and a stale partial, and exits 1', async t => {
	const {archive, rows, flipped, removed} = await damagedArchive(t);
	const result = await verify(archive.config);
	t.is(result.code, 1);
	const report = JSON.parse(result.stdout) as VerifyReport;
	t.deepEqual(kinds(report.problems), [
		`corrupt ${flipped.path}`,
		`missing ${removed.path}`,
		'orphan images/stray/unknown.png',
		'stale-partial .parts/abandoned.part',
	].sort());
	t.is(report.problems.find(problem => problem.kind === 'corrupt')!.detail, 'sha256 mismatch');
	t.is(report.ok, rows.length - 2);

	const human = await runCommand(verifyCommand, [], archive.config);
	t.is(human.code, 1);
	t.regex(human.stdout, new RegExp(`corrupt\\s+${flipped.path}`));
	t.regex(human.stdout, /orphan\s+images\/stray\/unknown\.png/);
});

test('--repair re-downloads missing and corrupt files, keeps the corrupt copy, clears stale partials, and leaves orphans to the user', async t => {
	const {archive, flipped, removed} = await damagedArchive(t);
	const result = await verify(archive.config, ['--repair']);
	t.is(result.code, 1, 'the orphan remains');
	const report = JSON.parse(result.stdout) as {repair: {requeued: number; quarantined: string[]; download: {downloaded: number}}; remaining: VerifyProblem[]};
	t.is(report.repair.requeued, 2);
	t.is(report.repair.download.downloaded, 2);
	// The repair's download run went to the end, so it also removed the partial nothing waited for.
	t.deepEqual(kinds(report.remaining), ['orphan images/stray/unknown.png']);
	t.false(fs.existsSync(path.join(archive.dir, '.parts', 'abandoned.part')));
	t.is(report.repair.quarantined.length, 1);
	t.true(fs.existsSync(path.join(archive.dir, report.repair.quarantined[0]!)), 'the corrupt file is kept aside, not deleted');

	for (const broken of [flipped, removed]) {
		const row = readArchiveDb(archive.dir, db => db.prepare(`SELECT status, path, sha256 FROM images WHERE id = ?`).get(broken.id)) as {status: string; path: string; sha256: string};
		t.is(row.status, 'done');
		t.is(row.sha256, broken.sha256);
		t.deepEqual(fs.readFileSync(path.join(archive.dir, row.path)), archive.standIn.fileBytes(cdnPath(broken.url)));
	}
	fs.rmSync(path.join(archive.dir, 'images', 'stray'), {recursive: true});
	const after = await verify(archive.config);
	t.is(after.code, 0, after.stdout);
});
