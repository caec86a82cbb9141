/**
 * fs.writev that writes everything or fails. A write may be short without an
 * error (a disk filling up writes what fits and reports the count); taking
 * it as whole would leave a file shorter than its recorded size and hash.
 * Writing the rest turns a full disk into the ENOSPC the engine stops on.
 */
import fs from 'node:fs';

/** Write `buffers` at `position` in full (again after a short write); calls back once, with the first error. */
export function writeAll(fd: number, buffers: readonly Buffer[], position: number, callback: (error: NodeJS.ErrnoException | null) => void): void {
	fs.writev(fd, buffers as Buffer[], position, (error, written) => {
		if (error) return callback(error);
		const total = buffers.reduce((sum, buffer) => sum + buffer.length, 0);
		if (written >= total) return callback(null);
		if (written === 0) return callback(Object.assign(new Error(`no byte written at offset ${position}`), {code: 'EIO'}));
		writeAll(fd, rest(buffers, written), position + written, callback);
	});
}

/** What is left of `buffers` after the first `skip` bytes. */
function rest(buffers: readonly Buffer[], skip: number): Buffer[] {
	const left: Buffer[] = [];
	for (const buffer of buffers) {
		if (skip >= buffer.length) skip -= buffer.length;
		else {
			left.push(skip > 0 ? buffer.subarray(skip) : buffer);
			skip = 0;
		}
	}
	return left;
}
