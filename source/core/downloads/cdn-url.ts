/**
 * What the images table stores to find a file again. A Midjourney file is
 * stored by its path below the CDN base (`/<job id>/0_0.png`), not by the
 * host it was first planned on, and resolved against the current `cdnBase`
 * when it is downloaded: a changed --cdn-base, or the demo's stand-in on a
 * new port, resumes instead of failing every remaining file. Plain URL-list
 * downloads keep their absolute URL.
 */

/** True for a stored CDN-relative path (as opposed to an absolute URL from a URL list or an old archive). */
export function isCdnRelative(stored: string): boolean {
	return stored.startsWith('/');
}

/** True when the engine can fetch a stored identifier: a CDN path, or an http(s) URL (not an imported `file://` one). */
export function isDownloadable(stored: string): boolean {
	return isCdnRelative(stored) || /^https?:\/\//i.test(stored);
}

/** The URL to fetch for a stored identifier, with the CDN base in force now. */
export function resolveFileUrl(stored: string, cdnBase: string): string {
	return isCdnRelative(stored) ? cdnBase.replace(/\/+$/, '') + stored : stored;
}

/**
 * Whether the Cookie header (auth token, cf_clearance) may go with a request
 * to `url`: only to the configured CDN's exact origin (scheme, host and port),
 * and only encrypted, unless the CDN itself is plain http on this machine (the stand-in).
 */
export function cookieAllowed(url: string, cdnBase: string): boolean {
	let target: URL;
	let base: URL;
	try {
		target = new URL(url);
		base = new URL(cdnBase);
	} catch {
		return false;
	}
	if (target.origin !== base.origin) return false;
	return target.protocol === 'https:' || (target.protocol === 'http:' && isLoopback(base.hostname));
}

function isLoopback(hostname: string): boolean {
	return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}
