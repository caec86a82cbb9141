/**
 * The few XMP properties downloaders write (dc:title, dc:description,
 * dc:identifier, Iptc4xmpExt/iptcExt:DigitalSourceType). Each may be an
 * element (plain, or an rdf:Alt/Seq/Bag of rdf:li) or an attribute of
 * rdf:Description; prefixes vary between writers, so match on local names.
 */

export interface XmpFields {
	title?: string;
	description?: string;
	identifier?: string;
	digitalSourceType?: string;
	/** When the image was made: xmp:CreateDate, photoshop:DateCreated or exif:DateTimeOriginal, as written. */
	createDate?: string;
}

const entities: Record<string, string> = {amp: '&', lt: '<', gt: '>', quot: '"', apos: "'"};

function decodeXml(text: string): string {
	return text
		.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
		.replace(/&(#x[\da-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, name: string) => {
			if (name[0] !== '#') return entities[name.toLowerCase()] ?? '';
			const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
			return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : '';
		})
		.trim();
}

function property(xmp: string, localName: string): string | undefined {
	// Case-sensitive, as XML is: `dc:description` must not match the `rdf:Description` around it.
	const element = new RegExp(`<([\\w-]+:${localName})(?:\\s[^>]*)?>([\\s\\S]*?)</\\1>`).exec(xmp);
	if (element) {
		const inner = element[2]!;
		// Language alternatives: prefer x-default, else the first rdf:li.
		const items = [...inner.matchAll(/<rdf:li(\s[^>]*)?>([\s\S]*?)<\/rdf:li>/gi)];
		if (items.length > 0) {
			const preferred = items.find(item => /xml:lang\s*=\s*["']x-default["']/i.test(item[1] ?? '')) ?? items[0]!;
			return decodeXml(preferred[2]!);
		}
		if (!/<[a-z]/i.test(inner)) return decodeXml(inner);
	}
	const attribute = new RegExp(`\\s[\\w-]+:${localName}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(xmp);
	if (attribute) return decodeXml(attribute[1] ?? attribute[2] ?? '');
	return undefined;
}

/** The properties mj-tui reads from one XMP packet; absent or empty ones are left out. */
export function readXmpFields(xmp: string): XmpFields {
	const fields: XmpFields = {};
	const put = (key: keyof XmpFields, value: string | undefined) => {
		if (value) fields[key] = value;
	};
	put('title', property(xmp, 'title'));
	put('description', property(xmp, 'description'));
	put('identifier', property(xmp, 'identifier'));
	put('digitalSourceType', property(xmp, 'DigitalSourceType'));
	put('createDate', property(xmp, 'CreateDate') ?? property(xmp, 'DateCreated') ?? property(xmp, 'DateTimeOriginal'));
	return fields;
}

function escapeXml(text: string): string {
	return text.replace(/[<>&"']/g, char => `&${Object.entries(entities).find(([, value]) => value === char)![0]};`);
}

/** An XMP packet carrying the prompt and job id, as `embed` writes into PNGs. */
export function buildXmpPacket(fields: {description: string; identifier: string; digitalSourceType?: string}): string {
	const source = fields.digitalSourceType ?? 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia';
	return [
		'<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>',
		'<x:xmpmeta xmlns:x="adobe:ns:meta/">',
		'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
		'<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/">',
		`<dc:description><rdf:Alt><rdf:li xml:lang="x-default">${escapeXml(fields.description)}</rdf:li></rdf:Alt></dc:description>`,
		`<dc:identifier>${escapeXml(fields.identifier)}</dc:identifier>`,
		`<Iptc4xmpExt:DigitalSourceType>${escapeXml(source)}</Iptc4xmpExt:DigitalSourceType>`,
		'</rdf:Description>',
		'</rdf:RDF>',
		'</x:xmpmeta>',
		'<?xpacket end="w"?>',
	].join('\n');
}

/** What an `<image>.xmp` sidecar says about one downloaded file (sidecars.ts fills it from the archive). */
export interface SidecarFields {
	/** The prompt text (title and description). */
	prompt: string;
	fullCommand: string;
	/** The job id (dc:identifier). */
	identifier: string;
	/** A stable id of this one file (xmpMM:DocumentID), a URI. */
	documentId: string;
	/** When the job was enqueued, epoch ms (xmp:CreateDate). */
	createdAt: number;
	/** The job's rating, when it has one (xmp:Rating, 0-5). */
	rating?: number;
	/** Keywords as [category, value] pairs, e.g. ['Model', '7']: flat, `|`- and `/`-hierarchies are derived. */
	tags: ReadonlyArray<readonly [string, string]>;
	/** The account liked the job: the keyword `liked` (and `Midjourney|Liked` in the hierarchies). */
	liked?: boolean;
}

/** The root of every hierarchical keyword mj-tui writes, so its tags stay in one branch of a photo manager's tree. */
const tagRoot = 'Midjourney';

function altLang(text: string): string {
	return `<rdf:Alt><rdf:li xml:lang="x-default">${escapeXml(text)}</rdf:li></rdf:Alt>`;
}

function bag(items: readonly string[]): string {
	return `<rdf:Bag>${items.map(item => `<rdf:li>${escapeXml(item)}</rdf:li>`).join('')}</rdf:Bag>`;
}

/** A keyword value may not contain a hierarchy separator (an sref URL has `/`): it would split the tag. */
function leaf(value: string): string {
	return value.replace(/[|/]/g, '_');
}

/** A standalone XMP sidecar: prompt, job id, creation time, rating, keywords and the full command, readable by digiKam, Lightroom, darktable and exiftool. */
export function buildSidecarXmp(fields: SidecarFields): string {
	const rating = fields.rating === undefined ? [] : [`<xmp:Rating>${Math.max(0, Math.min(5, Math.round(fields.rating)))}</xmp:Rating>`];
	const flat = [tagRoot, ...fields.tags.map(([category, value]) => `${category.toLowerCase()}:${value}`), ...(fields.liked ? ['liked'] : [])];
	const hierarchy = (separator: string) => [...fields.tags.map(([category, value]) => [tagRoot, category, leaf(value)].join(separator)), ...(fields.liked ? [[tagRoot, 'Liked'].join(separator)] : [])];
	return [
		'<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>',
		'<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="mj-tui">',
		'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
		'<rdf:Description rdf:about=""',
		' xmlns:dc="http://purl.org/dc/elements/1.1/"',
		' xmlns:xmp="http://ns.adobe.com/xap/1.0/"',
		' xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"',
		' xmlns:exif="http://ns.adobe.com/exif/1.0/"',
		' xmlns:lr="http://ns.adobe.com/lightroom/1.0/"',
		' xmlns:digiKam="http://www.digikam.org/ns/1.0/"',
		' xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/">',
		`<dc:title>${altLang(fields.prompt)}</dc:title>`,
		`<dc:description>${altLang(fields.prompt)}</dc:description>`,
		`<dc:identifier>${escapeXml(fields.identifier)}</dc:identifier>`,
		`<dc:subject>${bag(flat)}</dc:subject>`,
		`<xmp:CreateDate>${new Date(fields.createdAt).toISOString()}</xmp:CreateDate>`,
		...rating,
		`<xmpMM:DocumentID>${escapeXml(fields.documentId)}</xmpMM:DocumentID>`,
		// The full command with its parameters: exif:UserComment is the free-text field every reader shows.
		`<exif:UserComment>${altLang(fields.fullCommand)}</exif:UserComment>`,
		`<lr:hierarchicalSubject>${bag(hierarchy('|'))}</lr:hierarchicalSubject>`,
		`<digiKam:TagsList>${bag(hierarchy('/'))}</digiKam:TagsList>`,
		'<Iptc4xmpExt:DigitalSourceType>http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia</Iptc4xmpExt:DigitalSourceType>',
		'</rdf:Description>',
		'</rdf:RDF>',
		'</x:xmpmeta>',
		'<?xpacket end="w"?>',
		'',
	].join('\n');
}
