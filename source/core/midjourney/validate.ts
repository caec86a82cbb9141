/**
 * Validation of `/api/imagine` pages: a page that breaks the contract stops
 * the sync (exit 65) before anything is stored. Unknown fields pass untouched.
 */
import type {ImagineListPage} from '../job.js';

type Kind = 'string' | 'number' | 'boolean' | 'null' | 'undefined';

/** Known job fields and the JSON types each may have; absent fields are tolerated, wrong types are not. */
const jobFieldKinds: Record<string, readonly Kind[]> = {
	enqueue_time: ['string'],
	full_command: ['string'],
	job_type: ['string'],
	event_type: ['string'],
	parent_id: ['string', 'null'],
	parent_grid: ['number', 'null'],
	batch_size: ['number'],
	width: ['number'],
	height: ['number'],
	rating: ['number', 'null'],
	published: ['boolean'],
	shown: ['boolean'],
	user_hidden: ['boolean'],
	video_segments: ['number', 'null'],
	vid_framecount: ['number', 'null'],
};

function kindOf(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'array';
	return typeof value;
}

function describe(kinds: readonly Kind[]): string {
	return kinds.map(kind => (kind === 'null' ? 'null' : `a ${kind}`)).join(' or ');
}

/** The first contract violation of a parsed page, or undefined when it is a valid page. */
export function findPageProblem(page: unknown): string | undefined {
	if (kindOf(page) !== 'object') return `the response is ${kindOf(page)}, expected an object with a "data" array`;
	const {data, cursor, checkpoint} = page as Record<string, unknown>;
	if (!Array.isArray(data)) return `"data" is ${data === undefined ? 'missing' : kindOf(data)}, expected an array of jobs`;
	for (const [name, value] of Object.entries({cursor, checkpoint})) {
		if (value !== undefined && value !== null && typeof value !== 'string') return `"${name}" is ${kindOf(value)}, expected a string`;
	}
	for (const [index, job] of data.entries()) {
		if (kindOf(job) !== 'object') return `data[${index}] is ${kindOf(job)}, expected a job object`;
		const record = job as Record<string, unknown>;
		if (typeof record.id !== 'string' || record.id === '') return `data[${index}] has no string "id" (got ${kindOf(record.id)})`;
		if (!('enqueue_time' in record)) return `data[${index}] (job ${record.id}) has no "enqueue_time"`;
		for (const [field, kinds] of Object.entries(jobFieldKinds)) {
			if (!(field in record)) continue;
			const kind = kindOf(record[field]) as Kind;
			if (!kinds.includes(kind)) return `data[${index}] (job ${record.id}) field "${field}" is ${kindOf(record[field])}, expected ${describe(kinds)}`;
		}
		if (typeof record.enqueue_time === 'string' && Number.isNaN(Date.parse(record.enqueue_time))) {
			return `data[${index}] (job ${record.id}) field "enqueue_time" is not a date: ${JSON.stringify(record.enqueue_time.slice(0, 40))}`;
		}
	}
	return undefined;
}

/** Narrow a parsed page once findPageProblem() found nothing wrong. */
export function asListPage(page: unknown): ImagineListPage {
	return page as ImagineListPage;
}
