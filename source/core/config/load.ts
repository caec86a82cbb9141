/**
 * The layered config loader: defaults < user file < project file (or
 * `--config`) < env (MJ_TUI_*) < flags. Every value is validated against the
 * key table and remembers where it came from, so `config show` can say so and
 * an error can name the file, variable or flag to fix.
 */
import fs from 'node:fs';
import path from 'node:path';
import {defaultConfig, type Config} from './config.js';
import {ExitCode, MjError} from '../errors.js';
import {redact, registerSecret} from '../secrets.js';
import {stripTerminalControls} from '../terminal-text.js';
import {didYouMean} from './did-you-mean.js';
import {homeDir, readExplicitConfig, readProjectConfig, readUserConfig, type ConfigFile} from './files.js';
import {envName, flagName, keySpec, keySpecs, parseValue, type ConfigKey, type KeySpec} from './keys.js';

/** Where a value came from. */
export type ConfigOrigin =
	| {source: 'default'}
	| {source: 'file'; file: string}
	| {source: 'env'; variable: string}
	| {source: 'flag'; flag: string}
	/** Set by `--demo` to point at the in-process stand-in. */
	| {source: 'demo'};

export interface ConfigLoadOptions {
	/** Relative flag and env paths resolve against this. */
	cwd: string;
	env: NodeJS.ProcessEnv;
	/** Flag values by config key, raw as parsed (strings and booleans); only flags actually given. */
	flags?: Partial<Record<ConfigKey, unknown>>;
	/** `--config <file>`: read this file as the project layer instead of searching. */
	configFile?: string;
	/** Skip the user file (tests of one layer; `config init` writing it). */
	skipUserConfig?: boolean;
}

export interface LoadedConfig {
	config: Config;
	origins: Record<ConfigKey, ConfigOrigin>;
	/** Config files read, lowest layer first. */
	files: string[];
	/** Things worth telling the user that are not errors (unknown MJ_TUI_ variables, loose file modes). */
	warnings: string[];
}

/** MJ_TUI_ variables that are not config keys but are read elsewhere (demo knobs for tests). */
const otherEnvVariables = new Set(['MJ_TUI_DEMO_FAULTS', 'MJ_TUI_DEMO_JOBS']);

const envToKey = new Map<string, KeySpec>(keySpecs.map(spec => [envName(spec.key), spec]));

/** How an origin is shown to people: `default`, `file /x/.mj-tuirc`, `env MJ_TUI_TOKEN`, `flag --archive`. */
export function describeOrigin(origin: ConfigOrigin): string {
	switch (origin.source) {
		case 'default': return 'default';
		case 'file': return `file ${origin.file}`;
		case 'env': return `env ${origin.variable}`;
		case 'flag': return `flag ${origin.flag}`;
		case 'demo': return 'demo';
	}
}

/** One rejected value, with everything the message needs. */
interface Problem {
	text: string;
	fromFlag: boolean;
}

