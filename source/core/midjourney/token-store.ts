/**
 * Tokens that outlive the process. A refreshed JWT (and a rotated refresh
 * token) is written to `$XDG_STATE_HOME/mj-tui/tokens.json` (default
 * ~/.local/state/mj-tui/, file 0600, folder 0700), so the next run starts
 * from the newest token instead of refreshing again, and a cron job given
 * only a refresh token keeps working after the first one rotates. `mj-tui
 * login` saves the cookies it collected in the same file. Never inside the
 * archive; every value read is registered as a secret at once.
 *
 * Which saved tokens a run may use: entries are kept per API base, and carry
 * the fingerprint of the credentials they grew from (the configured refresh
 * token, or `login`). A run uses an entry when its configured credentials are
 * that same seed, or when it has none configured at all, so pasting a new
 * token always wins over what an older one grew into.
 */
import {createHash, randomBytes} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type {Config} from '../config/config.js';
import {homeDir} from '../config/files.js';
import {ExitCode, MjError} from '../errors.js';
import {registerSecret} from '../secrets.js';
import {parseCookieHeader, refreshCookieName, tokenCookieName} from './auth.js';

/** Saved credentials for one API base. Secrets, all of them. */
export interface SavedCredentials {
	token?: string;
	refreshToken?: string;
	/** A whole Cookie header (login: the browser's cookies for the site, cf_clearance included). */
	cookie?: string;
	/** The User-Agent cf_clearance is bound to (login, browser route). */
	userAgent?: string;
}

interface StoredEntry extends SavedCredentials {
	/** Fingerprint of the credentials this entry grew from (see fingerprint()). */
	seed: string;
	savedAt: string;
}

interface StateFile {
	version: 1;
	accounts: Record<string, StoredEntry>;
}

/** Entries kept at most (one per API base; old test or proxy bases fall off). */
const maxEntries = 8;
/** The seed of credentials saved by `mj-tui login`. */
const loginSeed = 'login';

/** `$XDG_STATE_HOME/mj-tui`, else `~/.local/state/mj-tui` (a relative XDG_STATE_HOME is ignored, as XDG says). */
export function userStateDir(env: NodeJS.ProcessEnv): string {
	const xdg = env.XDG_STATE_HOME;
	const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(homeDir(env), '.local', 'state');
	return path.join(base, 'mj-tui');
}

/** The state file's path. */
export function tokenStatePath(env: NodeJS.ProcessEnv): string {
	return path.join(userStateDir(env), 'tokens.json');
}

/** A one-way name for a secret: lets an entry say where it came from without holding it twice. */
function fingerprint(secret: string): string {
	return createHash('sha256').update(`mj-tui token seed\0${secret}`).digest('hex').slice(0, 32);
}

/** The refresh token (else token) the config was given, from the keys or a pasted cookie header. */
function configuredSeed(config: Pick<Config, 'token' | 'refreshToken' | 'cookie'>): string | undefined {
	const pasted = config.cookie ? parseCookieHeader(config.cookie) : {};
	const refresh = config.refreshToken || pasted[refreshCookieName];
	const token = config.token || pasted[tokenCookieName];
	const seed = refresh || token;
	return seed ? fingerprint(seed) : undefined;
}

