/**
 * Splitting a Midjourney `full_command` into its prompt text and parameters
 * (`--ar 16:9 --v 7 --no cars, trees --tile`), and deriving the typed columns
 * the archive filters on (model version, aspect ratio, numeric knobs).
 */
import type {JobParameters} from '../job.js';

/** Short and long spellings Midjourney accepts for the same parameter; stored under the canonical name. */
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

/** Canonical parameter name for any accepted spelling (`--aspect` → `ar`). */
export function canonicalParameterName(name: string): string {
	const lower = name.toLowerCase();
	return parameterAliases[lower] ?? lower;
}

/**
 * A parameter starts at `--name` (or `—name`: iOS autocorrects `--` to an em
 * dash) at the start or after whitespace; `a--b` inside a URL is not one.
 */
const parameterStart = /(?:^|\s)(?:--|\u2014)([a-zA-Z][\w-]*)/g;

export interface ParsedCommand {
	/** The prompt text without its parameters, trimmed. */
	prompt: string;
	/** Canonical name → value (multi-word values kept whole) or `true` for flags. */
	parameters: JobParameters;
}

/** Split `full_command` into prompt text and parameters. Never throws. */
export function parseFullCommand(fullCommand: string): ParsedCommand {
	const starts = [...fullCommand.matchAll(parameterStart)];
	if (starts.length === 0) {
		return {prompt: fullCommand.trim(), parameters: {}};
	}

	const parameters: JobParameters = {};
	for (const [i, match] of starts.entries()) {
		const valueStart = match.index + match[0].length;
		const valueEnd = starts[i + 1]?.index ?? fullCommand.length;
		const value = fullCommand.slice(valueStart, valueEnd).trim();
		const name = canonicalParameterName(match[1]);
		const previous = parameters[name];
		// `--no a --no b` means "neither": keep both; any other repeat: the last one wins, as in Midjourney.
		if (name === 'no' && typeof previous === 'string' && value !== '') {
			parameters[name] = `${previous}, ${value}`;
		} else {
			parameters[name] = value === '' ? true : value;
		}
	}

	return {prompt: fullCommand.slice(0, starts[0].index).trim(), parameters};
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
 * `--niji`/`--v` or else from job_type (`v7_diffusion` → `'7'`); null if unknown.
 */
export function modelVersionOf(parameters: JobParameters, jobType: string): string | null {
	if (parameters.niji !== undefined) {
		const niji = firstWord(parameters.niji);
		return niji ? `niji ${niji}` : 'niji';
	}

	const version = firstWord(parameters.v);
	if (version) {
		return version;
	}

	const fromType = /^(?:v(\d+(?:\.\d+)?)|niji_?(\d+(?:\.\d+)?))_/i.exec(jobType);
	if (fromType?.[1]) {
		return fromType[1];
	}

	return fromType?.[2] ? `niji ${fromType[2]}` : null;
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
