/**
 * Configuration: defaults < user config (~/.config/mj-tui/) < project config
 * (cosmiconfig, module `mj-tui`) < env (MJ_TUI_*) < flags. Validation errors
 * name the file, the key and what is allowed (exit 78).
 *
 * CONTRACT (the shape every module reads). The loader is config/load.ts
 * (loadConfig), the key table with types and ranges config/keys.ts. A loaded
 * Config has `archive` and `metricsFile` as absolute paths.
 */
import type {PreviewMode} from '../preview/renderers.js';

export interface Config {
	/** Archive folder; holds archive.db, images/, .parts/. */
	archive: string;
	apiBase: string;
	cdnBase: string;
	/** Base of the token refresh endpoint (`POST <tokenBase>/v1/token?key=...`). */
	tokenBase: string;
	/** The web app's public API key for token refresh (in its JS bundle); configurable because it may change. Empty: refresh is not attempted and the user is told how to paste a fresh token. */
	tokenApiKey: string;
	/** How API requests travel: `direct` (undici) or `browser` (inside a Chrome/Chromium page, past Cloudflare's browser check). */
	transport: 'direct' | 'browser';
	/** Chrome/Chromium executable for the browser route and `mj-tui login`; default: found on PATH. */
	browser?: string;
	/** Account id; taken from the JWT's `midjourney_id` claim when absent. */
	userId?: string;
	/** The `__Host-Midjourney.AuthUserTokenV3_i` cookie value (a JWT). Secret. */
	token?: string;
	/** The `__Host-Midjourney.AuthUserTokenV3_r` cookie value. Secret. */
	refreshToken?: string;
	/** A whole Cookie header pasted from the browser (incl. cf_clearance). Secret. */
	cookie?: string;
	/** User-Agent to send; the browser's, when Cloudflare insists. */
	userAgent: string;

	/** Jobs per listing request. */
	pageSize: number;
	/** Polite pause between listing pages, ms. */
	pagePauseMs: number;
	/** Retries for one request (listing or download) before it fails. */
	retries: number;
	/** Longest Retry-After honoured, ms. */
	retryAfterCapMs: number;
	/** Per-request timeout for API calls, ms. */
	requestTimeoutMs: number;

	/** Downloads in flight at once. */
	concurrency: number;
	/** Downloads in flight per host. */
	perHostConcurrency: number;
	/** Global bandwidth cap in bytes/s; 0 = unlimited. */
	limitRate: number;
	/** Naming template for downloaded files, relative to the archive. */
	naming: string;
	/** Which rendition to download: full-size PNG or the WebP. */
	format: 'png' | 'webp';
	/** Also archive the jobs the account liked (`/api/explore-likes`), other people's included, marked liked. */
	likes: boolean;
	/** Also download grid composites. */
	grids: boolean;
	/** Also download videos of video jobs. */
	videos: boolean;
	/** Abort a transfer whose body sends no bytes for this long, ms. */
	stallTimeoutMs: number;
	/** Write the full command and job id into each downloaded PNG (Description + XMP), so files carry their prompt. */
	embedMetadata: boolean;
	/** Write an `<image>.xmp` sidecar (prompt, job id, rating, tags) beside each downloaded file. */
	sidecars: boolean;
	/** Set each downloaded file's mtime to its job's enqueue time. */
	setMtime: boolean;
	/** Hash each downloaded image for near-duplicate families, at low priority beside the transfers (verify fills in the rest). */
	perceptualHashes: boolean;
	/** Write Prometheus textfile metrics here after each batch run. */
	metricsFile?: string;
	/** How the interactive app shows pictures: a graphics protocol, half blocks, `auto` (ask the terminal) or `off`. */
	preview: PreviewMode;

	verbose: boolean;
	quiet: boolean;
	json: boolean;
}

export const defaultConfig: Config = {
	archive: './mj-archive',
	apiBase: 'https://www.midjourney.com',
	cdnBase: 'https://cdn.midjourney.com',
	tokenBase: 'https://securetoken.googleapis.com',
	// Public: the web app ships it in its bundle, and public clients carry the same value (see shared/midjourney-api.md).
	tokenApiKey: 'AIzaSyAjizp68NsH3JGUS0EyLXsChW4fN0A92tM',
	transport: 'direct',
	userAgent: 'mj-tui/0.1 (+https://github.com/mj-tui/mj-tui)',
	pageSize: 1000,
	pagePauseMs: 500,
	retries: 5,
	retryAfterCapMs: 120_000,
	requestTimeoutMs: 30_000,
	concurrency: 4,
	perHostConcurrency: 4,
	limitRate: 0,
	naming: 'images/{yyyy}/{mm}/{date}_{job_id}_{index}.{ext}',
	format: 'png',
	likes: false,
	grids: false,
	videos: true,
	stallTimeoutMs: 30_000,
	embedMetadata: false,
	sidecars: false,
	setMtime: true,
	perceptualHashes: true,
	preview: 'auto',
	verbose: false,
	quiet: false,
	json: false,
};
