/**
 * How one API request travels. The client builds the request (auth, headers,
 * retries); a transport only carries it. Direct requests go through undici;
 * the browser route (browser/session.ts) carries requests to the site's
 * origin inside a real Chrome page, where Cloudflare sees a browser.
 */

/** One request as the client built it. */
export interface ApiRequest {
	url: string;
	method: string;
	headers: Record<string, string>;
	body?: string;
}

/** One answer, body read whole. */
export interface ApiResponse {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	body: string;
}

/** Something that can carry some requests instead of the direct route. */
export interface Transport {
	/** Which route this is, for logs and doctor. */
	readonly name: string;
	/** True when this transport carries requests to `url` (others go direct). */
	covers(url: string): boolean;
	exchange(request: ApiRequest, signal: AbortSignal): Promise<ApiResponse>;
}
