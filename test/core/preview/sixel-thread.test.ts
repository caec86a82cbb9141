/**
 * Sixel pictures are encoded on a worker thread (the median cut is the one
 * costly encoder): what it sends back is exactly what the main thread's
 * encoder makes, answers go to the picture that asked, and after the thread
 * is stopped the next picture starts another.
 */
import os from 'node:os';
import test from 'ava';
import type {RgbImage} from '../../../source/core/preview/renderers.js';
import {encodeSixel} from '../../../source/core/preview/sixel.js';
import {SixelThread} from '../../../source/core/preview/sixel-thread.js';
import {threadsOfThisProcess} from '../../helpers/threads.js';

/** A picture with thousands of colours, different per `seed`, so median cut has work to do. */
function colourful(width: number, height: number, seed: number): RgbImage {
	const data = new Uint8Array(width * height * 3);
	for (let y = 0; y < height; y++) {
		for (let x = 0; x < width; x++) {
			const at = (y * width + x) * 3;
			data[at] = (x * 255) / width;
			data[at + 1] = (y * 255) / height;
			data[at + 2] = (x * y * seed) % 256;
		}
	}
	return {width, height, data};
}

test('the worker’s escape is byte for byte the main thread’s, each answer to its own picture, and a stopped thread restarts', async (t) => {
	const thread = new SixelThread();
	t.teardown(() => thread.close());
	const images = [colourful(160, 90, 3), colourful(97, 31, 7), colourful(8, 7, 11)];
	const escapes = await Promise.all(images.map((image) => thread.encode(image)));
	images.forEach((image, index) => t.is(escapes[index], encodeSixel(image), `picture ${index}`));
	t.true(escapes[0]!.startsWith('\u001BP0;1;0q"1;1;160;90'), 'a sixel DCS of the picture’s size');
	t.is(await thread.encode(images[1]!, 16), encodeSixel(images[1]!, 16), 'the palette size is passed on');

	await thread.close();
	t.is(await thread.encode(images[2]!), encodeSixel(images[2]!), 'a new worker after close');
});

(process.platform === 'linux' ? test : test.skip)('the sixel thread runs at the lowest priority, the app’s main thread at its own', async (t) => {
	const lowThreads = () => threadsOfThisProcess().filter((thread) => thread.nice === 19 && thread.comm !== 'libvips worker').map((thread) => thread.tid);
	const before = new Set(lowThreads());
	const thread = new SixelThread();
	t.teardown(() => thread.close());
	await thread.encode(colourful(16, 16, 5));
	t.true(lowThreads().some((tid) => !before.has(tid)), 'a new thread at nice 19: the worker');
	t.is(os.getPriority(), 0);
});
