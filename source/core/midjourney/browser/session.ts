/**
 * The browser route: a real Chrome/Chromium, driven with playwright-core
 * (imported on first use; it downloads no browser), with one page open on
 * the site's origin. API requests run as `fetch` inside that page, so
 * Cloudflare sees a browser's TLS, headers and JavaScript; what the browser
 * earns (cf_clearance, its User-Agent) is handed to the fast direct download
 * engine, and a file the CDN still answers with the challenge is fetched by
 * the browser itself. The profile persists under the user's data folder
 * (never in the archive), so a clearance or sign-in survives between runs.
 */
import fs from 'node:fs';
import path from 'node:path';
import type {Browser, BrowserContext, Page} from 'playwright-core';
import {homeDir} from '../../config/files.js';
import {ExitCode, MjError} from '../../errors.js';
import {redact, registerSecret} from '../../secrets.js';
import {parseCookieHeader} from '../auth.js';
import {isCloudflareChallenge} from '../cloudflare.js';
import type {ApiRequest, ApiResponse, Transport} from '../transport.js';

/** The title of Cloudflare's interstitial (and of the stand-in's copy). */
const challengeTitle = 'Just a moment...';

/** `$XDG_DATA_HOME/mj-tui/browser-profile`, else `~/.local/share/mj-tui/browser-profile`. */
export function browserProfileDir(env: NodeJS.ProcessEnv): string {
	const xdg = env.XDG_DATA_HOME;
	const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(homeDir(env), '.local', 'share');
	return path.join(base, 'mj-tui', 'browser-profile');
}

