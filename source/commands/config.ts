/**
 * `mj-tui config show [--json]`: the merged config, each value with where it
 * came from, secrets as [redacted]. `mj-tui config init [--force] [--path f]`:
 * a commented starter YAML at the user config location, mode 0600.
 */
import fs from 'node:fs';
import path from 'node:path';
import {commandHelp} from '../args/help-lines.js';
import {parseCommandArgs} from './shared.js';
import type {FlagDefinitions} from '../args/flags.js';
import type {Config} from '../core/config/config.js';
import {userConfigDir} from '../core/config/files.js';
import {keySpecs} from '../core/config/keys.js';
import {configProvenance, describeOrigin} from '../core/config/load.js';
import {starterConfig} from '../core/config/starter.js';
import {ExitCode, MjError} from '../core/errors.js';
import {safeText} from '../core/log.js';
import type {Command, CommandContext} from './types.js';
import {temporaryPathFor} from '../core/temp-files.js';
import {diskFullError, isDiskFull} from '../core/downloads/disk-full.js';

const flags = {
	force: {type: 'boolean', description: 'config init: overwrite an existing file'},
	path: {type: 'string', value: '<file>', description: 'config init: write here instead of the user config location'},
} as const satisfies FlagDefinitions;

const usage = ['mj-tui config show [--json]', 'mj-tui config init [--force] [--path <file>]'];

/** One row of `config show`. */
interface ShownValue {
	key: string;
	/** Secrets as `[redacted]`; unset optional keys as null. */
	value: string | number | boolean | null;
	origin: string;
}

function shownValues(config: Config): ShownValue[] {
	const provenance = configProvenance(config);
	if (provenance instanceof MjError) throw provenance;
	return keySpecs.map(spec => {
		const raw = config[spec.key];
		const value = raw === undefined ? null : spec.secret ? '[redacted]' : raw;
		return {key: spec.key, value, origin: provenance ? describeOrigin(provenance.origins[spec.key]) : 'default'};
	});
}

function show(context: CommandContext): number {
	const rows = shownValues(context.config);
	const provenance = configProvenance(context.config);
	const files = provenance && !(provenance instanceof MjError) ? provenance.files : [];
	const {stdout} = context.io;
	if (context.config.json) {
		const values = Object.fromEntries(rows.map(row => [row.key, {value: row.value, origin: row.origin}]));
		stdout.write(`${safeText(JSON.stringify({files, values}))}\n`);
		return ExitCode.ok;
	}
	const keyWidth = Math.max(...rows.map(row => row.key.length));
	const valueText = (row: ShownValue) => (row.value === null ? '(unset)' : typeof row.value === 'string' ? row.value : JSON.stringify(row.value));
	const valueWidth = Math.min(60, Math.max(...rows.map(row => valueText(row).length)));
	const lines = [
		files.length > 0 ? `Config files read: ${files.join(', ')}` : 'Config files read: none',
		'',
		...rows.map(row => `${row.key.padEnd(keyWidth)}  ${valueText(row).padEnd(valueWidth)}  ${row.origin}`),
	];
	stdout.write(`${safeText(lines.join('\n'))}\n`);
	return ExitCode.ok;
}

function init(context: CommandContext, force: boolean, target: string | undefined): number {
	const {io} = context;
	const file = target ? path.resolve(io.cwd, target) : path.join(userConfigDir(io.env), 'config.yaml');
	if (fs.existsSync(file) && !force) {
		throw new MjError(`${file} exists already; not overwriting it`, {exitCode: ExitCode.usage, hint: 'Add --force to replace it, or --path <file> to write elsewhere.'});
	}
	fs.mkdirSync(path.dirname(file), {recursive: true, mode: 0o700});
	// The file will hold tokens: it is created 0600, and an existing one is narrowed to 0600 too.
	// Through a temp renamed into place: a full disk leaves the old file (with --force) whole, and no half-written one.
	const temporary = temporaryPathFor(file, 'config');
	try {
		fs.writeFileSync(temporary, starterConfig(), {mode: 0o600, flag: 'wx'});
		fs.renameSync(temporary, file);
	} catch (error) {
		fs.rmSync(temporary, {force: true});
		if (isDiskFull(error)) throw diskFullError(path.dirname(file), error, {folder: 'the folder', stopped: `${file} was not written`, hint: 'Free some space there and run config init again; an existing file is unchanged.'});
		throw error;
	}
	fs.chmodSync(file, 0o600);
	io.stdout.write(`${safeText(`Wrote ${file} (mode 0600). Uncomment and fill in token and refreshToken (or cookie) to sync your account.`)}\n`);
	return ExitCode.ok;
}

export const configCommand: Command = {
	name: 'config',
	summary: 'config show: the merged config and where each value came from; config init: write a starter file',
	flags,
	async run(context) {
		const {flags: given, input} = parseCommandArgs('config', context.argv, flags);
		if (given.help === true) {
			context.io.stdout.write(`${commandHelp(usage, flags)}\n`);
			return ExitCode.ok;
		}
		const [action = 'show', ...extra] = input;
		if (extra.length > 0) throw new MjError(`mj-tui config ${action}: unexpected argument ${JSON.stringify(extra[0])}`, {exitCode: ExitCode.usage, hint: usage.join('\n        ')});
		if (action === 'show') return show(context);
		if (action === 'init') return init(context, given.force === true, given.path as string | undefined);
		throw new MjError(`mj-tui config: unknown action ${JSON.stringify(action)} (actions: show, init)`, {exitCode: ExitCode.usage, hint: usage.join('\n        ')});
	},
};
