/**
 * CSV export (RFC 4180): one row per job, images listed in one cell. Text
 * loses terminal control sequences (people `cat` CSV files: a prompt must not
 * retitle or clear their terminal), and cells that a spreadsheet would run as
 * a formula (starting with = + - @, tab or carriage return) get a leading
 * `'`, so opening an export never executes a hostile prompt.
 *
 * Built for 1,000,000 jobs at over 100,000 jobs/s: rows come as raw arrays
 * (no object per job) with only the columns the csv writes, the done paths
 * of each page are looked up on a second thread while the previous page is
 * written (done-paths.ts), cells that need no quoting or formula guard pass
 * through after one regex test, and lines are concatenated into ~64 KiB
 * chunks before they reach the sink.
 */
import type {DonePaths} from '../archive/done-paths.js';
import {stripTerminalControls} from '../terminal-text.js';
import type {CsvRow} from '../archive/export-queries.js';
import {parametersText} from './records.js';
import type {ExportSink} from './sink.js';

export const csvColumns = [
	'id', 'enqueue_time', 'job_type', 'event_type', 'prompt', 'full_command', 'parameters',
	'width', 'height', 'batch_size', 'parent_id', 'parent_grid', 'rating', 'image_count', 'image_paths',
] as const;

/** What writeCsv reads of each job (store.exports.csvPages): the columns it writes (image paths come separately). */
export type {CsvRow};

const formulaStart = /^[=+\-@\t\r]/;
const needsQuotes = /[",\r\n]/;
/** Characters stripTerminalControls removes (C0 but tab and newline, DEL, C1, bidi overrides): rare, so stripping runs only when one is there. */
const controlCharacter = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;
/** Any of the three above: most cells need none, and one test tells them apart. */
const needsCare = /^[=+\-@\t\r]|[",\r\n\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

/** One CSV cell: terminal-safe, formula-safe text, quoted when it holds a comma, quote or line break. */
export function csvCell(value: string | number | null | undefined): string {
	if (value === null || value === undefined) return '';
	if (typeof value === 'number') return String(value);
	if (!needsCare.test(value)) return value;
	// Stripped first: an escape sequence must not hide a leading `=` from the guard.
	const text = controlCharacter.test(value) ? stripTerminalControls(value) : value;
	const safe = formulaStart.test(text) ? `'${text}` : text;
	return needsQuotes.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** How many `;`-separated paths the cell lists, counted without splitting it into an array. */
function pathCount(paths: string | null): number {
	if (!paths) return 0;
	let count = 1;
	for (let at = paths.indexOf(';'); at !== -1; at = paths.indexOf(';', at + 1)) count++;
	return count;
}

function csvLine(row: CsvRow, donePaths: string | null): string {
	const [id, enqueueTime, jobType, eventType, prompt, fullCommand, width, height, batchSize, parentId, parentGrid, rating] = row;
	return `${csvCell(id)},${csvCell(enqueueTime)},${csvCell(jobType)},${csvCell(eventType)},${csvCell(prompt)},${csvCell(fullCommand)},${csvCell(parametersText(fullCommand, prompt))},`
		+ `${csvCell(width)},${csvCell(height)},${csvCell(batchSize)},${csvCell(parentId)},${csvCell(parentGrid)},${csvCell(rating)},${pathCount(donePaths)},${csvCell(donePaths)}\r\n`;
}

/** Text handed to the sink at a time: one write per ~150 jobs instead of one per job. */
const chunkAt = 64 * 1024;

/**
 * Write the header, then one line per row (pages from store.exports.csvPages).
 * `donePaths` answers for a page's job ids; the next page is read and asked
 * for before this one is written, so the answer can be computed meanwhile.
 */
export async function writeCsv(pages: Iterable<readonly CsvRow[]>, donePaths: (ids: string[]) => Promise<DonePaths>, sink: ExportSink): Promise<number> {
	const iterator = pages[Symbol.iterator]();
	const read = () => {
		const next = iterator.next();
		return next.done ? undefined : {rows: next.value, paths: donePaths(next.value.map(row => row[0]))};
	};
	let chunk = `${csvColumns.join(',')}\r\n`;
	let count = 0;
	for (let page = read(); page; ) {
		const following = read();
		const paths = await page.paths;
		for (let index = 0; index < page.rows.length; index++) {
			chunk += csvLine(page.rows[index]!, paths[index] ?? null);
			if (chunk.length >= chunkAt) {
				const full = sink.write(chunk);
				chunk = '';
				if (full) await full;
			}
		}
		count += page.rows.length;
		page = following;
	}
	await sink.write(chunk);
	return count;
}