/** Chrome's flags here: quiet (no updates, no background traffic), and no sandbox when run as root, where Chrome refuses to start with one. */
export function launchArgs(): string[] {
	const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
	return [...(asRoot ? ['--no-sandbox'] : []), '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
}

type Playwright = typeof import('playwright-core');

async function loadPlaywright(): Promise<Playwright> {
	try {
		const loaded = await import('playwright-core');
		// A CommonJS package: under the bundle its namespace may hold only `default`.
		return (typeof loaded.chromium === 'object' ? loaded : (loaded as unknown as {default: Playwright}).default);
	} catch (error) {
		throw new MjError(`The browser route needs the playwright-core package, which could not be loaded: ${(error as Error).message}`, {
			exitCode: ExitCode.unavailable,
			hint: 'Reinstall mj-tui (npm install -g mj-tui) so its dependencies are complete.',
		});
	}
}

/** How to open the browser: launch one (profile, executable) or attach to a running one over CDP. */
export type BrowserOpening =
	| {kind: 'launch'; executable: string; profileDir: string; headless: boolean}
	| {kind: 'cdp'; url: string};

export interface BrowserSessionOptions {
	opening: BrowserOpening;
	/** The site's origin (config.apiBase): requests to it run in the page. */
	apiBase: string;
	/** A Cookie header from config/env (or saved), given to the browser before the first page loads. */
	cookie?: string;
	/** Longest wait for the browser check to pass, ms. */
	gateTimeoutMs?: number;
	log?: (line: string) => void;
}

/** A browser with one page on the site's origin. Close it when done. */
export class BrowserSession implements Transport {
	readonly name = 'browser';
	private readonly origin: string;
	private readonly host: string;
	/** The auth cookies last put in the browser's jar, so a refreshed token is handed over once. */
	private lastCookies = new Map<string, string>();
	/** Headless Chrome says "HeadlessChrome" in its User-Agent, which Cloudflare refuses; pages we open say "Chrome" instead. */
	private userAgentOverride?: string;
	/** The User-Agent the site sees from this browser's pages. */
	private userAgent = '';

	private constructor(
		private readonly options: BrowserSessionOptions,
		private readonly context: BrowserContext,
		private readonly page: Page,
		private readonly browser: Browser | undefined,
	) {
		const base = new URL(options.apiBase);
		this.origin = base.origin;
		this.host = base.hostname;
	}

	/** Open the browser, give it the configured cookies, and load the site (passing the browser check). */
	static async open(options: BrowserSessionOptions): Promise<BrowserSession> {
		const {chromium} = await loadPlaywright();
		const {opening} = options;
		let context: BrowserContext;
		let browser: Browser | undefined;
		try {
			if (opening.kind === 'launch') {
				fs.mkdirSync(opening.profileDir, {recursive: true, mode: 0o700});
				context = await chromium.launchPersistentContext(opening.profileDir, {executablePath: opening.executable, headless: opening.headless, args: launchArgs(), viewport: null});
			} else {
				browser = await chromium.connectOverCDP(opening.url);
				context = browser.contexts()[0] ?? (await browser.newContext());
			}
		} catch (error) {
			throw openError(opening, error);
		}
		const page = opening.kind === 'launch' && context.pages()[0] ? context.pages()[0]! : await context.newPage();
		const session = new BrowserSession(options, context, page, browser);
		// Read once, on the blank page: later the page may be mid-navigation (a sign-in redirect) when asked.
		session.userAgent = await page.evaluate(() => (globalThis as unknown as {navigator: {userAgent: string}}).navigator.userAgent);
		// Only a browser we launched: a browser the user runs already earned its clearances with its own User-Agent.
		if (opening.kind === 'launch' && session.userAgent.includes('HeadlessChrome')) {
			session.userAgent = session.userAgent.replace('HeadlessChrome', 'Chrome');
			session.userAgentOverride = session.userAgent;
			await session.disguise(page);
		}
		if (options.cookie) await session.giveCookies(options.cookie, {withClearance: true});
		return session;
	}

	covers(url: string): boolean {
		return new URL(url).origin === this.origin;
	}

	/** Load `<apiBase><route>` and wait until it is no longer Cloudflare's interstitial; MjError 69 if it stays. */
	async passGate(route = '/imagine'): Promise<void> {
		const timeout = this.options.gateTimeoutMs ?? 30_000;
		try {
			await this.page.goto(`${this.origin}${route}`, {waitUntil: 'domcontentloaded', timeout});
		} catch (error) {
			throw new MjError(`The browser could not load ${this.origin}${route}: ${redact(String((error as Error).message).split('\n')[0] ?? '')}`, {
				exitCode: ExitCode.unavailable,
				hint: 'Check the network and --api-base, or try again later.',
			});
		}
		try {
			await this.page.waitForFunction((title) => (globalThis as unknown as {document: {title: string}}).document.title !== title, challengeTitle, {timeout});
		} catch {
			throw new MjError(`The browser could not get past Cloudflare's check at ${this.origin}${route} within ${Math.round(timeout / 1000)} s.`, {
				exitCode: ExitCode.unavailable,
				hint: 'Run `mj-tui login` once: it opens a visible window where you can pass the check; the profile keeps the clearance.',
			});
		}
		await this.page.waitForLoadState('domcontentloaded');
		this.options.log?.('browser: past the site\'s browser check');
	}

	/** Run one API request as fetch() inside the page. */
	async exchange(request: ApiRequest, signal: AbortSignal): Promise<ApiResponse> {
		signal.throwIfAborted();
		if (request.headers.cookie) await this.giveCookies(request.headers.cookie, {withClearance: false});
		// The browser sets Cookie, User-Agent and Referer itself (they are forbidden to page scripts).
		const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => !['cookie', 'user-agent', 'referer'].includes(name.toLowerCase())));
		const fetchInPage = () => this.page.evaluate(
			async ({url, method, headers, body, referrer}) => {
				const response = await fetch(url, {method, headers, body, credentials: 'include', referrer});
				const answer: Record<string, string> = {};
				response.headers.forEach((value, name) => {
					answer[name] = value;
				});
				return {status: response.status, headers: answer, body: await response.text()};
			},
			{url: request.url, method: request.method, headers, body: request.body, referrer: request.headers.referer ?? `${this.origin}/imagine`},
		);
		// The site's own script may navigate the page under us (a redirect, a renewed check): once settled, ask again, once.
		const run = fetchInPage().catch(async (error: unknown) => {
			if (!/Execution context was destroyed|navigat/i.test(String((error as Error)?.message))) throw error;
			await this.page.waitForLoadState('domcontentloaded');
			return fetchInPage();
		});
		return abortable(run, signal);
	}

	/** The browser's cookies for the site as one Cookie header, and its User-Agent: what the direct engine needs to pass too. */
	async earned(): Promise<{cookie: string; userAgent: string}> {
		const cookies = await this.context.cookies(this.origin);
		const cookie = cookies.map(item => `${item.name}=${item.value}`).join('; ');
		registerSecret(cookie);
		return {cookie, userAgent: this.userAgent};
	}

	/** Fetch one file the way the browser would show it (for a download the CDN answered with the challenge). */
	async download(url: string, signal: AbortSignal): Promise<Buffer> {
		const page = await this.context.newPage();
		try {
			await this.disguise(page);
			const timeout = this.options.gateTimeoutMs ?? 30_000;
			let response = await abortable(page.goto(url, {timeout}), signal);
			if (response && isCloudflareChallenge(await response.text(), response.headers())) {
				// The page's script earns the clearance, then navigates back to the file.
				response = await abortable(page.waitForResponse(candidate => candidate.url() === url && candidate.request().isNavigationRequest() && candidate.status() !== 403, {timeout}), signal);
			}
			if (!response || response.status() !== 200) throw new MjError(`The browser got HTTP ${response?.status() ?? 'no answer'} for ${redact(url)}.`, {exitCode: ExitCode.unavailable});
			return await response.body();
		} finally {
			await page.close().catch(() => {});
		}
	}

	/** Wait until the browser's cookies for the site satisfy `ready` (a sign-in finished); resolves with them as one Cookie header. */
	async waitForCookies(ready: (jar: Record<string, string>) => boolean, signal: AbortSignal, pollMs = 500): Promise<string> {
		for (;;) {
			signal.throwIfAborted();
			const cookies = await this.context.cookies(this.origin);
			const jar = Object.fromEntries(cookies.map(item => [item.name, item.value]));
			if (ready(jar)) {
				const header = cookies.map(item => `${item.name}=${item.value}`).join('; ');
				registerSecret(header);
				return header;
			}
			await new Promise(resolve => setTimeout(resolve, pollMs));
		}
	}

	/** Point the page at `url` without waiting for anything (login's sign-in page). */
	async show(url: string): Promise<void> {
		await this.page.goto(url, {waitUntil: 'commit'}).catch(() => {});
	}

	async close(): Promise<void> {
		// Over CDP the browser is the user's: drop the connection, leave it running.
		if (this.browser) await this.browser.close().catch(() => {});
		else await this.context.close().catch(() => {});
	}

	/** Give `page` the User-Agent without "Headless" (header and navigator.userAgent alike). */
	private async disguise(page: Page): Promise<void> {
		if (!this.userAgentOverride) return;
		const cdp = await this.context.newCDPSession(page);
		await cdp.send('Network.setUserAgentOverride', {userAgent: this.userAgentOverride});
	}

	/** Put the cookies of a header into the browser's jar for the site. cf_clearance only at start: the browser's own is newer. */
	private async giveCookies(header: string, options: {withClearance: boolean}): Promise<void> {
		const secure = this.origin.startsWith('https:');
		const changed = Object.entries(parseCookieHeader(header)).filter(([name, value]) => (options.withClearance || name !== 'cf_clearance') && this.lastCookies.get(name) !== value);
		if (changed.length === 0) return;
		await this.context.addCookies(changed.map(([name, value]) =>
			secure
				? {name, value, url: `${this.origin}/`, secure: true}
				// Over plain http (the stand-in) Chrome takes __Host- cookies only as host-only secure ones set by domain.
				: {name, value, domain: this.host, path: '/', secure: name.startsWith('__Host-') || name.startsWith('__Secure-')},
		));
		for (const [name, value] of changed) this.lastCookies.set(name, value);
	}
}

