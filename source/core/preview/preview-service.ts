/**
 * The pictures the UI asks for, made off the render path: the UI says which
 * files it wants to show now (`want`), reads what is ready (`peek`) and is
 * told when more is. Only the latest wish is worked on (one picture at a
 * time, a thumbnail fetch nobody wants any more is aborted), so scrolling
 * fast never queues up work. A file not downloaded yet shows the CDN's
 * thumbnail-size WebP; offline, a line saying so.
 */
import path from 'node:path';
import {cookieAllowed, resolveFileUrl} from '../downloads/cdn-url.js';
import {isCloudflareChallenge} from '../midjourney/cloudflare.js';
import {PictureCache} from './picture-cache.js';
import {loadSharp, makePicture, type CellBox, type PreviewPicture} from './picture.js';
import type {RendererChoice} from './renderers.js';
import {lowerImageThreads} from './thread-priority.js';

/** One file the UI wants a picture of (a row of the images table). */
export interface PreviewFile {
	jobId: string;
	index: number;
	/** Relative to the archive (an imported file kept where it was: absolute). */
	path: string | null;
	sha256: string | null;
	status: string;
}

export type PreviewResult = {picture: PreviewPicture; from: 'file' | 'thumbnail'} | {message: string};

export interface PreviewServiceOptions {
	archiveDir: string;
	choice: RendererChoice;
	cdnBase: string;
	userAgent: string;
	/** Sent only to the CDN's own origin over https (or loopback), as downloads do. */
	cookie?: string;
	/** Milliseconds a thumbnail fetch may take. */
	fetchTimeoutMs?: number;
	/** How long a failure (offline, 404) is remembered before it is tried again, ms. */
	failureMemoryMs?: number;
	/** How long the wish must stay the same before work starts, ms: keys held down pass jobs by without fetching each one's pictures. */
	settleMs?: number;
	/** Longest a finished picture waits to be told together with the rest of the wish, ms (default 150). */
	tellWithinMs?: number;
}

/** The thumbnail rendition asked for a file not downloaded yet (the contract's `0_<i>_<size>_N.webp`). */
export const thumbnailSize = 384;
const maxThumbnailBytes = 8 * 1024 * 1024;

/** The cache key of a file's picture in a box: its content when known, else where it comes from. */
export function pictureKey(file: PreviewFile, box: CellBox, choice: RendererChoice): string {
	const source = file.status === 'done' && file.path ? (file.sha256 ?? `path:${file.path}`) : `thumb:${file.jobId}/${file.index}`;
	return `${source}|${box.columns}x${box.rows}|${choice.renderer}|${choice.colour}`;
}

export class PreviewService {
	readonly choice: RendererChoice;
	readonly #options: PreviewServiceOptions;
	readonly #pictures = new PictureCache<PreviewResult>(64, 64 * 1024 * 1024);
	readonly #failures = new Map<string, {message: string; until: number}>();
	#wanted: Array<{file: PreviewFile; box: CellBox}> = [];
	#onReady: () => void = () => {};
	#working = false;
	#fetch: {key: string; controller: AbortController} | undefined;
	#closed = false;
	#settle: NodeJS.Timeout | undefined;
	#notify: NodeJS.Timeout | undefined;

	constructor(options: PreviewServiceOptions) {
		this.#options = options;
		this.choice = options.choice;
		// sharp loads once the first frame is out, so neither the start nor the first picture waits for it.
		setTimeout(() => void loadSharp().catch(() => {}), 500).unref();
	}

	/** What is ready for `file` in `box`: a picture, a message, or undefined while it is being made. */
	peek(file: PreviewFile, box: CellBox): PreviewResult | undefined {
		const key = pictureKey(file, box, this.choice);
		const failure = this.#failures.get(key);
		if (failure && failure.until > Date.now()) return {message: failure.message};
		return this.#pictures.get(key);
	}

