/**
 * The one argument parser: node:util parseArgs tokenizes, this module decides
 * what each token means against a flag table. It serves the global flags (up
 * to the subcommand), each subcommand's flags, and `search`, whose unknown
 * flags (`--ar 16:9`) are query text. Never exits the process: a bad flag is
 * an MjError with exit 64 naming the exact token, with a suggestion.
 *
 * What parseArgs leaves to us, kept as mj-tui has always read argv:
 * `--limit-rate` and `--limitRate` both work; `--no-<flag>` turns a boolean
 * off; a value flag followed by another flag gets an empty value (`--archive
 * --json` is an empty archive path, reported by the config layer) but takes a
 * negative number (`--chaos -5`); `-5` alone is a positional; a value flag
 * given twice is an error, a repeated boolean is not.
 */
import {parseArgs} from 'node:util';
import {didYouMean} from '../core/config/did-you-mean.js';
import {ExitCode, MjError} from '../core/errors.js';
import {camelCase, flagToken, type FlagDefinitions} from './flags.js';

export interface ParsedArgv {
	/** Given flags by camelCase name: true/false, a string, or string[] for repeatable ones. Absent when not given. */
	flags: Record<string, unknown>;
	/** Unknown flag tokens as typed (empty with `unknownAsText`). */
	unknown: string[];
	/** Positional arguments in order; with `unknownAsText`, unknown flags too, where they stood. */
	positionals: string[];
	/** With `stopAtPositional`: every token after the first positional, unparsed. */
	rest: string[];
}

export interface ParseOptions {
	/** Stop at the first positional (the subcommand) and leave the rest unparsed. */
	stopAtPositional?: boolean;
	/** Unknown flags are text (search's Midjourney parameters), not errors. */
	unknownAsText?: boolean;
}

const negativeNumber = /^-\d+(?:\.\d+)?$/;

/** A token that parseArgs would read as a flag, so it cannot be the value of the flag before it. */
function looksLikeFlag(token: string | undefined): boolean {
	return token !== undefined && token.startsWith('-') && token !== '-' && !negativeNumber.test(token);
}

function usage(message: string): MjError {
	return new MjError(message, {exitCode: ExitCode.usage, hint: 'Run mj-tui --help for the list of flags.'});
}

/** The definition a long-flag name (`limit-rate`, `limitRate`) stands for, if any. */
function definedName(name: string, definitions: FlagDefinitions): string | undefined {
	const camel = camelCase(name);
	return Object.hasOwn(definitions, camel) ? camel : undefined;
}

/**
 * argv as parseArgs should see it, token for token (indexes stay the same):
 * long flags spelled in camelCase get their kebab-case name, and a value flag
 * followed by a flag gets an explicit empty value.
 */
function normalise(argv: readonly string[], definitions: FlagDefinitions): string[] {
	const out = [...argv];
	for (let index = 0; index < out.length; index++) {
		const token = out[index]!;
		if (token === '--') break;
		if (!token.startsWith('--')) continue;
		const eq = token.indexOf('=');
		const name = definedName(token.slice(2, eq === -1 ? undefined : eq), definitions);
		if (!name) continue;
		out[index] = `${flagToken(name)}${eq === -1 ? '' : token.slice(eq)}`;
		if (eq === -1 && definitions[name]!.type === 'string' && looksLikeFlag(out[index + 1])) out[index] += '=';
	}
	return out;
}

/** Parse argv against a flag table. Unknown flags are collected (or kept as text), never thrown here. */
export function parseArgv(argv: readonly string[], definitions: FlagDefinitions, options: ParseOptions = {}): ParsedArgv {
	const parsed: ParsedArgv = {flags: {}, unknown: [], positionals: [], rest: []};
	const {tokens} = parseArgs({
		args: normalise(argv, definitions),
		options: Object.fromEntries(
			Object.entries(definitions).map(([name, definition]) => [
				flagToken(name).slice(2),
				{type: definition.type, ...(definition.isMultiple ? {multiple: true} : {}), ...(definition.shortFlag ? {short: definition.shortFlag} : {})},
			]),
		),
		strict: false,
		allowPositionals: true,
		tokens: true,
	});
	// A short group (`-hx`) or a negative number (`-5.5`) is one argv token but several parseArgs tokens.
	let lastIndex = -1;
	for (const token of tokens) {
		if (token.kind === 'option-terminator') continue;
		const typed = argv[token.index]!;
		if (token.index === lastIndex && token.kind === 'option' && !token.rawName.startsWith('--')) continue;
		lastIndex = token.index;
		if (token.kind === 'positional' || negativeNumber.test(typed)) {
			if (options.stopAtPositional) {
				parsed.positionals.push(typed);
				parsed.rest = argv.slice(token.index + 1);
				return parsed;
			}
			parsed.positionals.push(typed);
			continue;
		}
		const name = token.rawName.startsWith('--') ? definedName(token.name, definitions) : typed === token.rawName ? shortName(token.rawName.slice(1), definitions) : undefined;
		if (name !== undefined) {
			setFlag(parsed.flags, name, definitions, token.value);
			continue;
		}
		const negated = !token.inlineValue && token.rawName.startsWith('--') ? negatedName(token.name, definitions) : undefined;
		if (negated !== undefined) parsed.flags[negated] = false;
		else if (options.unknownAsText) parsed.positionals.push(typed);
		else parsed.unknown.push(typed);
	}
	return parsed;
}

/** The boolean that `--no-<name>` (or `--noName`) turns off, if any. */
function negatedName(name: string, definitions: FlagDefinitions): string | undefined {
	const camel = camelCase(name);
	if (!camel.startsWith('no') || camel.length < 3) return undefined;
	const positive = camel.slice(2, 3).toLowerCase() + camel.slice(3);
	return definitions[positive]?.type === 'boolean' ? positive : undefined;
}

function shortName(letter: string, definitions: FlagDefinitions): string | undefined {
	return Object.entries(definitions).find(([, definition]) => definition.shortFlag === letter)?.[0];
}

/** Record one given flag: booleans may repeat (last wins), repeatable strings collect, other strings may be given once. */
function setFlag(flags: Record<string, unknown>, name: string, definitions: FlagDefinitions, value: string | undefined): void {
	const definition = definitions[name]!;
	if (definition.type === 'boolean') {
		if (value !== undefined && value !== 'true' && value !== 'false') throw usage(`${flagToken(name)} takes no value (or =true, =false); got ${JSON.stringify(value)}`);
		flags[name] = value !== 'false';
	} else if (definition.isMultiple) {
		flags[name] = [...((flags[name] as string[] | undefined) ?? []), value ?? ''];
	} else {
		if (Object.hasOwn(flags, name)) throw usage(`The flag ${flagToken(name)} can only be set once.`);
		flags[name] = value ?? '';
	}
}

/** A usage error for unknown flags, with the closest known flag when one is near. */
export function unknownFlagError(tokens: readonly string[], definitions: FlagDefinitions, context: string): MjError {
	const names = Object.keys(definitions).map(flagToken);
	const described = tokens.map(token => {
		const guess = didYouMean(token.replace(/=.*$/, ''), names);
		return guess ? `${token} (did you mean ${guess}?)` : token;
	});
	return usage(`Unknown flag${tokens.length > 1 ? 's' : ''} ${context}: ${described.join(', ')}`);
}
