/**
 * Splitting argv before meow sees it: which tokens are flags we know (and the
 * values they take), which are unknown flags (a usage error, reported with
 * the exact token and a suggestion), and where the subcommand starts. meow's
 * own unknown-flag check prints to the console and calls process.exit(2);
 * here a bad flag must be exit 64 and runCli must never end the process.
 */
import meow from 'meow';
import {ExitCode, MjError} from '../core/errors.js';
import {didYouMean} from '../core/config/did-you-mean.js';
import {camelCase, flagToken, meowFlags, type FlagDefinitions} from './flags.js';

/** One recognised flag as typed: its camelCase name and its token(s), value included. */
export interface ScannedFlag {
	name: string;
	tokens: string[];
}

export interface ArgvScan {
	/** Recognised flags in order. */
	flags: ScannedFlag[];
	/** Unrecognised flag tokens as typed. */
	unknown: string[];
	positionals: string[];
	/** With stopAtPositional: every token after the first positional. */
	rest: string[];
}

const negativeNumber = /^-\d+(?:\.\d+)?$/;

/** Sort argv into known flags (with their values), unknown flags and positionals. */
export function scanArgv(argv: readonly string[], definitions: FlagDefinitions, options: {stopAtPositional?: boolean} = {}): ArgvScan {
	const scan: ArgvScan = {flags: [], unknown: [], positionals: [], rest: []};
	const byShort = new Map(Object.entries(definitions).filter(([, d]) => d.shortFlag).map(([name, d]) => [d.shortFlag!, name]));
	for (let index = 0; index < argv.length; index++) {
		const token = argv[index]!;
		if (token === '--') {
			scan.positionals.push(...argv.slice(index + 1));
			break;
		}
		if (!token.startsWith('-') || token === '-' || negativeNumber.test(token)) {
			if (options.stopAtPositional) {
				scan.positionals.push(token);
				scan.rest = argv.slice(index + 1);
				break;
			}
			scan.positionals.push(token);
			continue;
		}
		let name: string | undefined;
		let hasInlineValue = false;
		if (token.startsWith('--')) {
			const body = token.slice(2);
			const eq = body.indexOf('=');
			hasInlineValue = eq !== -1;
			const camel = camelCase(eq === -1 ? body : body.slice(0, eq));
			if (definitions[camel]) name = camel;
			else if (camel.startsWith('no') && !hasInlineValue) {
				const positive = camel.slice(2, 3).toLowerCase() + camel.slice(3);
				if (definitions[positive]?.type === 'boolean') name = positive;
			}
		} else if (token.length === 2) {
			name = byShort.get(token.slice(1));
		}
		if (!name) {
			scan.unknown.push(token);
			continue;
		}
		const flag: ScannedFlag = {name, tokens: [token]};
		scan.flags.push(flag);
		const next = argv[index + 1];
		// A value flag takes the next token unless it is itself a flag (`--archive --batch` → empty archive, reported later).
		if (definitions[name]!.type === 'string' && !hasInlineValue && next !== undefined && (!next.startsWith('-') || negativeNumber.test(next) || next === '-')) {
			flag.tokens.push(next);
			index++;
		}
	}
	return scan;
}

/** The tokens of these flags, for meow. */
export function tokensOf(flags: readonly ScannedFlag[]): string[] {
	return flags.flatMap(flag => flag.tokens);
}

/** A usage error for unknown flags, with the closest known flag when one is near. */
export function unknownFlagError(tokens: readonly string[], definitions: FlagDefinitions, context: string): MjError {
	const names = Object.keys(definitions).map(flagToken);
	const described = tokens.map(token => {
		const guess = didYouMean(token.replace(/=.*$/, ''), names);
		return guess ? `${token} (did you mean ${guess}?)` : token;
	});
	return new MjError(`Unknown flag${tokens.length > 1 ? 's' : ''} ${context}: ${described.join(', ')}`, {
		exitCode: ExitCode.usage,
		hint: 'Run mj-tui --help for the list of flags.',
	});
}

/** Parse known-flag tokens with meow. Never exits the process; meow's own errors become usage errors (64). */
export function parseFlags(tokens: readonly string[], definitions: FlagDefinitions): Record<string, unknown> {
	try {
		const cli = meow({
			importMeta: import.meta,
			argv: [...tokens],
			flags: meowFlags(definitions),
			// Unknown tokens were filtered out by scanArgv; meow's check would exit the process.
			allowUnknownFlags: true,
			autoHelp: false,
			autoVersion: false,
			booleanDefault: undefined,
			description: false,
			help: false,
		});
		return cli.flags as Record<string, unknown>;
	} catch (error) {
		throw new MjError(error instanceof Error ? error.message.replace(/`/g, '') : String(error), {exitCode: ExitCode.usage, hint: 'Run mj-tui --help for the list of flags.'});
	}
}

/** mj-tui's version from package.json (found by meow from this file, in source/ and in dist/ alike). */
export function packageVersion(): string {
	const cli = meow({importMeta: import.meta, argv: [], flags: {}, autoHelp: false, autoVersion: false, description: false, help: false});
	return String(cli.pkg.version ?? '0.0.0');
}
