/**
 * A damaged archive.db, through the installed binary: emptied (0 bytes) or
 * garbage beside the archive's images, or with a schema version no mj-tui
 * writes. Each is refused with exit 65, a message naming the file and what to
 * do, and nothing changed on disk; never an internal error, never a fresh
 * archive that downloads everything again.
 */
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import Database from 'better-sqlite3';
import {downloadedArchive, filesUnder} from '../helpers/stand-in-bin.js';

const digest = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** A downloaded archive and its database file. */
async function damageable(t: import('ava').ExecutionContext) {
	const downloaded = await downloadedArchive(t, {jobs: 4, seed: 41});
	return {...downloaded, database: path.join(downloaded.archive, 'archive.db')};
}

test('an emptied archive.db beside downloaded images is refused (65) by every writer and reader; the import it suggests rebuilds the archive', async t => {
	const {standIn, archive, run, database, images} = await damageable(t);
	t.true(images.length > 0);
	fs.truncateSync(database, 0);
	const requestsBefore = standIn.requests().length;

	for (const args of [['--batch', '--json'], ['verify'], ['search', 'cat'], ['clean']]) {
		const result = await run(args);
		t.is(result.code, 65, `${args.join(' ')}: ${result.stderr}`);
		t.regex(result.stderr, new RegExp(`${database.replaceAll('/', '\\/')} is empty \\(0 bytes\\), but the folder holds downloaded images in images/`));
		t.regex(result.stderr, /Restore archive\.db from a backup; or rebuild it from the images with `mj-tui import .*\/images --archive /);
		t.notRegex(result.stderr, /internal error/);
	}
	t.is(standIn.requests().length, requestsBefore, 'nothing was downloaded again');
	t.is(fs.statSync(database).size, 0, 'the file is untouched');
	t.deepEqual(filesUnder(path.join(archive, 'images')), images);
	// The same when archive.db is gone altogether.
	fs.rmSync(database);
	t.is((await run(['--batch'])).code, 65);
	t.false(fs.existsSync(database));

	// Following the hint: import rebuilds the archive from the images' own metadata, and verify is clean.
	const rebuilt = await run(['import', path.join(archive, 'images')]);
	t.is(rebuilt.code, 0, rebuilt.stderr);
	t.regex(rebuilt.stdout, new RegExp(`Scanned ${images.length} files`));
	const verify = await run(['verify', '--json']);
	t.is(verify.code, 0, verify.stdout);
	const resumed = await run(['--batch', '--json']);
	t.is(resumed.code, 0, resumed.stderr);
	t.deepEqual(filesUnder(path.join(archive, 'images')), images, 'the batch after the rebuild downloads nothing twice');
});

test('a garbage archive.db beside images is refused (65) with the restore and rebuild hint, untouched', async t => {
	const {run, database} = await damageable(t);
	fs.writeFileSync(database, Buffer.alloc(8192, 0x5a));
	const before = digest(database);
	const result = await run(['--batch']);
	t.is(result.code, 65, result.stderr);
	t.regex(result.stderr, /is not an mj-tui archive: it is not a readable SQLite database/);
	t.regex(result.stderr, /Restore it from a backup; or, to rebuild the archive from its images, move it away and run `mj-tui import /);
	t.is(digest(database), before);
});

for (const [version, expected] of [
	[-1, /has schema version -1 \(PRAGMA user_version\), which no mj-tui writes; the file was left untouched/],
	[99, /has archive schema version 99, but this mj-tui supports up to version \d+; the file was left untouched/],
	[0, /has tables \(.*images.*jobs.*\) but schema version 0 \(PRAGMA user_version\)[^]*PRAGMA user_version = \d+'` restores it/],
] as const) {
	test(`an archive.db with user_version ${version} is refused with a clear message (65), not an internal error, and left untouched`, async t => {
		const {run, database} = await damageable(t);
		const db = new Database(database);
		db.pragma(`user_version = ${version}`);
		db.close();
		const before = digest(database);
		for (const args of [['--batch'], ['verify'], ['stats']]) {
			const result = await run(args);
			t.is(result.code, 65, `${args.join(' ')}: ${result.stderr}`);
			t.regex(result.stderr, expected);
			t.notRegex(result.stderr, /internal error/);
		}
		t.is(digest(database), before);
	});
}
