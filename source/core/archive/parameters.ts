/**
 * Splitting a Midjourney `full_command` into its prompt text and parameters
 * (`--ar 16:9 --v 7 --no cars, trees --tile`), and deriving the typed columns
 * the archive filters on (model version, aspect ratio, numeric knobs).
 */
import type {JobParameters} from '../job.js';

/**
 * Short and long spellings Midjourney accepts for the same parameter; stored
 * under the canonical name. README's parameter table lists the same pairs.
 */
const parameterAliases: Readonly<Record<string, string>> = {
	aspect: 'ar',
	s: 'stylize',
	c: 'chaos',
	version: 'v',
	q: 'quality',
	w: 'weird',
	r: 'repeat',
	personalize: 'p',
	profile: 'p',
};

/** Flags that are shorthand for a parameter with a value: `--raw` is `--style raw`. */
const flagShorthands: Readonly<Record<string, readonly [name: string, value: string]>> = {
	raw: ['style', 'raw'],
};

/** Parameters whose value is one number: stored in its plain decimal form (`.5` → `0.5`, `0250` → `250`). */
const numberValued = new Set(['stylize', 'chaos', 'weird', 'quality', 'iw', 'sw', 'sv', 'cw', 'ow', 'exp', 'seed', 'stop', 'repeat', 'video']);
/** Parameters whose value is a version (`--v 7.0` is `--v 7`). */
const versionValued = new Set(['v', 'niji']);
/** Parameters whose value is a word Midjourney reads case-insensitively. */
const wordValued = new Set(['style', 'motion']);

/** Canonical parameter name for any accepted spelling (`--aspect` → `ar`). */
export function canonicalParameterName(name: string): string {
	const lower = name.toLowerCase();
	return parameterAliases[lower] ?? lower;
}

const plainNumber = /^[-+]?(?:\d+\.?\d*|\.\d+)$/;

/** `7.0` → `7`, `.5` → `0.5`; anything that is not one plain number is returned as written. */
function normalNumber(value: string): string {
	return plainNumber.test(value) && Number.isFinite(Number(value)) ? String(Number(value)) : value;
}

/**
 * A parameter as Midjourney means it: canonical name and normalised value.
 * `--raw` → style raw, `--profile x` → p x, `--v 7.0` → v 7, `--style RAW` → style raw,
 * several `--sref` codes and URLs → one space-separated list. Used for stored jobs and search alike.
 */
export function normaliseParameter(name: string, value: string | true): {name: string; value: string | true} {
	const canonical = canonicalParameterName(name);
	const shorthand = flagShorthands[canonical];
	if (shorthand && value === true) return {name: shorthand[0], value: shorthand[1]};
	if (value === true) return {name: canonical, value};
	const words = value.split(/\s+/).filter(Boolean);
	if (words.length === 1 && (numberValued.has(canonical) || versionValued.has(canonical))) return {name: canonical, value: normalNumber(words[0])};
	if (wordValued.has(canonical)) return {name: canonical, value: words.join(' ').toLowerCase()};
	return {name: canonical, value: canonical === 'no' ? value : words.join(' ')};
}

/**
 * A parameter starts at `--name` (or `—name`: iOS autocorrects `--` to an em
 * dash) at the start or after whitespace; `a--b` inside a URL is not one.
 */
const parameterStart = /(?:^|\s)(?:--|\u2014)([a-zA-Z][\w-]*)/g;

/** Image prompts: URLs (optionally in <>) at the very start of the command, before the text. */
const leadingImagePrompts = /^(?:\s*<?https?:\/\/[^\s>]+>?)+/i;

/** Where image-prompt URLs are kept in the parameters object (not a Midjourney parameter name, so it cannot clash). */
export const imagePromptsKey = 'image_prompts';

export interface ParsedCommand {
	/** The prompt text without image-prompt URLs and parameters, trimmed. `::` weights stay in it. */
	prompt: string;
	/** Canonical name → normalised value (multi-word values kept whole) or `true` for flags. */
	parameters: JobParameters;
}