function readState(file: string): StateFile {
	let text: string;
	try {
		text = fs.readFileSync(file, 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {version: 1, accounts: {}};
		throw new MjError(`Cannot read the saved tokens in ${file}: ${(error as Error).message}`, {exitCode: ExitCode.ioError, hint: 'Check the file\'s owner and mode (it should be 0600), or delete it to start from the configured tokens.'});
	}
	try {
		const parsed = JSON.parse(text) as Partial<StateFile>;
		if (parsed && typeof parsed === 'object' && parsed.accounts && typeof parsed.accounts === 'object') {
			for (const entry of Object.values(parsed.accounts)) {
				for (const value of [entry.token, entry.refreshToken, entry.cookie]) registerSecret(value);
			}
			return {version: 1, accounts: parsed.accounts};
		}
	} catch {
		// A damaged state file is only a cache of tokens: start from the configured ones and overwrite it.
	}
	return {version: 1, accounts: {}};
}

/** Write `state` to `file` atomically: a 0600 temp file beside it, fsynced, renamed over. */
function writeState(file: string, state: StateFile): void {
	fs.mkdirSync(path.dirname(file), {recursive: true, mode: 0o700});
	const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
	const fd = fs.openSync(temporary, 'wx', 0o600);
	try {
		try {
			fs.writeFileSync(fd, `${JSON.stringify(state, null, '\t')}\n`);
			fs.fsyncSync(fd);
		} finally {
			fs.closeSync(fd);
		}
		fs.renameSync(temporary, file);
	} catch (error) {
		// A full disk fails the write, not only the rename: never leave a half-written copy of the tokens behind.
		fs.rmSync(temporary, {force: true});
		throw error;
	}
	// An older file may have been made with a looser mode; the rename replaced it, but be sure.
	fs.chmodSync(file, 0o600);
}

/** The saved credentials of one API base: which a run uses, and how it saves what it learns. */
export class TokenStore {
	readonly file: string;
	private readonly apiBase: string;
	/** The seed new saves are filed under: the configured credentials' or, when the run adopted a saved entry, that entry's. */
	private seed: string | undefined;

	constructor(env: NodeJS.ProcessEnv, apiBase: string) {
		this.file = tokenStatePath(env);
		this.apiBase = apiBase;
	}

	/** The saved entry for this API base, if any (no seed check). */
	saved(): SavedCredentials | undefined {
		return readState(this.file).accounts[this.apiBase];
	}

	/**
	 * The config this run should use: the saved tokens when they grew from the
	 * configured ones (or nothing is configured), else the config unchanged.
	 */
	apply<T extends Pick<Config, 'token' | 'refreshToken' | 'cookie' | 'userAgent'>>(config: T, options: {userAgentConfigured: boolean}): {config: T; usedSaved: boolean} {
		const mine = configuredSeed(config);
		this.seed = mine;
		const entry = readState(this.file).accounts[this.apiBase];
		if (!entry || (mine !== undefined && entry.seed !== mine)) return {config, usedSaved: false};
		this.seed = entry.seed;
		const next = {...config};
		if (entry.token) next.token = entry.token;
		if (entry.refreshToken) next.refreshToken = entry.refreshToken;
		if (entry.cookie && !config.cookie) next.cookie = entry.cookie;
		// cf_clearance only works with the User-Agent it was issued to; a configured one still wins.
		if (entry.userAgent && !options.userAgentConfigured) next.userAgent = entry.userAgent;
		return {config: next, usedSaved: true};
	}

	/** Keep tokens from a refresh (the refresh token may have rotated). */
	saveRefreshed(tokens: {token: string; refreshToken?: string}): void {
		if (this.seed === undefined) return;
		const seed = this.seed;
		this.update(entry => ({...entry, seed, token: tokens.token, refreshToken: tokens.refreshToken || entry?.refreshToken}));
	}

	/** Keep what `mj-tui login` collected; later runs without configured credentials use it. */
	saveLogin(credentials: SavedCredentials): void {
		this.seed = loginSeed;
		this.update(() => ({seed: loginSeed, ...credentials}));
	}

	private update(change: (entry: StoredEntry | undefined) => Omit<StoredEntry, 'savedAt'>): void {
		const state = readState(this.file);
		const entry = {...change(state.accounts[this.apiBase]), savedAt: new Date().toISOString()};
		delete state.accounts[this.apiBase];
		const kept = Object.entries(state.accounts)
			.sort(([, a], [, b]) => String(b.savedAt).localeCompare(String(a.savedAt)))
			.slice(0, maxEntries - 1);
		writeState(this.file, {version: 1, accounts: {[this.apiBase]: entry, ...Object.fromEntries(kept)}});
	}
}
