/**
 * A write the disk cannot hold fails with ENOSPC instead of being taken as
 * whole: fs.writev on a filling disk writes what fits and reports the count,
 * which, unchecked, left a file shorter than its recorded size and hash.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import {writeAll} from '../../../source/core/downloads/write-all.js';
import {mountSmallDisk, smallDiskSkipReason} from '../../helpers/small-disk.js';

const skipReason = smallDiskSkipReason('the write-all test');
const diskTest = skipReason ? test.skip : test;

const write = (fd: number, buffers: Buffer[], position: number) =>
	new Promise<void>((resolve, reject) => writeAll(fd, buffers, position, (error) => (error ? reject(error) : resolve())));

diskTest('a write larger than the free space fails with ENOSPC; one that fits is written whole, in order', async (t) => {
	const disk = mountSmallDisk(256 * 1024);
	if (typeof disk === 'string') return t.fail(disk);
	t.teardown(() => disk.unmount());
	const file = path.join(disk.dir, 'a.part');
	const fd = fs.openSync(file, 'w');
	t.teardown(() => fs.closeSync(fd));
	const small = [Buffer.alloc(1000, 1), Buffer.alloc(24, 2)];
	await write(fd, small, 0);
	t.deepEqual(fs.readFileSync(file), Buffer.concat(small));
	const error = await t.throwsAsync(write(fd, [Buffer.alloc(200 * 1024, 3), Buffer.alloc(200 * 1024, 4)], 1024));
	t.is((error as NodeJS.ErrnoException).code, 'ENOSPC');
});
