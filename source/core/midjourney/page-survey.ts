/**
 * What a listing page says about the service's format, for `mj-tui doctor`:
 * fields the contract does not know (the earliest sign the site changed) and
 * jobs whose known fields have unexpected types. Reads only; stores nothing.
 */
import type {ImagineListPage} from '../job.js';

type Kind = 'string' | 'number' | 'boolean' | 'null' | 'array' | 'object';

/** Job fields of the contract (shared/midjourney-api.md, "Seen in the wild" included) and the JSON kinds each may have. */
const knownFields: Record<string, readonly Kind[]> = {
	id: ['string'],
	enqueue_time: ['string'],
	full_command: ['string'],
	job_type: ['string'],
	event_type: ['string'],
	parent_id: ['string', 'null'],
	parent_grid: ['number', 'string', 'null'],
	batch_size: ['number', 'string'],
	width: ['number', 'string'],
	height: ['number', 'string'],
	rating: ['number', 'null'],
	published: ['boolean'],
	shown: ['boolean'],
	user_hidden: ['boolean'],
	video_segments: ['array', 'number', 'null'],
	vid_framecount: ['number', 'null'],
	personalization_codes: ['array', 'null'],
	template: ['object', 'string', 'null'],
	liked_by_user: ['boolean'],
	current_status: ['string', 'null'],
	user_id: ['string'],
	display_name: ['string', 'null'],
	username_v2: ['string', 'null'],
};

function kindOf(value: unknown): Kind | 'undefined' {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'array';
	return typeof value as Kind;
}

export interface PageSurvey {
	jobs: number;
	/** Field names not in the contract, with how many jobs carry each. */
	unknownFields: Record<string, number>;
	/** Jobs with a missing id or enqueue_time, or a known field of an unexpected type. */
	oddJobs: number;
	/** The first few oddities, for the report. */
	oddities: string[];
}

/** Survey one page's jobs. */
export function surveyPage(page: ImagineListPage): PageSurvey {
	const survey: PageSurvey = {jobs: page.data.length, unknownFields: {}, oddJobs: 0, oddities: []};
	for (const job of page.data as unknown[]) {
		const record = (kindOf(job) === 'object' ? job : {}) as Record<string, unknown>;
		const odd: string[] = [];
		if (typeof record.id !== 'string' || !record.id) odd.push('no string id');
		if (!('enqueue_time' in record)) odd.push('no enqueue_time');
		for (const [field, value] of Object.entries(record)) {
			const kinds = knownFields[field];
			if (!kinds) survey.unknownFields[field] = (survey.unknownFields[field] ?? 0) + 1;
			else if (!kinds.includes(kindOf(value) as Kind)) odd.push(`${field} is ${kindOf(value)}`);
		}
		if (odd.length === 0) continue;
		survey.oddJobs++;
		if (survey.oddities.length < 3) survey.oddities.push(`${typeof record.id === 'string' ? record.id : '(no id)'}: ${odd.join(', ')}`);
	}
	return survey;
}
