/**
 * The jobs filter as one typed line: `type:upscale,diffusion since:2024-01-01
 * until:2024-07 status:missing liked:yes`. Dates are local days; `until` is inclusive of
 * the day (or month/year) typed.
 */
import type {JobFilter} from '../../core/job.js';

const statuses = ['complete', 'missing', 'failed'] as const;

/** Start of a local date typed as YYYY, YYYY-MM or YYYY-MM-DD, and the start of the period after it. */
function parseDay(text: string): {start: number; next: number} | undefined {
	const match = /^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$/.exec(text);
	if (!match) return undefined;
	const year = Number(match[1]);
	const month = match[2] ? Number(match[2]) - 1 : undefined;
	const day = match[3] ? Number(match[3]) : undefined;
	if (month !== undefined && (month < 0 || month > 11)) return undefined;
	if (day !== undefined && (day < 1 || day > 31)) return undefined;
	const start = new Date(year, month ?? 0, day ?? 1).getTime();
	const next =
		day !== undefined ? new Date(year, month!, day + 1).getTime() : month !== undefined ? new Date(year, month + 1, 1).getTime() : new Date(year + 1, 0, 1).getTime();
	return {start, next};
}

/** Parse the filter line; an error names the word that is wrong and what is allowed. */
export function parseFilterText(text: string): {filter: JobFilter} | {error: string} {
	const filter: JobFilter = {};
	for (const word of text.trim().split(/\s+/).filter(Boolean)) {
		const [name, ...rest] = word.split(':');
		const value = rest.join(':');
		if (!value) return {error: `“${word}”: write name:value (type:, since:, until:, status:, liked:)`};
		switch (name) {
			case 'type': {
				filter.types = value.split(',').filter(Boolean);
				break;
			}
			case 'since':
			case 'until': {
				const day = parseDay(value);
				if (!day) return {error: `“${word}”: dates are YYYY, YYYY-MM or YYYY-MM-DD`};
				if (name === 'since') filter.since = day.start;
				else filter.until = day.next;
				break;
			}
			case 'liked': {
				if (value !== 'yes' && value !== 'no') return {error: `“${word}”: liked is yes or no`};
				filter.liked = value === 'yes';
				break;
			}
			case 'status': {
				if (!(statuses as readonly string[]).includes(value)) return {error: `“${word}”: status is one of ${statuses.join(', ')}`};
				filter.fileStatus = value as JobFilter['fileStatus'];
				break;
			}
			default:
				return {error: `“${name}”: unknown filter (type:, since:, until:, status:, liked:)`};
		}
	}
	return {filter};
}

const pad = (value: number) => String(value).padStart(2, '0');
const day = (epochMs: number) => {
	const date = new Date(epochMs);
	return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
};

/** The filter written back as the line that produces it (empty for no filter). */
export function formatFilterText(filter: JobFilter): string {
	const words: string[] = [];
	if (filter.types?.length) words.push(`type:${filter.types.join(',')}`);
	if (filter.since !== undefined) words.push(`since:${day(filter.since)}`);
	// `until` is exclusive in the filter and inclusive as typed: show the last day included.
	if (filter.until !== undefined) words.push(`until:${day(filter.until - 1)}`);
	if (filter.fileStatus) words.push(`status:${filter.fileStatus}`);
	if (filter.liked !== undefined) words.push(`liked:${filter.liked ? 'yes' : 'no'}`);
	return words.join(' ');
}
