/**
 * The dHash on real image files made with sharp and the stand-in's PNG writer:
 * the same picture re-encoded, resized or converted stays a few bits away;
 * different pictures are far apart; bytes that are no image are "unhashable".
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import sharp from 'sharp';
import {nearPicture, randomPicture, writePng} from '../../../fixtures/png.js';
import {dHashOfThumbnail, hammingDistance, perceptualHashOfBytes, perceptualHashOfFile, type HashOutcome} from '../../../source/core/similar/perceptual-hash.js';

const picturePng = (seed: number, width = 1024, height = 1024) => writePng({width, height, seed: 1, picture: randomPicture(seed), textChunks: [], textAfterImageData: false});

function hashOf(outcome: HashOutcome): string {
	if (outcome.kind !== 'hash') throw new Error(`no hash: ${outcome.reason}`);
	return outcome.hash;
}

test('the same picture re-encoded as JPEG and WebP, resized, or with an alpha channel stays within a few bits', async t => {
	const original = picturePng(11);
	const base = hashOf(await perceptualHashOfBytes(original));
	t.regex(base, /^[\da-f]{16}$/);
	const copies = {
		jpeg: await sharp(original).jpeg({quality: 80}).toBuffer(),
		webpSmall: await sharp(original).resize({width: 384}).webp({quality: 80}).toBuffer(),
		upscaled: await sharp(original).resize({width: 2048}).png().toBuffer(),
		alpha: await sharp(original).ensureAlpha().png().toBuffer(),
		samePictureTwiceTheSize: picturePng(11, 2048, 2048),
	};
	for (const [name, bytes] of Object.entries(copies)) {
		const distance = hammingDistance(base, hashOf(await perceptualHashOfBytes(bytes)));
		t.true(distance <= 6, `${name}: distance ${distance}`);
	}
});

test('different pictures are far apart; a variation of one is near it', async t => {
	const hashes = await Promise.all([21, 22, 23, 24, 25, 26].map(async seed => hashOf(await perceptualHashOfBytes(picturePng(seed)))));
	for (let i = 0; i < hashes.length; i++) {
		for (let j = i + 1; j < hashes.length; j++) t.true(hammingDistance(hashes[i], hashes[j]) >= 12, `pictures ${i} and ${j}: ${hammingDistance(hashes[i], hashes[j])}`);
	}
	const variation = writePng({width: 1024, height: 1024, seed: 2, picture: nearPicture(randomPicture(21), 99), textChunks: [], textAfterImageData: false});
	t.true(hammingDistance(hashes[0], hashOf(await perceptualHashOfBytes(variation))) <= 6);
});

test('dHash bits: brighter to the right is 1, row by row from the most significant bit', t => {
	const rising = Uint8Array.from({length: 72}, (_, i) => (i % 9) * 10);
	t.is(dHashOfThumbnail(rising), 'ffffffffffffffff');
	t.is(dHashOfThumbnail(rising.map(v => 255 - v)), '0000000000000000');
	const firstRowOnly = Uint8Array.from({length: 72}, (_, i) => (i < 9 ? i : 0));
	t.is(dHashOfThumbnail(firstRowOnly), 'ff00000000000000');
	t.is(hammingDistance('ff00000000000000', '0000000000000001'), 9);
});

test('bytes that are no image are unhashable, not an error; a missing file throws with its code', async t => {
	const outcome = await perceptualHashOfBytes(Buffer.from('\u0000\u0000\u0000 ftypisom not really a video'));
	t.is(outcome.kind, 'unhashable');
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-tui-phash-'));
	t.teardown(() => fs.rmSync(dir, {recursive: true, force: true}));
	const truncated = path.join(dir, 'truncated.png');
	fs.writeFileSync(truncated, picturePng(3).subarray(0, 60));
	t.is((await perceptualHashOfFile(truncated)).kind, 'unhashable');
	await t.throwsAsync(perceptualHashOfFile(path.join(dir, 'gone.png')), {code: 'ENOENT'} as never);
});
