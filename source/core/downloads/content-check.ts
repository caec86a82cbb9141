/**
 * What a downloaded body really is, judged by its first bytes. A CDN behind
 * Cloudflare can answer an image URL with a 200 HTML challenge page; that page
 * must never be saved under an image's name.
 */

export type ContentKind = 'png' | 'webp' | 'jpeg' | 'gif' | 'mp4' | 'html' | 'unknown';

/** Bytes needed to tell the kinds apart. */
export const headBytesNeeded = 16;

/** The kind of content whose file starts with `head`. */
export function detectContentKind(head: Buffer): ContentKind {
	if (head.length >= 8 && head.readUInt32BE(0) === 0x89504e47 && head.readUInt32BE(4) === 0x0d0a1a0a) return 'png';
	if (head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') return 'webp';
	if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
	if (head.length >= 6 && /^GIF8[79]a$/.test(head.toString('latin1', 0, 6))) return 'gif';
	if (head.length >= 8 && head.toString('latin1', 4, 8) === 'ftyp') return 'mp4';
	if (looksLikeHtml(head)) return 'html';
	return 'unknown';
}

/** True when the text starts like an HTML (or XML) document, after optional BOM and whitespace. */
export function looksLikeHtml(head: Buffer): boolean {
	const text = head.toString('utf8', 0, Math.min(head.length, 512)).replace(/^\uFEFF/, '').trimStart().toLowerCase();
	return text.startsWith('<!doctype') || text.startsWith('<html') || text.startsWith('<head') || text.startsWith('<?xml') || text.startsWith('<!--') || text.startsWith('<body');
}

/** Which kinds a file of this images.variant may be. */
export function acceptedKinds(variant: string): readonly ContentKind[] {
	switch (variant) {
		case 'png':
		case 'grid':
			return ['png'];
		case 'webp':
			return ['webp'];
		case 'mp4':
			return ['mp4'];
		default:
			// Plain URL lists: any image or video, never a page.
			return ['png', 'webp', 'jpeg', 'gif', 'mp4'];
	}
}