function openError(opening: BrowserOpening, error: unknown): MjError {
	const detail = redact(String((error as Error)?.message ?? error).split('\n')[0] ?? '');
	if (opening.kind === 'cdp') {
		return new MjError(`Could not attach to the browser at ${opening.url}: ${detail}`, {
			exitCode: ExitCode.unavailable,
			hint: 'Start Chrome with --remote-debugging-port=9222 and, from a remote box, forward it: ssh -L 9222:localhost:9222 <your desktop>; then pass --cdp http://localhost:9222.',
		});
	}
	const display = !opening.headless && !process.env.DISPLAY && process.platform === 'linux' ? ' (no DISPLAY: there is no screen for a visible window; use --cdp with a browser on your desktop)' : '';
	return new MjError(`Could not start the browser ${opening.executable}${display}: ${detail}`, {
		exitCode: ExitCode.unavailable,
		hint: 'Name a working Chrome/Chromium with --browser <path>; a profile left locked by a crashed browser can be removed from the data folder.',
	});
}

/** `promise`, or the signal's reason as soon as it aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
	if (signal.aborted) return Promise.reject(signal.reason);
	return new Promise<T>((resolve, reject) => {
		const onAbort = (): void => reject(signal.reason);
		signal.addEventListener('abort', onAbort, {once: true});
		promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
	});
}
