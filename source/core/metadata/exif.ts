/**
 * The EXIF fields downloaders use for prompts: UserComment (Exif IFD) and
 * ImageDescription (IFD0), and the dates an import takes a job's time from
 * (DateTimeOriginal with its OffsetTimeOriginal, else IFD0's DateTime). A TIFF
 * IFD walk for a few tags is small; a general EXIF library would parse
 * hundreds of tags we never read.
 */

const tagImageDescription = 0x010e;
const tagDateTime = 0x0132;
const tagExifIfd = 0x8769;
const tagDateTimeOriginal = 0x9003;
const tagOffsetTimeOriginal = 0x9011;
const tagUserComment = 0x9286;
const typeSizes: Record<number, number> = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8};

export interface ExifText {
	userComment?: string;
	imageDescription?: string;
	/** `2024:05:01 13:45:00` as written, with `+02:00` appended when the file states its offset. */
	dateTime?: string;
}

/** Read UserComment and ImageDescription from a TIFF-structured EXIF block; malformed blocks give {}. */
export function readExifText(tiff: Buffer): ExifText {
	if (tiff.length < 8) return {};
	const order = tiff.toString('latin1', 0, 2);
	if (order !== 'II' && order !== 'MM') return {};
	const little = order === 'II';
	const u16 = (at: number) => (little ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
	const u32 = (at: number) => (little ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));

	/** tag → [type, count, bytes of the value] for one IFD. */
	const readIfd = (at: number): Map<number, Buffer> => {
		const values = new Map<number, Buffer>();
		if (at < 8 || at + 2 > tiff.length) return values;
		const entries = u16(at);
		for (let i = 0; i < entries; i++) {
			const entry = at + 2 + i * 12;
			if (entry + 12 > tiff.length) break;
			const tag = u16(entry);
			const size = (typeSizes[u16(entry + 2)] ?? 1) * u32(entry + 4);
			const start = size <= 4 ? entry + 8 : u32(entry + 8);
			if (start + size > tiff.length) continue;
			values.set(tag, tiff.subarray(start, start + size));
		}
		return values;
	};

	try {
		const ifd0 = readIfd(u32(4));
		const found: ExifText = {};
		const description = ifd0.get(tagImageDescription);
		if (description) found.imageDescription = trimNul(description.toString('utf8'));
		const pointer = ifd0.get(tagExifIfd);
		const exifIfd = pointer && pointer.length >= 4 ? readIfd(little ? pointer.readUInt32LE(0) : pointer.readUInt32BE(0)) : new Map<number, Buffer>();
		const comment = exifIfd.get(tagUserComment);
		if (comment) found.userComment = decodeUserComment(comment, little);
		const original = exifIfd.get(tagDateTimeOriginal);
		const offset = exifIfd.get(tagOffsetTimeOriginal);
		const written = original ?? ifd0.get(tagDateTime);
		if (written) found.dateTime = trimNul(written.toString('latin1')) + (original && offset ? trimNul(offset.toString('latin1')) : '');
		return found;
	} catch {
		return {};
	}
}

/** UserComment starts with an 8-byte character code: ASCII, UNICODE (UCS-2), JIS or undefined (treated as UTF-8). */
function decodeUserComment(value: Buffer, little: boolean): string {
	const code = value.toString('latin1', 0, 8);
	const body = value.subarray(8);
	if (code.startsWith('UNICODE')) {
		// Writers disagree on UCS-2 byte order; a BOM settles it, else follow the TIFF order.
		let bigEndian = !little;
		let text = body;
		if (body[0] === 0xfe && body[1] === 0xff) [bigEndian, text] = [true, body.subarray(2)];
		else if (body[0] === 0xff && body[1] === 0xfe) [bigEndian, text] = [false, body.subarray(2)];
		const even = Buffer.from(text.subarray(0, text.length - (text.length % 2)));
		if (bigEndian) even.swap16();
		return trimNul(even.toString('utf16le'));
	}
	return trimNul(body.toString('utf8'));
}

function trimNul(text: string): string {
	return text.replace(/\0+$/, '').trim();
}
