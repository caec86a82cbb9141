/**
 * Cloudflare's "Just a moment..." challenge page. It arrives as a 403 or as a
 * 200, so it is recognised by its body (and header), never by status alone.
 */
import {ExitCode, MjError} from '../errors.js';

const challengeMarkers = [/<title>\s*Just a moment\.\.\.\s*<\/title>/i, /challenge-platform/i, /cf_chl_opt/i, /cf-browser-verification/i];

/** True when a response is Cloudflare's browser challenge rather than the API's answer. */
export function isCloudflareChallenge(body: string, headers: Record<string, string | string[] | undefined> = {}): boolean {
	if (String(headers['cf-mitigated'] ?? '').toLowerCase() === 'challenge') return true;
	// Only the head of the page matters; a JSON page is never HTML.
	const head = body.slice(0, 64 * 1024);
	if (!/<html|<!doctype/i.test(head)) return false;
	return challengeMarkers.some(marker => marker.test(head));
}

/** What to do when Cloudflare blocks us, for the MjError hint. */
export const cloudflareHint = [
	'Cloudflare wants a real browser. Run with --transport browser (config `transport: browser`): requests then run inside Chrome/Chromium;',
	'if the check needs a person, run `mj-tui login` once (a visible window; `mj-tui login --cdp <url>` over SSH).',
	"Without a browser on this machine: copy the whole Cookie header of an /api/imagine request (DevTools → Network, it includes cf_clearance)",
	"into MJ_TUI_COOKIE and the browser's User-Agent into MJ_TUI_USER_AGENT, or save the responses as a HAR file and run `mj-tui import --responses <file.har>`.",
].join(' ');

/** The MjError (exit 69) for a challenge page met at `where` (a redacted URL). */
export function cloudflareError(where: string, status: number): MjError {
	return new MjError(`Cloudflare answered ${where} with its "Just a moment..." browser challenge (HTTP ${status}) instead of data.`, {
		exitCode: ExitCode.unavailable,
		hint: cloudflareHint,
	});
}
