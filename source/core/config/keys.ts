/**
 * The one table of configuration keys: type, range, whether secret, and the
 * words users see. The loader, the env variable names, `config show`,
 * `config init`'s starter file and README's key table all come from it, so a
 * new key is added in one place.
 */
import {namingTokens, validateTemplate} from '../downloads/naming.js';
import {previewModes} from '../preview/renderers.js';
import {parseBytes, parseDuration} from '../units.js';
import type {Config} from './config.js';

export type ConfigKey = keyof Config;

/** What a key accepts. Every kind parses both file values (typed) and env/flag values (strings). */
export type KeyKind =
	| {kind: 'string'; allowEmpty?: boolean}
	| {kind: 'path'}
	| {kind: 'url'}
	| {kind: 'integer'; min: number; max: number}
	/** Milliseconds: an integer, or a duration such as `500ms`, `30s`, `2m`. */
	| {kind: 'duration'; min: number; max: number}
	/** Bytes: an integer, or a size such as `512k`, `2M`. */
	| {kind: 'bytes'; max: number}
	| {kind: 'boolean'}
	| {kind: 'enum'; values: readonly string[]}
	| {kind: 'naming'};

export interface KeySpec {
	key: ConfigKey;
	type: KeyKind;
	/** Tokens and cookies: registered with registerSecret() on load, never printed. */
	secret?: boolean;
	/** One line for `config show`, the starter file and README. */
	summary: string;
	/** An example value as one would write it in YAML. */
	example: string;
}

const minute = 60_000;
const hour = 60 * minute;

