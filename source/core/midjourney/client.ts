/**
 * The Midjourney web API client: auth (cookies, JWT, refresh), paging,
 * retries, response validation, Cloudflare detection. One undici Agent per
 * client keeps connections alive across pages.
 */
import {setTimeout as sleep} from 'node:timers/promises';
import {Agent, request} from 'undici';
import type {Config} from '../config/config.js';
import {ExitCode, MjError} from '../errors.js';
import type {ImagineListPage} from '../job.js';
import {decideRetry, isRetryableStatus} from '../retry-policy.js';
import {redact} from '../secrets.js';
import {toSingleLine} from '../terminal-text.js';
import {authError, MidjourneyAuth, type RefreshedTokens, type TokenClaims} from './auth.js';
import {cloudflareError, isCloudflareChallenge} from './cloudflare.js';
import type {ApiResponse, Transport} from './transport.js';
import {asListPage, findPageProblem} from './validate.js';

export type {RefreshedTokens} from './auth.js';

/** A listing request the service answered with an error status (not auth, not Cloudflare). */
export class ListingHttpError extends MjError {
	readonly status: number;

	constructor(message: string, status: number) {
		super(message, {exitCode: ExitCode.unavailable, hint: 'Check --api-base, or try again later.'});
		this.status = status;
	}
}

export interface MidjourneyClientOptions {
	/** Called after a token refresh with the new tokens (secrets), so a caller can persist them. */
	onTokenRefreshed?: (tokens: RefreshedTokens) => void;
	/** Verbose diagnostics (retries, refreshes); lines are already redacted. */
	log?: (line: string) => void;
	/** Carries the requests it covers instead of undici (the browser route); the rest go direct. */
	transport?: Transport;
}

type RawResponse = ApiResponse;

/** Raised when our own per-request timer fires; shaped so the retry policy sees a network timeout. */
class RequestTimeoutError extends Error {
	readonly code = 'ETIMEDOUT';
}

type ClientConfig = Partial<Pick<Config, 'pagePauseMs'>> & Pick<
	Config,
	'apiBase' | 'tokenBase' | 'tokenApiKey' | 'userId' | 'token' | 'refreshToken' | 'cookie' | 'userAgent' | 'pageSize' | 'retries' | 'retryAfterCapMs' | 'requestTimeoutMs'
>;

export class MidjourneyClient {
	private readonly config: ClientConfig;
	private readonly options: MidjourneyClientOptions;
	private readonly auth: MidjourneyAuth;
	private readonly agent: Agent;
	/** The configured polite pause between listing pages, ms (syncJobs' default). */
	readonly pagePauseMs?: number;

	constructor(config: ClientConfig, options: MidjourneyClientOptions = {}) {
		this.config = config;
		this.options = options;
		this.auth = new MidjourneyAuth(config);
		this.pagePauseMs = config.pagePauseMs;
		this.agent = new Agent({
			keepAliveTimeout: 30_000,
			headersTimeout: config.requestTimeoutMs,
			bodyTimeout: config.requestTimeoutMs,
			connect: {timeout: config.requestTimeoutMs},
		});
	}

	/** The account id: config.userId, else the JWT's `midjourney_id` claim. Throws MjError(77) without auth. */
	userId(): string {
		if (this.config.userId) return this.config.userId;
		if (!this.auth.hasToken()) throw authError('No Midjourney token is configured (MJ_TUI_TOKEN, MJ_TUI_COOKIE or `token` in the config).');
		const id = this.auth.claims().midjourneyId;
		if (!id) throw authError('The Midjourney token carries no `midjourney_id` claim; pass --user-id or paste a current token.');
		return id;
	}

	/** Get a token from the refresh token when only that is configured (a cron job set up with the long-lived one). */
	async ensureToken(signal?: AbortSignal): Promise<void> {
		if (!this.auth.hasToken() && this.auth.canRefresh()) await this.refresh('is not configured (only a refresh token is)', signal);
	}

	/** Exchange the refresh token now, whatever the token's expiry (doctor's real refresh); the new tokens go to onTokenRefreshed. */
	async refreshNow(signal?: AbortSignal): Promise<void> {
		await this.refresh('is being renewed to check the refresh', signal);
	}

	/** The current token's claims (account id, expiry); no secret in them. */
	tokenClaims(): TokenClaims {
		return this.auth.claims();
	}

	/** True when a refresh token is at hand. */
	canRefresh(): boolean {
		return this.auth.canRefresh();
	}

