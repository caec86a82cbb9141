/**
 * Where metadata hides in each image format: PNG text chunks, JPEG APP1
 * segments (EXIF, XMP) and WebP RIFF chunks (EXIF, XMP). Returns the raw
 * payloads; parsing them is xmp.ts's and exif.ts's job.
 */
import {isPng, readPngText, pngSize, type PngTextEntry} from './png-text.js';

export type ImageFormat = 'png' | 'jpeg' | 'webp';

export interface ContainerMetadata {
	format: ImageFormat;
	/** PNG text entries (tEXt/zTXt/iTXt), any position in the file. */
	text: PngTextEntry[];
	/** XMP packets as XML text. */
	xmp: string[];
	/** TIFF-structured EXIF blocks (starting at the byte-order mark). */
	exif: Buffer[];
	width?: number;
	height?: number;
}

const xmpJpegHeader = 'http://ns.adobe.com/xap/1.0/\0';

/** The format by magic bytes, not by file name. */
export function sniffFormat(bytes: Buffer): ImageFormat | undefined {
	if (isPng(bytes)) return 'png';
	if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
	if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return 'webp';
	return undefined;
}

/** Raw metadata payloads of a PNG, JPEG or WebP file; undefined for other formats. */
export function readContainerMetadata(bytes: Buffer): ContainerMetadata | undefined {
	const format = sniffFormat(bytes);
	if (format === 'png') {
		const text = readPngText(bytes);
		const xmp = text.filter(entry => entry.keyword === 'XML:com.adobe.xmp').map(entry => entry.text);
		return {format, text: text.filter(entry => entry.keyword !== 'XML:com.adobe.xmp'), xmp, exif: [], ...pngSize(bytes)};
	}
	if (format === 'jpeg') return readJpeg(bytes);
	if (format === 'webp') return readWebp(bytes);
	return undefined;
}

function readJpeg(bytes: Buffer): ContainerMetadata {
	const found: ContainerMetadata = {format: 'jpeg', text: [], xmp: [], exif: []};
	let offset = 2;
	while (offset + 4 <= bytes.length) {
		if (bytes[offset] !== 0xff) break;
		const marker = bytes[offset + 1]!;
		// Standalone markers carry no length.
		if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
			offset += 2;
			continue;
		}
		if (marker === 0xda || marker === 0xd9) break; // Start of scan: metadata segments come before it.
		const length = bytes.readUInt16BE(offset + 2);
		const body = bytes.subarray(offset + 4, Math.min(bytes.length, offset + 2 + length));
		if (marker === 0xe1) {
			if (body.toString('latin1', 0, 6) === 'Exif\0\0') found.exif.push(body.subarray(6));
			else if (body.toString('latin1', 0, xmpJpegHeader.length) === xmpJpegHeader) found.xmp.push(body.subarray(xmpJpegHeader.length).toString('utf8'));
		} else if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc && body.length >= 5) {
			found.height = body.readUInt16BE(1);
			found.width = body.readUInt16BE(3);
		}
		offset += 2 + length;
	}
	return found;
}

function readWebp(bytes: Buffer): ContainerMetadata {
	const found: ContainerMetadata = {format: 'webp', text: [], xmp: [], exif: []};
	let offset = 12;
	while (offset + 8 <= bytes.length) {
		const type = bytes.toString('latin1', offset, offset + 4);
		const length = bytes.readUInt32LE(offset + 4);
		const body = bytes.subarray(offset + 8, Math.min(bytes.length, offset + 8 + length));
		if (type === 'EXIF') {
			// Some writers keep the JPEG-style "Exif\0\0" prefix inside the chunk.
			found.exif.push(body.toString('latin1', 0, 6) === 'Exif\0\0' ? body.subarray(6) : body);
		} else if (type === 'XMP ') {
			found.xmp.push(body.toString('utf8'));
		} else if (type === 'VP8X' && body.length >= 10) {
			found.width = 1 + body.readUIntLE(4, 3);
			found.height = 1 + body.readUIntLE(7, 3);
		}
		offset += 8 + length + (length % 2); // Chunks are padded to even sizes.
	}
	return found;
}