	/** Replace what the UI wants shown; `onReady` runs each time one of them becomes ready. */
	want(files: Array<{file: PreviewFile; box: CellBox}>, onReady: () => void): void {
		this.#wanted = files.filter(({file, box}) => !this.peek(file, box));
		this.#onReady = onReady;
		const fetching = this.#fetch;
		if (fetching && !this.#wanted.some(({file, box}) => pictureKey(file, box, this.choice) === fetching.key)) fetching.controller.abort();
		clearTimeout(this.#settle);
		if (this.#wanted.length > 0) this.#settle = setTimeout(() => void this.#work(), this.#options.settleMs ?? 60);
	}

	close(): void {
		this.#closed = true;
		clearTimeout(this.#settle);
		clearTimeout(this.#notify);
		this.#wanted = [];
		this.#fetch?.controller.abort();
	}

	async #work(): Promise<void> {
		if (this.#working) return;
		this.#working = true;
		try {
			for (let next = this.#wanted.shift(); next && !this.#closed; next = this.#wanted.shift()) {
				const key = pictureKey(next.file, next.box, this.choice);
				if (this.peek(next.file, next.box)) continue;
				const result = await this.#make(next.file, next.box, key);
				lowerImageThreads();
				if (this.#closed) return;
				if ('picture' in result) this.#pictures.set(key, result, result.picture.bytes);
				else if (result.message === aborted) continue;
				else this.#failures.set(key, {message: result.message, until: Date.now() + (this.#options.failureMemoryMs ?? 30_000)});
				this.#ready();
			}
			// The wish is done (the last ones were cached or aborted): what is waiting to be told is told now.
			if (this.#notify && !this.#closed) this.#ready();
		} finally {
			this.#working = false;
		}
	}

	/**
	 * Tell the UI: once everything wanted is made, or `tellWithinMs` after the
	 * first picture not told yet (a slow fetch does not hold the others back
	 * long). Each telling is a React commit and a whole Ink frame on the main
	 * thread (~20 ms at 200x60), so a grid's four pictures are told once, not
	 * one by one.
	 */
	#ready(): void {
		const tell = () => {
			this.#notify = undefined;
			this.#onReady();
		};
		if (this.#wanted.length === 0) {
			clearTimeout(this.#notify);
			this.#notify = setTimeout(tell, 0);
		} else {
			this.#notify ??= setTimeout(tell, this.#options.tellWithinMs ?? 150);
		}
	}

	async #make(file: PreviewFile, box: CellBox, key: string): Promise<PreviewResult> {
		if (file.status === 'done' && file.path) {
			try {
				return {picture: await makePicture(path.resolve(this.#options.archiveDir, file.path), box, this.choice, key), from: 'file'};
			} catch (error) {
				return {message: `cannot show ${path.basename(file.path)}: ${reasonOf(error)}`};
			}
		}
		const controller = new AbortController();
		this.#fetch = {key, controller};
		try {
			const thumbnail = await this.#thumbnail(file, controller.signal);
			return {picture: await makePicture(thumbnail, box, this.choice, key), from: 'thumbnail'};
		} catch (error) {
			if (controller.signal.aborted && !this.#closed && !(error instanceof Error && error.name === 'TimeoutError')) return {message: aborted};
			return {message: `not downloaded yet (d downloads it); no thumbnail: ${reasonOf(error)}`};
		} finally {
			if (this.#fetch?.controller === controller) this.#fetch = undefined;
		}
	}

	async #thumbnail(file: PreviewFile, signal: AbortSignal): Promise<Buffer> {
		const {cdnBase, userAgent, cookie, fetchTimeoutMs = 10_000} = this.#options;
		const url = resolveFileUrl(`/${encodeURIComponent(file.jobId)}/0_${file.index}_${thumbnailSize}_N.webp`, cdnBase);
		const headers: Record<string, string> = {'user-agent': userAgent, accept: 'image/webp,image/*'};
		if (cookie && cookieAllowed(url, cdnBase)) headers['cookie'] = cookie;
		const response = await fetch(url, {headers, signal: AbortSignal.any([signal, AbortSignal.timeout(fetchTimeoutMs)]), redirect: 'error'});
		const type = response.headers.get('content-type') ?? '';
		const length = Number(response.headers.get('content-length') ?? 0);
		if (length > maxThumbnailBytes) throw new Error(`the CDN's thumbnail is ${length} bytes`);
		const body = Buffer.from(await response.arrayBuffer());
		if (isCloudflareChallenge(body.toString('utf8', 0, Math.min(body.length, 4096)), Object.fromEntries(response.headers))) throw new Error("the CDN answered with Cloudflare's challenge");
		if (!response.ok) throw new Error(`HTTP ${response.status}`);
		if (!type.startsWith('image/')) throw new Error(`the CDN sent ${type || 'no content type'}, not an image`);
		return body;
	}
}

const aborted = 'aborted';

function reasonOf(error: unknown): string {
	if (error instanceof Error && error.name === 'TimeoutError') return 'the CDN did not answer in time (offline?)';
	const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
	return error instanceof Error ? `${error.message}${cause}`.replace(/\s+/g, ' ').slice(0, 160) : String(error);
}
