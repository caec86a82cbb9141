/**
 * PNG text chunks (tEXt, zTXt, iTXt): read from anywhere in the file (the
 * website writes some after IDAT) and write atomically. Shared by `import`
 * (reads what other tools wrote) and `embed` (writes the job's prompt and id).
 */
import {createHash} from 'node:crypto';
import {open, readFile, rename, rm} from 'node:fs/promises';
import {crc32, deflateSync, inflateSync} from 'node:zlib';
import {temporaryPathFor} from '../temp-files.js';
import {buildXmpPacket} from './xmp.js';

const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Inflated text larger than this is refused: a zTXt "zip bomb" must not eat memory. */
const maxInflatedText = 8 * 1024 * 1024;

export interface PngChunk {
	type: string;
	/** Offset of the chunk's length field in the file. */
	offset: number;
	data: Buffer;
}

export interface PngTextEntry {
	keyword: string;
	text: string;
	/** Which chunk carried it. */
	chunk: 'tEXt' | 'zTXt' | 'iTXt';
}

/** True when the buffer starts with the PNG signature. */
export function isPng(bytes: Buffer): boolean {
	return bytes.length >= 8 && bytes.subarray(0, 8).equals(signature);
}

/** Every chunk of a PNG in file order; stops quietly at a truncated chunk (the text before it is still useful). */
export function readPngChunks(bytes: Buffer): PngChunk[] {
	if (!isPng(bytes)) throw new Error('not a PNG file (bad signature)');
	const chunks: PngChunk[] = [];
	let offset = 8;
	while (offset + 12 <= bytes.length) {
		const length = bytes.readUInt32BE(offset);
		const type = bytes.toString('latin1', offset + 4, offset + 8);
		const end = offset + 12 + length;
		if (end > bytes.length) break;
		chunks.push({type, offset, data: bytes.subarray(offset + 8, offset + 8 + length)});
		offset = end;
		if (type === 'IEND') break;
	}
	return chunks;
}

/** The text entries of every tEXt/zTXt/iTXt chunk, wherever they sit (before or after IDAT). Malformed chunks are skipped. */
export function readPngText(bytes: Buffer): PngTextEntry[] {
	const entries: PngTextEntry[] = [];
	for (const chunk of readPngChunks(bytes)) {
		if (chunk.type !== 'tEXt' && chunk.type !== 'zTXt' && chunk.type !== 'iTXt') continue;
		const entry = decodeTextChunk(chunk.type, chunk.data);
		if (entry) entries.push(entry);
	}
	return entries;
}

function decodeTextChunk(type: 'tEXt' | 'zTXt' | 'iTXt', data: Buffer): PngTextEntry | undefined {
	const nul = data.indexOf(0);
	if (nul < 1 || nul > 79) return undefined;
	const keyword = data.toString('latin1', 0, nul);
	try {
		if (type === 'tEXt') return {keyword, text: data.toString('latin1', nul + 1), chunk: type};
		if (type === 'zTXt') {
			// Byte after the keyword's NUL is the compression method (0 = deflate).
			const text = inflateSync(data.subarray(nul + 2), {maxOutputLength: maxInflatedText}).toString('latin1');
			return {keyword, text, chunk: type};
		}
		// iTXt: keyword NUL, compression flag, method, language tag NUL, translated keyword NUL, text (UTF-8).
		const compressed = data[nul + 1] === 1;
		const languageEnd = data.indexOf(0, nul + 3);
		if (languageEnd === -1) return undefined;
		const translatedEnd = data.indexOf(0, languageEnd + 1);
		if (translatedEnd === -1) return undefined;
		const body = data.subarray(translatedEnd + 1);
		const text = (compressed ? inflateSync(body, {maxOutputLength: maxInflatedText}) : body).toString('utf8');
		return {keyword, text, chunk: type};
	} catch {
		return undefined;
	}
}

function encodeChunk(type: string, data: Buffer): Buffer {
	const head = Buffer.alloc(8);
	head.writeUInt32BE(data.length, 0);
	head.write(type, 4, 'latin1');
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(data, crc32(head.subarray(4, 8))) >>> 0, 0);
	return Buffer.concat([head, data, crc]);
}