	/** One validated listing page, newest first. Retries transient failures; refreshes an expired token once. */
	async listPage(options: {cursor?: string; pageSize?: number; signal?: AbortSignal; page?: number}): Promise<ImagineListPage> {
		await this.ensureToken(options.signal);
		const userId = this.userId();
		if (!this.auth.hasToken()) throw authError('No Midjourney token is configured (MJ_TUI_TOKEN, MJ_TUI_COOKIE or `token` in the config).');
		const url = endpoint(this.config.apiBase, '/api/imagine');
		url.searchParams.set('user_id', userId);
		url.searchParams.set('page_size', String(options.pageSize ?? this.config.pageSize));
		if (options.cursor) url.searchParams.set('cursor', options.cursor);
		return this.getPage(`listing page ${options.page ?? '?'} (GET ${redact(url.href)})`, url, options.signal, 'the listing contract');
	}

	/**
	 * One page of the jobs the account liked (`/api/explore-likes?page=<n>&_ql=explore`, pages from 1): a bare
	 * array of jobs, other people's included; an empty one ends the likes. Retries and refreshes as listPage.
	 */
	async likesPage(options: {page: number; signal?: AbortSignal}): Promise<ImagineListPage> {
		await this.ensureToken(options.signal);
		if (!this.auth.hasToken()) throw authError('No Midjourney token is configured (MJ_TUI_TOKEN, MJ_TUI_COOKIE or `token` in the config).');
		const url = endpoint(this.config.apiBase, '/api/explore-likes');
		url.searchParams.set('page', String(options.page));
		url.searchParams.set('_ql', 'explore');
		return this.getPage(`likes page ${options.page} (GET ${redact(url.href)})`, url, options.signal, 'the likes contract', true);
	}

	/** GET one page of jobs: status checked, JSON parsed, the page validated as a whole (a bare array allowed where the route sends one). */
	private async getPage(where: string, url: URL, signal: AbortSignal | undefined, contract: string, bareArray = false): Promise<ImagineListPage> {
		const response = await this.withAuth(where, signal, () =>
			this.send(where, signal, () => ({
				url: url.href,
				method: 'GET',
				headers: this.apiHeaders(),
			})),
		);
		if (response.status !== 200) {
			throw new ListingHttpError(`The service answered ${where} with HTTP ${response.status}: ${networkText(response.body.slice(0, 200))}`, response.status);
		}
		let parsed: unknown;
		try {
			parsed = JSON.parse(response.body);
		} catch (error) {
			throw new MjError(`The response to ${where} is not valid JSON (${networkText((error as Error).message)}); nothing from this page was stored.`, {
				exitCode: ExitCode.dataError,
				hint: 'Run the sync again later; if it persists, the service changed its format (please report it).',
			});
		}
		const problem = findPageProblem(parsed, {bareArray});
		if (problem) {
			throw new MjError(`The response to ${where} breaks ${contract}: ${networkText(problem)}; nothing from this page was stored.`, {
				exitCode: ExitCode.dataError,
				hint: 'Run the sync again later; if it persists, the service changed its format (please report it).',
			});
		}
		return asListPage(parsed);
	}

	/** Release sockets. */
	async close(): Promise<void> {
		await this.agent.close();
	}

	private apiHeaders(): Record<string, string> {
		return {
			accept: 'application/json',
			cookie: this.auth.cookieHeader(),
			'x-csrf-protection': '1',
			referer: endpoint(this.config.apiBase, '/imagine').href,
			'user-agent': this.config.userAgent,
		};
	}

	/**
	 * Run an authenticated request: refresh first if the JWT has expired, and
	 * once more (at most one refresh per call) when the service answers 401.
	 */
	private async withAuth(where: string, signal: AbortSignal | undefined, run: () => Promise<RawResponse>): Promise<RawResponse> {
		let refreshed = false;
		if (this.auth.isExpired()) {
			await this.refresh('has expired', signal);
			refreshed = true;
		}
		for (;;) {
			const response = await run();
			if (response.status !== 401) return response;
			if (refreshed) throw authError(`The service refused the token for ${where} (HTTP 401) even after refreshing it.`);
			await this.refresh(`was refused for ${where} (HTTP 401)`, signal);
			refreshed = true;
		}
	}