export const keySpecs: readonly KeySpec[] = [
	{key: 'archive', type: {kind: 'path'}, summary: 'Archive folder (archive.db, images/, .parts/)', example: '~/midjourney'},
	{key: 'apiBase', type: {kind: 'url'}, summary: 'Base URL of the Midjourney web API', example: 'https://www.midjourney.com'},
	{key: 'cdnBase', type: {kind: 'url'}, summary: 'Base URL of the image CDN', example: 'https://cdn.midjourney.com'},
	{key: 'tokenBase', type: {kind: 'url'}, summary: 'Base URL of the token refresh endpoint', example: 'https://securetoken.googleapis.com'},
	{key: 'tokenApiKey', type: {kind: 'string', allowEmpty: true}, summary: "The web app's public API key for token refresh (the default is the one the site ships); empty: no refresh", example: 'AIza...'},
	{key: 'transport', type: {kind: 'enum', values: ['direct', 'browser']}, summary: 'How API requests travel: direct, or browser (inside Chrome/Chromium, past Cloudflare)', example: 'browser'},
	{key: 'browser', type: {kind: 'path'}, summary: 'Chrome/Chromium executable for the browser route and login; default: found on PATH', example: '/usr/bin/chromium'},
	{key: 'userId', type: {kind: 'string'}, summary: "Account id; default: the token's midjourney_id claim", example: '0b1c2d3e-...'},
	{key: 'token', type: {kind: 'string'}, secret: true, summary: 'The __Host-Midjourney.AuthUserTokenV3_i cookie (a JWT)', example: 'eyJhbGciOi...'},
	{key: 'refreshToken', type: {kind: 'string'}, secret: true, summary: 'The __Host-Midjourney.AuthUserTokenV3_r cookie', example: 'AMf-vB...'},
	{key: 'cookie', type: {kind: 'string'}, secret: true, summary: "A whole Cookie header from the browser (incl. cf_clearance)", example: '__Host-Midjourney.AuthUserTokenV3_i=...; cf_clearance=...'},
	{key: 'userAgent', type: {kind: 'string'}, summary: "User-Agent sent; use the browser's when Cloudflare insists", example: 'Mozilla/5.0 (X11; Linux x86_64) ...'},
	{key: 'pageSize', type: {kind: 'integer', min: 1, max: 1000}, summary: 'Jobs per listing request', example: '1000'},
	{key: 'pagePauseMs', type: {kind: 'duration', min: 0, max: 10 * minute}, summary: 'Pause between listing pages (ms, or 500ms / 2s)', example: '500'},
	{key: 'retries', type: {kind: 'integer', min: 0, max: 20}, summary: 'Retries of one request before it fails', example: '5'},
	{key: 'retryAfterCapMs', type: {kind: 'duration', min: 0, max: hour}, summary: 'Longest Retry-After honoured (ms, or 2m)', example: '120000'},
	{key: 'requestTimeoutMs', type: {kind: 'duration', min: 1000, max: 10 * minute}, summary: 'Timeout of one API request (ms, or 30s)', example: '30000'},
	{key: 'concurrency', type: {kind: 'integer', min: 1, max: 64}, summary: 'Downloads in flight at once', example: '4'},
	{key: 'perHostConcurrency', type: {kind: 'integer', min: 1, max: 64}, summary: 'Downloads in flight per host (unless set: follows concurrency)', example: '4'},
	{key: 'limitRate', type: {kind: 'bytes', max: 1024 ** 4}, summary: 'Bandwidth cap in bytes/s (512k, 2M); 0 = unlimited', example: '2M'},
	{key: 'naming', type: {kind: 'naming'}, summary: 'File naming template, relative to the archive; must contain {ext}', example: 'images/{yyyy}/{mm}/{date}_{job_id}_{index}.{ext}'},
	{key: 'format', type: {kind: 'enum', values: ['png', 'webp']}, summary: 'Rendition to download: full-size png or webp', example: 'png'},
	{key: 'embedMetadata', type: {kind: 'boolean'}, summary: 'Write the full command and job id into each downloaded PNG (Description + XMP)', example: 'false'},
	{key: 'sidecars', type: {kind: 'boolean'}, summary: 'Write an <image>.xmp sidecar (prompt, job id, rating, tags) beside each downloaded file', example: 'false'},
	{key: 'setMtime', type: {kind: 'boolean'}, summary: "Set each downloaded file's mtime to its job's enqueue time", example: 'true'},
	{key: 'likes', type: {kind: 'boolean'}, summary: 'Also archive the jobs the account liked (other people\'s too) and mark them liked', example: 'false'},
	{key: 'grids', type: {kind: 'boolean'}, summary: 'Also download grid composites', example: 'false'},
	{key: 'videos', type: {kind: 'boolean'}, summary: 'Also download the videos of video jobs', example: 'true'},
	{key: 'stallTimeoutMs', type: {kind: 'duration', min: 1000, max: 10 * minute}, summary: 'Abort a download that sends no bytes for this long (ms, or 30s)', example: '30000'},
	{key: 'perceptualHashes', type: {kind: 'boolean'}, summary: 'Hash each downloaded image for near-duplicate families (similar, stats, --dedupe), at low priority beside the transfers; false: only verify computes them', example: 'true'},
	{key: 'metricsFile', type: {kind: 'path'}, summary: 'Write Prometheus textfile metrics here after each batch run', example: '/var/lib/node_exporter/mj-tui.prom'},
	{key: 'preview', type: {kind: 'enum', values: previewModes}, summary: 'Pictures in the interactive app: auto (ask the terminal), kitty, iterm, sixel, blocks (half blocks), off', example: 'auto'},
	{key: 'verbose', type: {kind: 'boolean'}, summary: 'More detail in logs', example: 'false'},
	{key: 'quiet', type: {kind: 'boolean'}, summary: 'Only errors in logs', example: 'false'},
	{key: 'json', type: {kind: 'boolean'}, summary: 'Machine-readable output (batch summary, commands)', example: 'false'},
];

const specByKey = new Map<string, KeySpec>(keySpecs.map(spec => [spec.key, spec]));

/** The spec of a key, or undefined when `key` is not a configuration key. */
export function keySpec(key: string): KeySpec | undefined {
	return specByKey.get(key);
}

/** `limitRate` → `MJ_TUI_LIMIT_RATE`. */
export function envName(key: ConfigKey): string {
	return `MJ_TUI_${key.replace(/[A-Z]/g, letter => `_${letter}`).toUpperCase()}`;
}

