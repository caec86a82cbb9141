/**
 * File names from the naming template (`images/{yyyy}/{mm}/{date}_{job_id}_{index}.{ext}`),
 * and the guarantee that every computed path stays inside the archive: job
 * ids and prompts come from the network and templates from users, so both
 * are treated as hostile.
 */
import path from 'node:path';
import {ExitCode, MjError} from '../errors.js';

/** The values one file's name is made of. */
export interface NameFields {
	/** Epoch ms (UTC) the job was created; 0 when unknown (URL lists). */
	enqueuedAt: number;
	jobId: string;
	index: number;
	/** The job's type, e.g. `v7_diffusion`; `url` for URL lists. */
	type: string;
	prompt: string;
	ext: string;
}

export const namingTokens = ['yyyy', 'mm', 'dd', 'date', 'time', 'job_id', 'index', 'type', 'prompt_slug', 'ext'] as const;

// Windows device names are unsafe on any filesystem a user may copy the archive to.
const reservedNames = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;
// Names the archive itself uses at its top level.
const archiveOwnNames = /^(\.parts|archive\.db.*)$/i;
// eslint-disable-next-line no-control-regex
const controlChars = /[\u0000-\u001f\u007f-\u009f]/;

/** A value safe to put inside one path segment: no separators, dots-only, controls or odd characters. */
export function sanitizeSegmentValue(value: string, maxLength = 100): string {
	const cleaned = value
		// eslint-disable-next-line no-control-regex
		.replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
		.replace(/[/\\:*?"<>|]/g, '_')
		.replace(/\.{2,}/g, '_')
		.trim()
		.slice(0, maxLength)
		.replace(/[. ]+$/, '');
	return cleaned === '' || cleaned === '.' ? '_' : cleaned;
}

/** A short lowercase slug of a prompt: `A Cat, in Space!` → `a-cat-in-space`. */
export function promptSlug(prompt: string, maxLength = 60): string {
	const slug = prompt
		.normalize('NFKD')
		.replace(/[\u0300-\u036f]/g, '')
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-+|-+$/g, '')
		.slice(0, maxLength)
		.replace(/-+$/, '');
	return slug === '' ? 'untitled' : slug;
}

/** Throw a config error unless `template` only uses known tokens and cannot leave the archive. */
export function validateTemplate(template: string): void {
	for (const match of template.matchAll(/\{([^}]*)\}/g)) {
		if (!(namingTokens as readonly string[]).includes(match[1]!)) {
			throw new MjError(`naming template "${template}": unknown token {${match[1]}}`, {
				exitCode: ExitCode.config,
				hint: `Known tokens: ${namingTokens.map((t) => `{${t}}`).join(' ')}`,
			});
		}
	}
	checkRelativePath(renderTemplate(template, {enqueuedAt: 0, jobId: 'job', index: 0, type: 'type', prompt: 'prompt', ext: 'png'}), `naming template "${template}"`);
}

/** The template with each token replaced by its sanitised value (not yet checked as a path). */
export function renderTemplate(template: string, fields: NameFields): string {
	const date = new Date(fields.enqueuedAt);
	const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
	const yyyy = pad(date.getUTCFullYear(), 4);
	const mm = pad(date.getUTCMonth() + 1);
	const dd = pad(date.getUTCDate());
	const values: Record<string, string> = {
		yyyy,
		mm,
		dd,
		date: `${yyyy}-${mm}-${dd}`,
		time: `${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`,
		job_id: sanitizeSegmentValue(fields.jobId),
		index: String(fields.index),
		type: sanitizeSegmentValue(fields.type, 40),
		prompt_slug: promptSlug(fields.prompt),
		ext: sanitizeSegmentValue(fields.ext, 8),
	};
	return template.replace(/\{([a-z_]+)\}/g, (whole, token: string) => values[token] ?? whole);
}

/**
 * Check a relative path (with `/` separators) is safe to create inside the
 * archive; returns it normalised. Throws MjError (exit 65) naming `what`.
 */
export function checkRelativePath(relative: string, what: string): string {
	const fail = (reason: string): never => {
		throw new MjError(`${what}: unsafe path ${JSON.stringify(relative)} (${reason})`, {
			exitCode: ExitCode.config,
			hint: 'File names must stay inside the archive folder: no "..", no absolute paths, no control characters.',
		});
	};
	if (relative === '') fail('empty');
	if (controlChars.test(relative)) fail('control character');
	if (relative.startsWith('/') || relative.startsWith('\\') || /^[a-z]:/i.test(relative) || path.isAbsolute(relative)) fail('absolute');
	if (relative.includes('\\')) fail('backslash');
	const segments = relative.split('/');
	for (const [i, segment] of segments.entries()) {
		if (segment === '') fail('empty segment');
		if (segment === '.' || segment === '..') fail('"." or ".." segment');
		if (reservedNames.test(segment)) fail(`reserved name ${segment}`);
		if (i === 0 && archiveOwnNames.test(segment)) fail(`${segment} belongs to the archive itself`);
		if (/[. ]$/.test(segment)) fail('segment ends with a dot or space');
		if (Buffer.byteLength(segment) > 255) fail('segment longer than 255 bytes');
	}
	return segments.join('/');
}

/** The absolute path of `relative` inside `archiveDir`, refusing anything that would land outside it. */
export function resolveInside(archiveDir: string, relative: string): string {
	const root = path.resolve(archiveDir);
	const absolute = path.resolve(root, checkRelativePath(relative, 'file name'));
	if (!absolute.startsWith(root + path.sep)) {
		throw new MjError(`file name ${JSON.stringify(relative)} resolves outside the archive`, {exitCode: ExitCode.dataError});
	}
	return absolute;
}

/** `a/b/name.png` with suffix 2 → `a/b/name_2.png`. */
export function withSuffix(relative: string, n: number): string {
	const slash = relative.lastIndexOf('/');
	const dot = relative.lastIndexOf('.');
	return dot > slash + 1 ? `${relative.slice(0, dot)}_${n}${relative.slice(dot)}` : `${relative}_${n}`;
}

/** The path for a file from a plain URL list: `urls/<host>/<url path>`, each segment sanitised. */
export function nameFromUrl(url: URL): string {
	const segments = url.pathname
		.split('/')
		.filter((s) => s !== '')
		.map((s) => sanitizeSegmentValue(safeDecode(s)).replace(/[. ]+$/, '_'))
		.map((s) => (reservedNames.test(s) ? `_${s}` : s));
	if (segments.length === 0) segments.push('index');
	return ['urls', sanitizeSegmentValue(url.host.replace(/:/g, '_')), ...segments].join('/');
}

function safeDecode(segment: string): string {
	try {
		return decodeURIComponent(segment);
	} catch {
		return segment;
	}
}