	/** Exchange the refresh token for a new JWT (`POST <tokenBase>/v1/token?key=...`). */
	private async refresh(why: string, signal: AbortSignal | undefined): Promise<void> {
		const refreshToken = this.auth.currentRefreshToken();
		if (!refreshToken) throw authError(`The Midjourney token ${why}, and no refresh token (MJ_TUI_REFRESH_TOKEN) is configured to renew it.`);
		if (!this.config.tokenApiKey) throw authError(`The Midjourney token ${why}, and no tokenApiKey (MJ_TUI_TOKEN_API_KEY) is configured to renew it.`);
		const url = endpoint(this.config.tokenBase, '/v1/token');
		const where = `the token refresh (POST ${url.href})`;
		url.searchParams.set('key', this.config.tokenApiKey);
		this.options.log?.(`token ${redact(why)}; refreshing it`);
		const response = await this.send(where, signal, () => ({
			url: url.href,
			method: 'POST',
			headers: {'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', 'user-agent': this.config.userAgent},
			body: new URLSearchParams({grant_type: 'refresh_token', refresh_token: refreshToken}).toString(),
		}));
		let answer: {id_token?: unknown; refresh_token?: unknown} = {};
		try {
			answer = JSON.parse(response.body) as typeof answer;
		} catch {}
		if (response.status === 400 && /API key not valid/i.test(response.body)) {
			throw authError('The token endpoint refused the tokenApiKey (HTTP 400: API key not valid); the web app may have changed its key: set tokenApiKey (MJ_TUI_TOKEN_API_KEY) to the one in its bundle, or remove your override to use the default.');
		}
		if (response.status !== 200 || typeof answer.id_token !== 'string' || !answer.id_token) {
			throw authError(`The token refresh was refused (HTTP ${response.status}); the refresh token is probably expired or revoked.`);
		}
		const tokens = this.auth.adopt({
			token: answer.id_token,
			refreshToken: typeof answer.refresh_token === 'string' && answer.refresh_token ? answer.refresh_token : undefined,
		});
		this.options.onTokenRefreshed?.(tokens);
	}

	/**
	 * One request with retries: exponential backoff with full jitter on 5xx,
	 * 408, 429 and network errors (Retry-After honoured, capped); a per-attempt
	 * timeout covers headers and body. Cloudflare's challenge fails at once.
	 */
	private async send(
		where: string,
		signal: AbortSignal | undefined,
		build: () => {url: string; method: string; headers: Record<string, string>; body?: string},
	): Promise<RawResponse> {
		for (let attempt = 0; ; attempt++) {
			signal?.throwIfAborted();
			let response: RawResponse | undefined;
			let failure: unknown;
			try {
				response = await this.attempt(build(), signal);
			} catch (error) {
				if (signal?.aborted) throw signal.reason;
				failure = error;
			}
			if (response && isCloudflareChallenge(response.body, response.headers)) throw cloudflareError(where, response.status);
			if (response && !isRetryableStatus(response.status)) return response;
			const decision = decideRetry({status: response?.status, headers: response?.headers, error: failure, attempt, retries: this.config.retries, retryAfterCapMs: this.config.retryAfterCapMs});
			const what = response ? `HTTP ${response.status}` : describeNetworkError(failure);
			if (decision.action === 'fail') {
				const tries = `${attempt + 1} attempt${attempt === 0 ? '' : 's'}`;
				throw new MjError(`Could not get ${where}: ${what} after ${tries}.`, {
					exitCode: ExitCode.unavailable,
					hint: 'Check the network and --api-base, or try again later; --retries raises the number of attempts.',
					cause: failure,
				});
			}
			const delay = decision.delayMs;
			this.options.log?.(`${where}: ${what}; retry ${attempt + 1}/${this.config.retries} in ${delay} ms`);
			await sleep(delay, undefined, {signal});
		}
	}

	/** One HTTP exchange, body read whole, bounded by requestTimeoutMs. */
	private async attempt(init: {url: string; method: string; headers: Record<string, string>; body?: string}, signal: AbortSignal | undefined): Promise<RawResponse> {
		const timer = new AbortController();
		const timeout = setTimeout(() => timer.abort(new RequestTimeoutError(`no complete answer within ${this.config.requestTimeoutMs} ms`)), this.config.requestTimeoutMs);
		const combined = signal ? AbortSignal.any([signal, timer.signal]) : timer.signal;
		try {
			const {transport} = this.options;
			if (transport?.covers(init.url)) return await transport.exchange(init, combined);
			const response = await request(init.url, {
				dispatcher: this.agent,
				method: init.method as 'GET' | 'POST',
				headers: init.headers,
				body: init.body,
				signal: combined,
			});
			const body = await response.body.text();
			return {status: response.statusCode, headers: response.headers, body};
		} catch (error) {
			if (timer.signal.aborted && !signal?.aborted) throw timer.signal.reason;
			throw error;
		} finally {
			clearTimeout(timeout);
		}
	}
}

/** `<base><route>`, keeping any path prefix of the base (a proxy may mount the API below /). */
function endpoint(base: string, route: string): URL {
	return new URL(base.replace(/\/+$/, '') + route);
}

/** Text that came from the service, fit for an error line: secrets hidden, control sequences gone, one line. */
function networkText(text: string): string {
	return toSingleLine(redact(text));
}

function describeNetworkError(error: unknown): string {
	const code = (error as {code?: string})?.code ?? (error as {cause?: {code?: string}})?.cause?.code;
	const message = error instanceof Error ? error.message : String(error);
	return redact(code ? `${code} (${message})` : message);
}