/** A tEXt chunk when the text is Latin-1, else an iTXt chunk (UTF-8), so any prompt survives. */
export function textChunk(keyword: string, text: string): Buffer {
	const latin1 = /^[\u0000-\u00FF]*$/.test(text);
	if (latin1) return encodeChunk('tEXt', Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0]), Buffer.from(text, 'latin1')]));
	return internationalTextChunk(keyword, text);
}

/** An iTXt chunk (UTF-8, compressed when that helps). */
export function internationalTextChunk(keyword: string, text: string): Buffer {
	const raw = Buffer.from(text, 'utf8');
	const deflated = raw.length > 1024 ? deflateSync(raw) : undefined;
	const compress = deflated !== undefined && deflated.length < raw.length;
	return encodeChunk(
		'iTXt',
		Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0, compress ? 1 : 0, 0, 0, 0]), compress ? deflated : raw]),
	);
}

/**
 * The PNG with its text chunks for these keywords replaced: existing chunks
 * carrying any of the keywords are dropped wherever they are, the new ones go
 * right before the first IDAT (some readers, libvips among them, ignore text
 * after the image data). Image data is copied byte for byte.
 */
export function withPngText(bytes: Buffer, entries: ReadonlyArray<{keyword: string; text: string; international?: boolean}>): Buffer {
	const chunks = readPngChunks(bytes);
	if (chunks.at(-1)?.type !== 'IEND') throw new Error('PNG file is truncated (no IEND chunk)');
	if (!chunks.some(chunk => chunk.type === 'IDAT')) throw new Error('PNG file has no image data (IDAT)');
	const replaced = new Set(entries.map(entry => entry.keyword));
	const parts: Buffer[] = [signature];
	let inserted = false;
	for (const chunk of chunks) {
		const end = chunk.offset + 12 + chunk.data.length;
		if (chunk.type === 'IDAT' && !inserted) {
			for (const entry of entries) parts.push(entry.international ? internationalTextChunk(entry.keyword, entry.text) : textChunk(entry.keyword, entry.text));
			inserted = true;
		} else if (chunk.type === 'tEXt' || chunk.type === 'zTXt' || chunk.type === 'iTXt') {
			const keyword = chunk.data.toString('latin1', 0, Math.max(0, chunk.data.indexOf(0)));
			if (replaced.has(keyword)) continue;
		}
		parts.push(bytes.subarray(chunk.offset, end));
	}
	return Buffer.concat(parts);
}

/** Width and height from the IHDR chunk. */
export function pngSize(bytes: Buffer): {width: number; height: number} | undefined {
	if (!isPng(bytes) || bytes.length < 24 || bytes.toString('latin1', 12, 16) !== 'IHDR') return undefined;
	return {width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20)};
}

/** The website's Description format: `<full_command> Job ID: <uuid>`. */
export function jobDescription(job: {fullCommand: string; id: string}): string {
	return `${job.fullCommand.trim()} Job ID: ${job.id}`;
}

/**
 * Write the job's full command and id into a PNG as a `Description` text chunk
 * plus an XMP packet (dc:description, dc:identifier), replacing earlier ones.
 * The file is rewritten atomically (temp + fsync + rename). Returns the new
 * sha256 and size, or undefined when the file already carries this text.
 */
export async function embedJobMetadata(filePath: string, job: {fullCommand: string; id: string}): Promise<{sha256: string; bytes: number} | undefined> {
	const original = await readFile(filePath);
	const description = jobDescription(job);
	const existing = readPngText(original).find(entry => entry.keyword === 'Description');
	if (existing?.text === description) return undefined;
	const rewritten = withPngText(original, [
		{keyword: 'Description', text: description},
		{keyword: 'XML:com.adobe.xmp', text: buildXmpPacket({description: job.fullCommand, identifier: job.id}), international: true},
	]);
	const temporary = temporaryPathFor(filePath, 'embed');
	const handle = await open(temporary, 'w');
	try {
		await handle.writeFile(rewritten);
		await handle.sync();
		await handle.close();
		await rename(temporary, filePath);
	} catch (error) {
		await handle.close().catch(() => undefined);
		await rm(temporary, {force: true});
		throw error;
	}
	return {sha256: createHash('sha256').update(rewritten).digest('hex'), bytes: rewritten.length};
}
