/**
 * What an image file says about its job, from every place a tool may have
 * written it: the website's PNG `Description` ("<full_command> Job ID: <uuid>"),
 * `Author`, `Creation Time`; XMP dc:*; EXIF UserComment/ImageDescription; and
 * the job id in the file name. Nothing is guessed: absent facts stay absent.
 */
import path from 'node:path';
import {readContainerMetadata, type ImageFormat} from './containers.js';
import {readExifText} from './exif.js';
import {readXmpFields} from './xmp.js';

const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const descriptionWithId = new RegExp(`^([\\s\\S]*?)\\s*Job ID:\\s*(${uuid.source})\\s*$`, 'i');

export interface FileMetadata {
	format: ImageFormat;
	jobId?: string;
	/** The image's index in its job (0-3 for a grid's images) from the file name. */
	index?: number;
	fullCommand?: string;
	author?: string;
	/** When the image was made, as the file states it (PNG Creation Time, else XMP, else EXIF dates), ISO 8601 UTC. */
	createdAt?: string;
	digitalSourceType?: string;
	width?: number;
	height?: number;
	/** Where each fact came from, for the report: e.g. ['png:Description', 'filename']. */
	sources: string[];
}

/** Split "prompt --ar 1:1 Job ID: <uuid>" into the command and the id; a bare text is a command without id. */
function splitDescription(text: string): {fullCommand?: string; jobId?: string} {
	const match = descriptionWithId.exec(text);
	if (match) return {fullCommand: match[1]!.trim() || undefined, jobId: match[2]!.toLowerCase()};
	const trimmed = text.trim();
	// A bare uuid is an id, not a prompt.
	if (new RegExp(`^${uuid.source}$`, 'i').test(trimmed)) return {jobId: trimmed.toLowerCase()};
	return {fullCommand: trimmed || undefined};
}

/**
 * What may follow the job id in a file name and still say which image it is:
 * Midjourney's own `<uuid>_0_<i>` (its CDN's `0_<i>`, optionally with the
 * `_<size>_N` of a smaller rendition) and the website's grid images
 * `<user>_<prompt>_<uuid>_<i>` (also this app's `{date}_{job_id}_{index}`).
 * Anything else after the id (or nothing: the website's upscales) says no index.
 */
const indexAfterId = /^(?:[_-]0[_-](\d)(?:_\d+_N)?|[_-](\d))(?:\.[a-z0-9]+)?$/i;

/** The job id and image index encoded in names like `user_prompt_<uuid>_2.png`, `<uuid>_0_2.png` or `<uuid>/0_2.png`; no index when the name does not state one unambiguously. */
export function idFromFileName(filePath: string): {jobId?: string; index?: number} {
	const base = path.basename(filePath);
	const match = new RegExp(uuid.source, 'i').exec(base);
	if (match) {
		const after = indexAfterId.exec(base.slice(match.index + match[0].length));
		const digit = after?.[1] ?? after?.[2];
		return {jobId: match[0].toLowerCase(), index: digit === undefined ? undefined : Number(digit)};
	}
	const parent = path.basename(path.dirname(filePath));
	if (new RegExp(`^${uuid.source}$`, 'i').test(parent)) {
		const index = /^0_(\d)(?:_\d+_N)?\.[a-z0-9]+$/i.exec(base);
		return {jobId: parent.toLowerCase(), index: index ? Number(index[1]) : undefined};
	}
	return {};
}

/** A PNG `Creation Time` (RFC 1123 or ISO 8601) or XMP date as ISO 8601 UTC; undefined when it is no date. */
function isoTime(text: string): string | undefined {
	const trimmed = text.trim();
	// Only dates that say their year: Date.parse alone would read "version 12" as a date.
	if (!/\b\d{4}\b/.test(trimmed)) return undefined;
	const parsed = Date.parse(trimmed);
	return Number.isNaN(parsed) ? undefined : new Date(parsed).toISOString();
}

/** EXIF `2024:05:01 13:45:00[+02:00]` as ISO 8601 UTC; EXIF states no zone unless it has an offset, so UTC is assumed then. */
function exifTime(text: string): string | undefined {
	const match = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})\s*([+-]\d{2}:\d{2}|Z)?$/.exec(text.trim());
	if (!match) return undefined;
	const [, year, month, day, hour, minute, second, offset] = match;
	const parsed = Date.parse(`${year}-${month}-${day}T${hour}:${minute}:${second}${offset ?? 'Z'}`);
	return Number.isNaN(parsed) ? undefined : new Date(parsed).toISOString();
}

/** Everything the file's bytes and name say about its job; undefined when it is not a PNG, JPEG or WebP. */
export function readFileMetadata(bytes: Buffer, filePath: string): FileMetadata | undefined {
	const container = readContainerMetadata(bytes);
	if (!container) return undefined;
	const found: FileMetadata = {format: container.format, width: container.width, height: container.height, sources: []};
	const offer = (source: string, facts: {fullCommand?: string; jobId?: string}) => {
		let used = false;
		if (facts.fullCommand && !found.fullCommand) [found.fullCommand, used] = [facts.fullCommand, true];
		if (facts.jobId && !found.jobId) [found.jobId, used] = [facts.jobId, true];
		if (used) found.sources.push(source);
	};

	for (const entry of container.text) {
		const keyword = entry.keyword.toLowerCase();
		if (keyword === 'description') offer(`png:${entry.keyword}`, splitDescription(entry.text));
		else if (keyword === 'job id' && uuid.test(entry.text)) offer(`png:${entry.keyword}`, {jobId: uuid.exec(entry.text)![0].toLowerCase()});
		else if (keyword === 'author' && entry.text.trim()) found.author ??= entry.text.trim();
		else if (keyword === 'creation time') found.createdAt ??= isoTime(entry.text);
		else if (keyword === 'comment' || keyword === 'title') offer(`png:${entry.keyword}`, splitDescription(entry.text));
	}
	for (const packet of container.xmp) {
		const xmp = readXmpFields(packet);
		if (xmp.description) offer('xmp:dc:description', splitDescription(xmp.description));
		if (xmp.identifier && uuid.test(xmp.identifier)) offer('xmp:dc:identifier', {jobId: uuid.exec(xmp.identifier)![0].toLowerCase()});
		if (xmp.title) offer('xmp:dc:title', splitDescription(xmp.title));
		if (xmp.digitalSourceType) found.digitalSourceType ??= xmp.digitalSourceType;
		if (xmp.createDate) found.createdAt ??= isoTime(xmp.createDate);
	}
	for (const block of container.exif) {
		const exif = readExifText(block);
		if (exif.userComment) offer('exif:UserComment', splitDescription(exif.userComment));
		if (exif.imageDescription) offer('exif:ImageDescription', splitDescription(exif.imageDescription));
		if (exif.dateTime) found.createdAt ??= exifTime(exif.dateTime);
	}
	const named = idFromFileName(filePath);
	if (named.jobId && !found.jobId) {
		found.jobId = named.jobId;
		found.sources.push('filename');
	}
	if (named.index !== undefined && (!found.jobId || found.jobId === named.jobId)) found.index = named.index;
	return found;
}