function shown(spec: KeySpec | undefined, raw: unknown): string {
	if (spec?.secret) return `a ${Array.isArray(raw) ? 'list' : raw === null ? 'null' : typeof raw} (value hidden)`;
	const text = JSON.stringify(raw) ?? String(raw);
	return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** `~/x` → home/x; relative → against `base`. */
function resolvePath(value: string, base: string, env: NodeJS.ProcessEnv): string {
	if (value === '~' || value.startsWith('~/')) return path.join(homeDir(env), value.slice(1));
	return path.resolve(base, value);
}

class Layering {
	readonly values: Record<string, unknown> = {...defaultConfig};
	readonly origins = {} as Record<ConfigKey, ConfigOrigin>;
	readonly problems: Problem[] = [];
	readonly files: string[] = [];
	readonly warnings: string[] = [];
	/** Which layer last set each key (0 defaults, 1 user file, 2 project file, 3 env, 4 flags). */
	readonly layerOf: Record<string, number> = {};
	private layer = 0;

	constructor(private readonly options: ConfigLoadOptions) {
		for (const spec of keySpecs) this.origins[spec.key] = {source: 'default'};
		for (const spec of keySpecs) {
			if (spec.type.kind === 'path' && typeof this.values[spec.key] === 'string') {
				this.values[spec.key] = resolvePath(this.values[spec.key] as string, options.cwd, options.env);
			}
		}
	}

	/** Validate one raw value and, if good, let it override the layers below. */
	set(spec: KeySpec, raw: unknown, origin: ConfigOrigin, where: string, baseDir: string): void {
		if (spec.secret && typeof raw === 'string') registerSecret(raw);
		const parsed = parseValue(spec.type, raw);
		if (!parsed.ok) {
			this.problems.push({text: `${where} must be ${parsed.allowed}; got ${shown(spec, raw)}`, fromFlag: origin.source === 'flag'});
			return;
		}
		this.values[spec.key] = spec.type.kind === 'path' ? resolvePath(parsed.value as string, baseDir, this.options.env) : parsed.value;
		this.origins[spec.key] = origin;
		this.layerOf[spec.key] = this.layer;
	}

	file(file: ConfigFile | undefined): void {
		this.layer++;
		if (!file) return;
		this.files.push(file.file);
		const {values} = file;
		if (typeof values !== 'object' || values === null || Array.isArray(values)) {
			const got = Array.isArray(values) ? 'a list' : values === null ? 'null' : `a ${typeof values}`;
			this.problems.push({text: `${file.file}: the file must hold a mapping of keys to values; got ${got}`, fromFlag: false});
			return;
		}
		const known = keySpecs.map(spec => spec.key);
		let holdsSecret = false;
		for (const [key, raw] of Object.entries(values)) {
			const spec = keySpec(key);
			if (!spec) {
				// Register first: a secret under a misspelt key is still a secret.
				if (typeof raw === 'string' && /token|cookie|secret/i.test(key)) registerSecret(raw);
				const guess = didYouMean(key, known);
				this.problems.push({
					text: `${file.file}: unknown key "${key}"${guess ? `; did you mean "${guess}"?` : ''} (known keys: ${known.join(', ')})`,
					fromFlag: false,
				});
				continue;
			}
			// `key:` with nothing after it (YAML null) leaves the lower layers' value.
			if (raw === null || raw === undefined) continue;
			holdsSecret ||= Boolean(spec.secret);
			this.set(spec, raw, {source: 'file', file: file.file}, `${file.file}: ${key}`, path.dirname(file.file));
		}
		if (holdsSecret) this.warnIfReadableByOthers(file.file);
	}

	env(): void {
		this.layer = 3;
		const {env} = this.options;
		for (const [variable, raw] of Object.entries(env)) {
			if (!variable.startsWith('MJ_TUI_') || otherEnvVariables.has(variable)) continue;
			const spec = envToKey.get(variable);
			if (!spec) {
				if (/TOKEN|COOKIE|SECRET/.test(variable)) registerSecret(raw);
				const guess = didYouMean(variable, [...envToKey.keys()]);
				this.warnings.push(`ignoring unknown environment variable ${variable}${guess ? `; did you mean ${guess}?` : ''}`);
				continue;
			}
			// `MJ_TUI_TOKEN=` (empty) means "not set", as shells make it easy to write.
			if (raw === undefined || raw === '') continue;
			this.set(spec, raw, {source: 'env', variable}, `environment variable ${variable} (key ${spec.key})`, this.options.cwd);
		}
	}

	flags(): void {
		this.layer = 4;
		for (const [key, raw] of Object.entries(this.options.flags ?? {})) {
			const spec = keySpec(key);
			if (!spec) throw new Error(`flag for unknown config key ${key}`);
			if (raw === undefined) continue;
			const flag = `--${flagName(key)}`;
			this.set(spec, raw, {source: 'flag', flag}, flag, this.options.cwd);
		}
	}

	/** A token in a file others can read is worth a warning, not a refusal. */
	private warnIfReadableByOthers(file: string): void {
		if (process.platform === 'win32' || path.basename(file) === 'package.json') return;
		try {
			const mode = fs.statSync(file).mode & 0o777;
			if (mode & 0o077) {
				this.warnings.push(`${file} holds a token or cookie but is readable by others (mode ${mode.toString(8).padStart(4, '0')}); run: chmod 600 ${file}`);
			}
		} catch {
			// JS configs may be gone already; the warning is a courtesy.
		}
	}
}

function fail(problems: Problem[]): never {
	const lines = problems.map(problem => stripTerminalControls(redact(problem.text)));
	const onlyFlags = problems.every(problem => problem.fromFlag);
	const title = onlyFlags ? 'Invalid flag value' : 'Invalid configuration';
	const message = lines.length === 1 ? `${title}: ${lines[0]}` : `${title}:\n${lines.map(line => `  - ${line}`).join('\n')}`;
	throw new MjError(message, {
		exitCode: onlyFlags ? ExitCode.usage : ExitCode.config,
		hint: onlyFlags ? 'See mj-tui --help for the flags and what they take.' : 'Every key, its type and an example are listed in README (Configuration) and in the file `mj-tui config init` writes.',
	});
}

/** Load, merge and validate the configuration. Throws MjError (78, or 64 when only flags are wrong). */
export async function loadConfig(options: ConfigLoadOptions): Promise<LoadedConfig> {
	const layering = new Layering(options);
	if (!options.skipUserConfig) layering.file(await readUserConfig(options.env));
	const project = options.configFile
		? await readExplicitConfig(path.resolve(options.cwd, options.configFile))
		: await readProjectConfig(options.cwd);
	// In ~/.config/mj-tui itself the project search finds the user file again; count it once.
	if (project && !layering.files.includes(project.file)) layering.file(project);
	layering.env();
	layering.flags();
	const {values, origins, layerOf} = layering;
	if (values.verbose === true && values.quiet === true) {
		const verboseLayer = layerOf.verbose ?? 0;
		const quietLayer = layerOf.quiet ?? 0;
		if (verboseLayer === quietLayer) {
			layering.problems.push({
				text: `verbose (${describeOrigin(origins.verbose)}) and quiet (${describeOrigin(origins.quiet)}) are both on; choose one`,
				fromFlag: origins.verbose.source === 'flag',
			});
		} else {
			// A higher layer's choice of one silences the other from a lower layer (--verbose beats `quiet: true` in a file).
			const loser = verboseLayer > quietLayer ? 'quiet' : 'verbose';
			values[loser] = false;
			origins[loser] = origins[loser === 'quiet' ? 'verbose' : 'quiet'];
		}
	}
	if (layering.problems.length > 0) fail(layering.problems);
	const loaded: LoadedConfig = {config: values as unknown as Config, origins, files: layering.files, warnings: layering.warnings};
	provenance.set(loaded.config, loaded);
	return loaded;
}

const provenance = new WeakMap<Config, LoadedConfig | MjError>();

/**
 * How a Config object came to be: its LoadedConfig (origins, files), or the
 * error that made the CLI fall back to defaults for a command that tolerates
 * a bad config (`config show` reports it). Commands only receive the Config,
 * so this is how they reach the rest.
 */
export function configProvenance(config: Config): LoadedConfig | MjError | undefined {
	return provenance.get(config);
}

/** Record that `config` stands in for a config that failed to load. */
export function recordFailedLoad(config: Config, error: MjError): void {
	provenance.set(config, error);
}

/** Override keys after loading (the demo points the URLs at its stand-in), recording the origin. */
export function overrideConfig(loaded: LoadedConfig, values: Partial<Config>, origin: ConfigOrigin): LoadedConfig {
	const config = {...loaded.config, ...values};
	const origins = {...loaded.origins};
	for (const key of Object.keys(values) as ConfigKey[]) origins[key] = origin;
	for (const spec of keySpecs) if (spec.secret) registerSecret(config[spec.key] as string | undefined);
	const result = {...loaded, config, origins};
	provenance.set(config, result);
	return result;
}

/** The defaults alone, paths resolved against `cwd`: what a command that tolerates a bad config runs with. */
export function defaultsFor(options: Pick<ConfigLoadOptions, 'cwd' | 'env'>): Config {
	return new Layering(options).values as unknown as Config;
}