/** `limitRate` → `limit-rate` (how the key is spelled as a flag). */
export function flagName(key: string): string {
	return key.replace(/[A-Z]/g, letter => `-${letter.toLowerCase()}`);
}

/** The result of parsing one raw value: the typed value, or what is allowed (for the error message). */
export type Parsed = {ok: true; value: unknown} | {ok: false; allowed: string};

/** What a kind accepts, in words, for error messages and docs. */
export function allowedText(type: KeyKind): string {
	switch (type.kind) {
		case 'string': return type.allowEmpty ? 'a string' : 'a non-empty string';
		case 'path': return 'a non-empty path';
		case 'url': return 'an http:// or https:// URL';
		case 'integer': return `an integer from ${type.min} to ${type.max}`;
		case 'duration': return `milliseconds from ${type.min} to ${type.max} (an integer, or a duration like 500ms, 30s, 2m)`;
		case 'bytes': return 'a size in bytes (an integer, or like 512k, 2M, 1G; 0 = unlimited)';
		case 'boolean': return 'true or false';
		case 'enum': return `one of ${type.values.join(', ')}`;
		case 'naming': return `a relative path template containing {ext}, using only the tokens ${namingTokens.map(token => `{${token}}`).join(' ')}, without ".." segments`;
	}
}

const trueWords = new Set(['true', '1', 'yes', 'on']);
const falseWords = new Set(['false', '0', 'no', 'off']);

/** Parse a value from a file (typed) or from env/flags (string) into the key's type. */
export function parseValue(type: KeyKind, raw: unknown): Parsed {
	const fail: Parsed = {ok: false, allowed: allowedText(type)};
	switch (type.kind) {
		case 'string':
		case 'path': {
			if (typeof raw !== 'string') return fail;
			const allowEmpty = type.kind === 'string' && type.allowEmpty;
			return raw.trim() === '' && !allowEmpty ? fail : {ok: true, value: raw};
		}
		case 'url': {
			if (typeof raw !== 'string') return fail;
			let url: URL;
			try {
				url = new URL(raw);
			} catch {
				return fail;
			}
			if (url.protocol !== 'http:' && url.protocol !== 'https:') return fail;
			// Callers append paths (`${apiBase}/api/imagine`); one form avoids `//api`.
			return {ok: true, value: raw.replace(/\/+$/, '')};
		}
		case 'integer':
		case 'duration': {
			let value: number | undefined;
			if (typeof raw === 'number') value = raw;
			else if (typeof raw === 'string' && /^\s*\d+\s*$/.test(raw)) value = Number(raw);
			else if (typeof raw === 'string' && type.kind === 'duration') value = parseDuration(raw);
			if (value === undefined || !Number.isInteger(value) || value < type.min || value > type.max) return fail;
			return {ok: true, value};
		}
		case 'bytes': {
			const value = typeof raw === 'number' ? raw : typeof raw === 'string' ? parseBytes(raw) : undefined;
			if (value === undefined || !Number.isInteger(value) || value < 0 || value > type.max) return fail;
			return {ok: true, value};
		}
		case 'boolean': {
			if (typeof raw === 'boolean') return {ok: true, value: raw};
			const word = typeof raw === 'string' ? raw.trim().toLowerCase() : undefined;
			if (word !== undefined && trueWords.has(word)) return {ok: true, value: true};
			if (word !== undefined && falseWords.has(word)) return {ok: true, value: false};
			return fail;
		}
		case 'enum':
			return typeof raw === 'string' && type.values.includes(raw) ? {ok: true, value: raw} : fail;
		case 'naming': {
			if (typeof raw !== 'string' || !raw.includes('{ext}')) return fail;
			const segments = raw.split(/[\\/]/);
			if (raw.startsWith('/') || /^[a-z]:/i.test(raw) || segments.includes('..')) return fail;
			// The download engine's own check: known tokens, and no rendering that could leave the archive.
			try {
				validateTemplate(raw);
			} catch {
				return fail;
			}
			return {ok: true, value: raw};
		}
	}
}
