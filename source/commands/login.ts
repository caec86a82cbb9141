/**
 * `mj-tui login [--cdp <url>]`: sign in through a real browser and keep the
 * cookies. Opens a visible Chrome/Chromium on the site (or attaches to one the
 * user already runs, over the DevTools protocol, for a box reached by SSH),
 * waits until the auth cookies appear, saves them with the browser's
 * User-Agent in the state file (0600, see core/midjourney/token-store.ts) and
 * closes. Later runs without configured tokens use them.
 */
import {ExitCode, MjError} from '../core/errors.js';
import {readTokenClaims, refreshCookieName, tokenCookieName} from '../core/midjourney/auth.js';
import {resolveBrowser} from '../core/midjourney/browser/find.js';
import {browserProfileDir, BrowserSession, type BrowserOpening} from '../core/midjourney/browser/session.js';
import {TokenStore} from '../core/midjourney/token-store.js';
import {parseDuration} from '../core/units.js';
import type {FlagDefinitions} from '../args/flags.js';
import {parseCommandArgs, wantsJson, writeLine} from './shared.js';
import type {Command} from './types.js';

const loginFlags = {
	cdp: {type: 'string', value: '<url>', description: 'Use the browser already running with --remote-debugging-port at this URL (e.g. http://localhost:9222)'},
	timeout: {type: 'string', value: '<duration>', description: 'Give up when no sign-in arrives within this long (default 10m)'},
} as const satisfies FlagDefinitions;

const help = `Usage: mj-tui login [--cdp <url>] [--browser <path>] [--timeout 10m] [--json]

Opens a visible browser window on the Midjourney site. Sign in there; once
the session cookies appear, mj-tui saves them (and the browser's User-Agent,
which Cloudflare's clearance is bound to) to ~/.local/state/mj-tui/tokens.json
(mode 0600) and closes the window. Runs without configured tokens use them.

On a box without a screen, start Chrome on your desktop with
  chrome --remote-debugging-port=9222
forward the port:  ssh -L 9222:localhost:9222 <this box>
and run:           mj-tui login --cdp http://localhost:9222

  --cdp <url>        attach to that browser instead of starting one
  --browser <path>   the Chrome/Chromium to start (default: found on PATH)
  --timeout <d>      how long to wait for the sign-in (default 10m)
  --json             one JSON object`;

/** Both auth cookies present and the token not expired: the sign-in is done. */
function signedIn(jar: Record<string, string>): boolean {
	const token = jar[tokenCookieName];
	if (!token || !jar[refreshCookieName]) return false;
	const {expiresAt} = readTokenClaims(token);
	return expiresAt === undefined || expiresAt > Date.now();
}

export const loginCommand: Command = {
	name: 'login',
	summary: 'Sign in through a real browser (or one you run, --cdp) and keep the session cookies for later runs',
	flags: loginFlags,
	async run(context) {
		const {flags} = parseCommandArgs('login', context.argv, loginFlags);
		if (flags.help) {
			await writeLine(context, help);
			return ExitCode.ok;
		}
		const {config, io} = context;
		const timeoutMs = typeof flags.timeout === 'string' ? parseDuration(flags.timeout) : 10 * 60_000;
		if (timeoutMs === undefined || timeoutMs <= 0) throw new MjError(`--timeout ${String(flags.timeout)}: not a duration (like 90s, 10m).`, {exitCode: ExitCode.usage});
		const opening: BrowserOpening = typeof flags.cdp === 'string'
			? {kind: 'cdp', url: flags.cdp}
			: {kind: 'launch', executable: resolveBrowser(config.browser, io.env), profileDir: browserProfileDir(io.env), headless: false};
		const browser = await BrowserSession.open({opening, apiBase: config.apiBase, cookie: config.cookie ?? undefined});
		let cookie: string;
		let userAgent: string;
		try {
			await browser.show(`${config.apiBase}/imagine`);
			if (!wantsJson(config, flags)) io.stderr.write(`Sign in to Midjourney in the browser window (${config.apiBase}/imagine); waiting for the session cookies...\n`);
			const waiting = AbortSignal.any([context.signal, AbortSignal.timeout(timeoutMs)]);
			try {
				cookie = await browser.waitForCookies(signedIn, waiting);
			} catch (error) {
				if (context.signal.aborted) throw error;
				throw new MjError(`No sign-in arrived within ${Math.round(timeoutMs / 1000)} s: the browser never got the ${tokenCookieName} cookie.`, {
					exitCode: ExitCode.unavailable,
					hint: 'Run `mj-tui login` again and finish signing in in the window (or pass a longer --timeout).',
				});
			}
			({userAgent} = await browser.earned());
		} finally {
			await browser.close();
		}
		const jar = Object.fromEntries(cookie.split('; ').map(part => [part.slice(0, part.indexOf('=')), part.slice(part.indexOf('=') + 1)]));
		const token = jar[tokenCookieName]!;
		const store = new TokenStore(io.env, config.apiBase);
		store.saveLogin({token, refreshToken: jar[refreshCookieName], cookie, userAgent});
		const userId = readTokenClaims(token).midjourneyId ?? null;
		if (wantsJson(config, flags)) {
			await writeLine(context, JSON.stringify({signedIn: true, userId, savedTo: store.file, cookies: Object.keys(jar).sort()}));
		} else {
			await writeLine(context, `Signed in${userId ? ` (account ${userId})` : ''}; the session is saved in ${store.file} (mode 0600).`);
			await writeLine(context, 'Next: mj-tui doctor (checks that sync and downloads work), then mj-tui --batch.');
		}
		return ExitCode.ok;
	},
};

export default loginCommand;
