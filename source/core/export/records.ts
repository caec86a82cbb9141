/**
 * Reading an export record (the rows come from the archive's export queries,
 * store.exports): its images and parameters parsed, the parameters as typed,
 * and its JSON text with the stored JSON columns spliced in unparsed.
 */
import type {ExportImage, ExportRecord} from '../archive/export-queries.js';
import type {JobParameters} from '../job.js';

export type {ExportImage, ExportRecord, ExportSelection} from '../archive/export-queries.js';

/** The record's images, parsed. */
export function recordImages(record: ExportRecord): ExportImage[] {
	return JSON.parse(record.imagesJson) as ExportImage[];
}

/** The record's parameters, parsed. */
export function recordParameters(record: ExportRecord): JobParameters {
	return JSON.parse(record.parametersJson) as JobParameters;
}

/**
 * The parameters as the user typed them (`--ar 16:9 --tile`): the tail of the
 * full command after the prompt, which is exactly what the archive parsed.
 */
export function parametersText(fullCommand: string | null, prompt: string): string {
	// Jobs the API sent without a full_command (NULL since schema 2) have no parameters to show.
	if (!fullCommand) return '';
	const at = fullCommand.indexOf(prompt);
	return (at === -1 ? '' : fullCommand.slice(at + prompt.length)).trim();
}

/** The JSON text of a record (json, jsonl): stored JSON columns are spliced in as they are, not re-parsed. */
export function recordJsonText(record: ExportRecord): string {
	return `{"id":${JSON.stringify(record.id)},"enqueue_time":${JSON.stringify(record.enqueueTime)},"job_type":${JSON.stringify(record.jobType)},"event_type":${JSON.stringify(record.eventType)},"prompt":${JSON.stringify(record.prompt)},"full_command":${JSON.stringify(record.fullCommand)},"parameters":${record.parametersJson},"width":${record.width},"height":${record.height},"batch_size":${record.batchSize},"parent_id":${JSON.stringify(record.parentId)},"parent_grid":${record.parentGrid},"rating":${record.rating},"is_video":${record.isVideo === 1},"liked":${record.liked === 1},"images":${record.imagesJson}}`;
}
