/**
 * Everything a run needs to talk to Midjourney, made in one place: the saved
 * tokens applied (token-store.ts), the client, and on the browser route the
 * browser, whose cookies and User-Agent the download engine then reuses.
 * Batch mode, the TUI and `doctor` all start here.
 */
import fs from 'node:fs';
import {defaultConfig, type Config} from '../config/config.js';
import {configProvenance} from '../config/load.js';
import {acceptedKinds, detectContentKind, headBytesNeeded} from '../downloads/content-check.js';
import type {EngineOptions} from '../downloads/engine.js';
import {ExitCode, MjError} from '../errors.js';
import {redact} from '../secrets.js';
import {resolveBrowser} from './browser/find.js';
import {browserProfileDir, BrowserSession} from './browser/session.js';
import {MidjourneyClient} from './client.js';
import {TokenStore} from './token-store.js';

export interface ApiSession {
	client: MidjourneyClient;
	/** The config this run really uses: saved tokens applied and, on the browser route, the browser's cookies and User-Agent (for downloads). */
	config: Config;
	/** For the download engine: the browser fetches a file the CDN still challenges. */
	engineOptions: EngineOptions;
	/** The browser, on the browser route. */
	browser?: BrowserSession;
	/** Where refreshed tokens are kept. */
	tokens: TokenStore;
	close(): Promise<void>;
}

export interface ApiSessionOptions {
	env: NodeJS.ProcessEnv;
	log?: (line: string) => void;
	/** Keep refreshed tokens in the state file (default true). */
	persistTokens?: boolean;
}

/** The config with the saved tokens this run may use (see TokenStore.apply); the demo's stand-in neither uses nor keeps any. */
export function withSavedTokens(config: Config, env: NodeJS.ProcessEnv): {config: Config; tokens: TokenStore; usedSaved: boolean; demo: boolean} {
	const tokens = new TokenStore(env, config.apiBase);
	const provenance = configProvenance(config);
	const demo = provenance !== undefined && !(provenance instanceof MjError) && provenance.origins.apiBase.source === 'demo';
	if (demo) return {config, tokens, usedSaved: false, demo};
	const applied = tokens.apply(config, {userAgentConfigured: config.userAgent !== defaultConfig.userAgent});
	return {config: applied.config, tokens, usedSaved: applied.usedSaved, demo};
}

/** Open the session for `config.transport`. The browser route launches Chrome/Chromium and passes the site's browser check first. */
export async function openApiSession(base: Config, options: ApiSessionOptions): Promise<ApiSession> {
	const {log} = options;
	const saved = withSavedTokens(base, options.env);
	let config = saved.config;
	if (saved.usedSaved) log?.(`using the tokens saved in ${saved.tokens.file}`);
	let browser: BrowserSession | undefined;
	if (config.transport === 'browser') {
		const executable = resolveBrowser(config.browser, options.env);
		log?.(`browser route: ${executable}`);
		browser = await BrowserSession.open({
			opening: {kind: 'launch', executable, profileDir: browserProfileDir(options.env), headless: true},
			apiBase: config.apiBase,
			cookie: config.cookie ?? undefined,
			log,
		});
		try {
			await browser.passGate();
			const earned = await browser.earned();
			// The direct download engine goes out as this browser: its cookies (cf_clearance) with its User-Agent.
			config = {...config, cookie: earned.cookie || config.cookie, userAgent: earned.userAgent};
		} catch (error) {
			await browser.close();
			throw error;
		}
	}
	const client = new MidjourneyClient(config, {
		log,
		transport: browser,
		onTokenRefreshed: tokens => {
			log?.('the Midjourney token expired and was refreshed');
			if (options.persistTokens === false || saved.demo) return;
			try {
				saved.tokens.saveRefreshed(tokens);
			} catch (error) {
				log?.(redact(`could not keep the refreshed token in ${saved.tokens.file}: ${(error as Error).message}`));
			}
		},
	});
	const session = browser;
	return {
		client,
		config,
		tokens: saved.tokens,
		browser,
		engineOptions: session ? {challengeFallback: async (file, signal) => browserDownload(session, file, signal)} : {},
		async close() {
			await client.close();
			await session?.close();
		},
	};
}

/** The browser fetches one file and it goes into the partial, checked like a direct download (never an HTML page under an image's name). */
async function browserDownload(browser: BrowserSession, file: {url: string; variant: string; partPath: string}, signal: AbortSignal): Promise<{bytes: number}> {
	const body = await browser.download(file.url, signal);
	const kind = detectContentKind(body.subarray(0, headBytesNeeded));
	if (!acceptedKinds(file.variant).includes(kind)) {
		throw new MjError(`The browser got ${kind} content for ${redact(file.url)}, not a ${file.variant} file; not saved.`, {exitCode: ExitCode.unavailable});
	}
	await fs.promises.writeFile(file.partPath, body);
	return {bytes: body.length};
}
