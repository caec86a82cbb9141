/**
 * Midjourney web auth: the `__Host-Midjourney.AuthUserTokenV3_i` JWT and its
 * `_r` refresh token, taken from config or from a whole Cookie header pasted
 * from the browser. Every secret is registered the moment it is read.
 */
import {getCookies, Headers} from 'undici';
import type {Config} from '../config/config.js';
import {ExitCode, MjError} from '../errors.js';
import {registerSecret} from '../secrets.js';

export const tokenCookieName = '__Host-Midjourney.AuthUserTokenV3_i';
export const refreshCookieName = '__Host-Midjourney.AuthUserTokenV3_r';

/** Tokens this close to `exp` count as expired, so a request doesn't die in flight. */
const expirySkewMs = 30_000;

/** The claims mj-tui reads from the V3_i JWT. */
export interface TokenClaims {
	midjourneyId?: string;
	/** Expiry, epoch ms. */
	expiresAt?: number;
}

/** Tokens after a refresh; callers may persist them (they are secrets). */
export interface RefreshedTokens {
	token: string;
	refreshToken: string;
}

/** How to get a token, shown whenever auth is missing, expired or refused. */
export const freshTokenHint = [
	'Run `mj-tui login` (or `mj-tui login --cdp <url>` over SSH) to sign in and save fresh tokens. Or by hand: open https://www.midjourney.com signed in,',
	'DevTools → Application → Cookies → https://www.midjourney.com, copy the values of',
	`\`${tokenCookieName}\` into MJ_TUI_TOKEN and \`${refreshCookieName}\` into MJ_TUI_REFRESH_TOKEN`,
	'(or copy the whole Cookie request header from the Network tab into MJ_TUI_COOKIE).',
	'With a refresh token, mj-tui renews expired tokens by itself and keeps the new ones.',
].join(' ');

/** Read the claims of a JWT without verifying it (the service verifies; we only need the id and expiry). */
export function readTokenClaims(token: string): TokenClaims {
	const payload = token.split('.')[1];
	if (!payload) return {};
	try {
		const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
		return {
			midjourneyId: typeof claims.midjourney_id === 'string' && claims.midjourney_id ? claims.midjourney_id : undefined,
			expiresAt: typeof claims.exp === 'number' ? claims.exp * 1000 : undefined,
		};
	} catch {
		return {};
	}
}

/** The cookies of a pasted Cookie header (a leading `Cookie:` is tolerated). */
export function parseCookieHeader(header: string): Record<string, string> {
	const value = header.trim().replace(/^cookie:\s*/i, '');
	return getCookies(new Headers({cookie: value}));
}

/** Auth state for one client: the current token (renewed by refresh), the refresh token and the cookie header sent. */
export class MidjourneyAuth {
	private token?: string;
	private refreshToken?: string;
	/** The pasted header, sent whole so cf_clearance and friends go along. */
	private readonly pastedCookie?: string;

	constructor(config: Pick<Config, 'token' | 'refreshToken' | 'cookie'>) {
		registerSecret(config.cookie);
		registerSecret(config.token);
		registerSecret(config.refreshToken);
		const pasted = config.cookie ? parseCookieHeader(config.cookie) : {};
		this.pastedCookie = config.cookie?.trim().replace(/^cookie:\s*/i, '') || undefined;
		// Explicit token settings win over the pasted header's copies.
		this.token = config.token || pasted[tokenCookieName] || undefined;
		this.refreshToken = config.refreshToken || pasted[refreshCookieName] || undefined;
	}

	hasToken(): boolean {
		return Boolean(this.token);
	}

	canRefresh(): boolean {
		return Boolean(this.refreshToken);
	}

	currentRefreshToken(): string | undefined {
		return this.refreshToken;
	}

	claims(): TokenClaims {
		return this.token ? readTokenClaims(this.token) : {};
	}

	/** True when the JWT says it has expired (or is about to). */
	isExpired(now = Date.now()): boolean {
		const {expiresAt} = this.claims();
		return expiresAt !== undefined && expiresAt - expirySkewMs <= now;
	}

	/** The Cookie header to send: the pasted one with the current token swapped in, else the two auth cookies. */
	cookieHeader(): string {
		const token = this.token ?? '';
		if (this.pastedCookie) {
			const parts = this.pastedCookie.split(';').map(part => part.trim()).filter(Boolean);
			const replace = (name: string, value: string | undefined) => {
				if (!value) return;
				const index = parts.findIndex(part => part.startsWith(`${name}=`));
				if (index === -1) parts.push(`${name}=${value}`);
				else parts[index] = `${name}=${value}`;
			};
			replace(tokenCookieName, token);
			replace(refreshCookieName, this.refreshToken);
			return parts.join('; ');
		}
		const cookies = [`${tokenCookieName}=${token}`];
		if (this.refreshToken) cookies.push(`${refreshCookieName}=${this.refreshToken}`);
		return cookies.join('; ');
	}

	/** Adopt tokens from a refresh; the refresh token may or may not have rotated. */
	adopt(tokens: {token: string; refreshToken?: string}): RefreshedTokens {
		registerSecret(tokens.token);
		registerSecret(tokens.refreshToken);
		this.token = tokens.token;
		if (tokens.refreshToken) this.refreshToken = tokens.refreshToken;
		return {token: this.token, refreshToken: this.refreshToken ?? ''};
	}
}

/** The MjError (exit 77) for missing, expired or refused auth, with the how-to. */
export function authError(problem: string): MjError {
	return new MjError(problem, {exitCode: ExitCode.auth, hint: freshTokenHint});
}