/** Split `full_command` into prompt text and normalised parameters. Never throws. */
export function parseFullCommand(fullCommand: string): ParsedCommand {
	const parameters: JobParameters = {};
	const images = leadingImagePrompts.exec(fullCommand)?.[0] ?? '';
	if (images) parameters[imagePromptsKey] = images.trim().split(/\s+/).map(url => url.replace(/^<|>$/g, '')).join(' ');
	const text = fullCommand.slice(images.length);
	const starts = [...text.matchAll(parameterStart)];
	for (const [i, match] of starts.entries()) {
		const valueStart = match.index + match[0].length;
		const valueEnd = starts[i + 1]?.index ?? text.length;
		const written = text.slice(valueStart, valueEnd).trim();
		const {name, value} = normaliseParameter(match[1], written === '' ? true : written);
		const previous = parameters[name];
		// `--no a --no b` means "neither": keep both; any other repeat: the last one wins, as in Midjourney.
		parameters[name] = name === 'no' && typeof previous === 'string' && value !== true ? `${previous}, ${value}` : value;
	}

	return {prompt: text.slice(0, starts[0]?.index ?? text.length).trim(), parameters};
}

/** First whitespace-separated word of a parameter value (`'16:9 extra'` → `'16:9'`). */
function firstWord(value: string | true | undefined): string | undefined {
	if (typeof value !== 'string') {
		return undefined;
	}

	return value.split(/\s+/, 1)[0] || undefined;
}

/**
 * Model version for filtering: `'7'`, `'6.1'`, `'niji 6'`, `'niji'`, from
 * `--niji`/`--v` (already normalised) or else from job_type (`v7_diffusion` → `'7'`,
 * `v8-1_hd_diffusion` → `'8.1'`); null if unknown.
 */
export function modelVersionOf(parameters: JobParameters, jobType: string | null): string | null {
	if (parameters.niji !== undefined) {
		const niji = firstWord(parameters.niji);
		return niji ? `niji ${niji}` : 'niji';
	}

	const version = firstWord(parameters.v);
	if (version) {
		return version;
	}

	// `v8-1_hd_diffusion` is version 8.1: job types write the dot as a dash.
	const fromType = /^(?:v(\d+(?:[.-]\d+)?)|niji_?(\d+(?:[.-]\d+)?))_/i.exec(jobType ?? '');
	const typeVersion = (written: string) => normalNumber(written.replace('-', '.'));
	if (fromType?.[1]) {
		return typeVersion(fromType[1]);
	}

	return fromType?.[2] ? `niji ${typeVersion(fromType[2])}` : null;
}

function greatestCommonDivisor(a: number, b: number): number {
	return b === 0 ? a : greatestCommonDivisor(b, a % b);
}

/** Aspect ratio for filtering: `--ar` as written (`'16:9'`), else width:height reduced; null if unknown. */
export function aspectRatioOf(parameters: JobParameters, width: number | null, height: number | null): string | null {
	const written = firstWord(parameters.ar);
	if (written) {
		return written;
	}

	if (!width || !height || !Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
		return null;
	}

	const divisor = greatestCommonDivisor(width, height);
	return `${width / divisor}:${height / divisor}`;
}

/** The numeric parameters that get typed columns, so `--stylize >250` is an indexed comparison. */
export const numericParameters = ['stylize', 'chaos', 'weird', 'quality'] as const;
export type NumericParameter = (typeof numericParameters)[number];

/** A numeric parameter's value (`'250'` → 250), or null when absent or not a number. */
export function numericParameterOf(parameters: JobParameters, name: NumericParameter): number | null {
	const word = firstWord(parameters[name]);
	if (word === undefined) {
		return null;
	}

	const value = Number(word);
	return Number.isFinite(value) ? value : null;
}
