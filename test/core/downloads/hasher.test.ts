import {createHash, randomBytes} from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import {FileHasher, MainThreadHasher} from '../../../source/core/downloads/hasher.js';

test('the worker and main-thread hashers give the file’s sha256 and size, and name a missing file', async t => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-hasher-'));
	// Not a multiple of the 1 MiB read size, so the last short read counts.
	const bytes = randomBytes(3 * 1024 * 1024 + 12_345);
	const file = path.join(dir, 'image.png');
	fs.writeFileSync(file, bytes);
	const expected = {sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length};
	for (const hasher of [new FileHasher(), new MainThreadHasher()]) {
		t.deepEqual(await hasher.hash(file), expected, hasher.constructor.name);
		await t.throwsAsync(hasher.hash(path.join(dir, 'missing.png')), {message: /hashing the downloaded file: .*missing\.png/});
		await hasher.close();
	}
	fs.rmSync(dir, {recursive: true, force: true});
});
