/**
 * The Midjourney web API client: auth (cookies, JWT, refresh), paging,
 * retries, response validation, Cloudflare detection.
 *
 * CONTRACT: signatures other modules build against; being implemented.
 */
import type {Config} from '../config.js';
import type {ImagineListPage} from '../job.js';

export class MidjourneyClient {
	constructor(config: Config) {}

	/** The account id: config.userId, else the JWT's `midjourney_id` claim. Throws MjError(77) without auth. */
	userId(): string {
		throw new Error('not implemented');
	}

	/** One validated listing page, newest first. Retries transient failures; refreshes an expired token once. */
	async listPage(options: {cursor?: string; pageSize?: number; signal?: AbortSignal}): Promise<ImagineListPage> {
		throw new Error('not implemented');
	}

	/** Release sockets. */
	async close(): Promise<void> {}
}
