/**
 * Hashing beside a download run: the low-priority process gives the same
 * hashes as hashing in the app, runs at the lowest priority, says which files
 * are no image and which cannot be read; a run's hashing stops after a short
 * tail instead of waiting for a long backlog, counts what it left, and verify
 * fills exactly that in.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import sharp from 'sharp';
import {randomPicture, writePng} from '../../../fixtures/png.js';
import {runDownloads} from '../../../source/core/downloads/run.js';
import {BackgroundHasher} from '../../../source/core/similar/background-hasher.js';
import {fillPerceptualHashes} from '../../../source/core/similar/fill-hashes.js';
import {LowPriorityDecoder} from '../../../source/core/similar/low-priority-decoder.js';
import {perceptualHashOfFile} from '../../../source/core/similar/perceptual-hash.js';
import {readArchiveDb} from '../../helpers/archive-db.js';
import {downloadFixture, imageRows} from '../../helpers/download-setup.js';

test('the low-priority process hashes like the app does, at nice 19; text is not hashable, a missing file is unreadable', async t => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-tui-lowprio-'));
	t.teardown(() => fs.rmSync(dir, {recursive: true, force: true}));
	const png = path.join(dir, 'a.png');
	fs.writeFileSync(png, writePng({width: 512, height: 384, seed: 1, picture: randomPicture(7), textChunks: [], textAfterImageData: false}));
	const jpeg = path.join(dir, 'b.jpg');
	await sharp(png).rotate(90).jpeg({quality: 70}).toFile(jpeg);
	const text = path.join(dir, 'c.png');
	fs.writeFileSync(text, 'not a picture\n');
	const decoder = new LowPriorityDecoder();
	t.teardown(() => decoder.close());
	for (const file of [png, jpeg]) t.deepEqual(await decoder.hashFile(file), await perceptualHashOfFile(file), path.basename(file));
	t.is(os.getPriority(decoder.pid!), 19);
	// On Linux the nice value is per thread: every thread of the process (V8's, libuv's, libvips') is lowered.
	const threads = fs.readdirSync(`/proc/${decoder.pid}/task`);
	t.deepEqual(threads.map((tid) => os.getPriority(Number(tid))), threads.map(() => 19));
	const notImage = await decoder.hashFile(text);
	t.is(notImage.kind, 'unhashable');
	const missing = await t.throwsAsync(decoder.hashFile(path.join(dir, 'gone.png')));
	t.is((missing as NodeJS.ErrnoException).code, 'ENOENT');
});

test('a run hashes every file it fetched, each as the app would', async t => {
	const fixture = await downloadFixture(t, {jobs: 3});
	const summary = await runDownloads({store: fixture.store, config: fixture.config});
	const done = imageRows(fixture.store).filter((row) => row.status === 'done');
	const hashes = summary.perceptualHashes!;
	t.is(hashes.hashed + hashes.unhashable + hashes.unreadable + hashes.left, done.length);
	const stored = readArchiveDb(fixture.dir, (db) => db.prepare('SELECT image_id AS id, hash FROM perceptual_hashes').all() as Array<{id: number; hash: string | null}>);
	t.is(stored.length, hashes.hashed + hashes.unhashable);
	for (const {id, hash} of stored) {
		const row = done.find((image) => image.id === id)!;
		const expected = await perceptualHashOfFile(path.join(fixture.dir, row.path!));
		t.is(hash, expected.kind === 'hash' ? expected.hash : null, row.path!);
	}
});

test('perceptualHashes: false leaves every file to verify', async t => {
	const fixture = await downloadFixture(t, {jobs: 2, config: {perceptualHashes: false}});
	const summary = await runDownloads({store: fixture.store, config: fixture.config});
	t.true(summary.downloaded > 0);
	t.is(summary.perceptualHashes, undefined);
	t.is(readArchiveDb(fixture.dir, (db) => db.prepare('SELECT count(*) FROM perceptual_hashes').pluck().get()), 0);
});

test('once the transfers are over only a short tail is hashed; what is left is counted, and verify fills exactly that in', async t => {
	const fixture = await downloadFixture(t, {jobs: 4, config: {perceptualHashes: false}});
	await runDownloads({store: fixture.store, config: fixture.config});
	const ids = imageRows(fixture.store).filter((row) => row.status === 'done').map((row) => row.id);
	t.true(ids.length >= 10, `${ids.length} files`);
	const hasher = new BackgroundHasher(fixture.store);
	hasher.add(ids);
	const tail = 2;
	const result = await hasher.finish(tail);
	const reached = result.hashed + result.unhashable + result.unreadable;
	// The file already in hand when the transfers ended, plus the tail.
	t.true(reached <= tail + 1, `${reached} files hashed`);
	t.is(result.left, ids.length - reached);
	const filled = await fillPerceptualHashes(fixture.store);
	t.is(filled.hashed + filled.unhashable, result.left);
});
