/**
 * CSV export (RFC 4180): one row per job, images listed in one cell. Cells
 * that a spreadsheet would run as a formula (starting with = + - @, tab or
 * carriage return) get a leading `'`, so opening an export never executes a
 * hostile prompt.
 */
import type {ExportRecord} from './records.js';
import type {ExportSink} from './sink.js';

export const csvColumns = [
	'id', 'enqueue_time', 'job_type', 'event_type', 'prompt', 'full_command', 'parameters',
	'width', 'height', 'batch_size', 'parent_id', 'parent_grid', 'rating', 'image_count', 'image_paths',
] as const;

const formulaStart = /^[=+\-@\t\r]/;
const needsQuotes = /[",\r\n]/;

/** One CSV cell: formula-safe text, quoted when it holds a comma, quote or line break. */
export function csvCell(value: string | number | null | undefined): string {
	if (value === null || value === undefined) return '';
	if (typeof value === 'number') return String(value);
	const safe = formulaStart.test(value) ? `'${value}` : value;
	return needsQuotes.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** Parameters as they were typed: `--ar 16:9 --tile`. */
function parametersText(parameters: Record<string, string | true>): string {
	return Object.entries(parameters)
		.map(([name, value]) => (value === true ? `--${name}` : `--${name} ${value}`))
		.join(' ');
}

/** Write the header, then one row per record; image paths are joined with `;`. */
export async function writeCsv(records: Iterable<ExportRecord>, sink: ExportSink): Promise<number> {
	await sink.write(`${csvColumns.join(',')}\r\n`);
	let count = 0;
	for (const {job, images} of records) {
		const done = images.filter(image => image.status === 'done' && image.path);
		const row = [
			csvCell(job.id),
			csvCell(typeof job.raw.enqueue_time === 'string' ? job.raw.enqueue_time : new Date(job.enqueuedAt).toISOString()),
			csvCell(job.jobType),
			csvCell(job.eventType),
			csvCell(job.prompt),
			csvCell(job.fullCommand),
			csvCell(parametersText(job.parameters)),
			csvCell(job.width),
			csvCell(job.height),
			csvCell(job.batchSize),
			csvCell(job.parentId),
			csvCell(job.parentGrid),
			csvCell(job.rating),
			csvCell(done.length),
			csvCell(done.map(image => image.path).join(';')),
		];
		await sink.write(`${row.join(',')}\r\n`);
		count++;
	}
	return count;
}
