/**
 * CSV export (RFC 4180): one row per job, images listed in one cell. Cells
 * that a spreadsheet would run as a formula (starting with = + - @, tab or
 * carriage return) get a leading `'`, so opening an export never executes a
 * hostile prompt.
 */
import {parametersText, type ExportRecord} from './records.js';
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

/** Write the header, then one row per record (read with `images: 'done-paths'`); image paths are joined with `;`. */
export async function writeCsv(records: Iterable<ExportRecord>, sink: ExportSink): Promise<number> {
	await sink.write(`${csvColumns.join(',')}\r\n`);
	let count = 0;
	for (const record of records) {
		const paths = record.donePaths ?? '';
		const row = [
			csvCell(record.id),
			csvCell(record.enqueueTime),
			csvCell(record.jobType),
			csvCell(record.eventType),
			csvCell(record.prompt),
			csvCell(record.fullCommand),
			csvCell(parametersText(record)),
			csvCell(record.width),
			csvCell(record.height),
			csvCell(record.batchSize),
			csvCell(record.parentId),
			csvCell(record.parentGrid),
			csvCell(record.rating),
			csvCell(paths === '' ? 0 : paths.split(';').length),
			csvCell(paths),
		];
		const full = sink.write(`${row.join(',')}\r\n`);
		if (full) await full;
		count++;
	}
	return count;
}
