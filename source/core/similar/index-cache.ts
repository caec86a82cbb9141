/**
 * The similarity index's columns on disk (`<archive>/.cache/similar-index.bin`),
 * so `mj-tui similar` and `stats` at millions of images do not read every
 * hash row back from SQLite each run (4M rows: 5.8 s quiet, 10.7 s at load
 * 11, against well under a second for this file; bench/similar.ts `load`).
 * The file is keyed by the table's version (count and latest hashed_at), so a
 * hash added, replaced or removed makes it stale; a stale, short, foreign or
 * unreadable file is ignored and written again. Writing is best effort: an
 * archive on a read-only mount simply goes without.
 *
 * Layout, little-endian: magic (8 bytes), version length (u32), count (u32),
 * version text padded to 8 bytes, image ids (f64 × count), high words
 * (u32 × count), low words (u32 × count).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The index's columns: position i is image `imageIds[i]` with hash words `hi[i]`, `lo[i]`. */
export interface HashColumns {
	imageIds: Float64Array;
	hi: Uint32Array;
	lo: Uint32Array;
}

const magic = Buffer.from('MJSIMIX1');
const headerBytes = magic.length + 8;

/** Where the cache of an archive lives (a folder of its own: verify and exports look at images/ only). */
export function indexCachePath(archiveDir: string): string {
	return path.join(archiveDir, '.cache', 'similar-index.bin');
}

/** The cached columns when the file holds exactly `version`'s index; undefined otherwise. */
export function readIndexCache(archiveDir: string, version: string): HashColumns | undefined {
	if (os.endianness() !== 'LE') return undefined;
	let file: Buffer;
	try {
		file = fs.readFileSync(indexCachePath(archiveDir));
	} catch {
		return undefined;
	}
	if (file.length < headerBytes || !file.subarray(0, magic.length).equals(magic)) return undefined;
	const versionBytes = file.readUInt32LE(magic.length);
	const count = file.readUInt32LE(magic.length + 4);
	const columnsAt = headerBytes + padTo8(versionBytes);
	if (file.length !== columnsAt + count * 16) return undefined;
	if (file.toString('utf8', headerBytes, headerBytes + versionBytes) !== version) return undefined;
	// Typed arrays need aligned offsets; a large read has its own buffer at 0, but do not count on it.
	const bytes = file.byteOffset % 8 === 0 ? file : Buffer.from(file);
	const base = bytes.byteOffset + columnsAt;
	return {
		imageIds: new Float64Array(bytes.buffer, base, count),
		hi: new Uint32Array(bytes.buffer, base + count * 8, count),
		lo: new Uint32Array(bytes.buffer, base + count * 12, count),
	};
}

/** Store `columns` as `version`'s index (temp file, then rename: a reader sees the old file or the new one). */
export function writeIndexCache(archiveDir: string, version: string, columns: HashColumns): void {
	if (os.endianness() !== 'LE') return;
	const file = indexCachePath(archiveDir);
	const temporary = `${file}.${process.pid}.tmp`;
	try {
		fs.mkdirSync(path.dirname(file), {recursive: true});
		const versionText = Buffer.from(version);
		const header = Buffer.alloc(headerBytes + padTo8(versionText.length));
		magic.copy(header);
		header.writeUInt32LE(versionText.length, magic.length);
		header.writeUInt32LE(columns.hi.length, magic.length + 4);
		versionText.copy(header, headerBytes);
		const fd = fs.openSync(temporary, 'w');
		try {
			for (const part of [header, columns.imageIds, columns.hi, columns.lo]) writeAll(fd, new Uint8Array(part.buffer, part.byteOffset, part.byteLength));
		} finally {
			fs.closeSync(fd);
		}
		fs.renameSync(temporary, file);
	} catch {
		// A cache: without it the next run reads the table again, which is only slower.
		fs.rmSync(temporary, {force: true});
	}
}

/** write(2) may take less than asked; loop until every byte is out. */
function writeAll(fd: number, bytes: Uint8Array): void {
	for (let done = 0; done < bytes.length; ) done += fs.writeSync(fd, bytes, done);
}

function padTo8(bytes: number): number {
	return Math.ceil(bytes / 8) * 8;
}
