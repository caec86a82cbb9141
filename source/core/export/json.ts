/**
 * JSON exports: `json` is one array (streamed element by element), `jsonl`
 * one object per line. Both carry every job field and its images.
 */
import {recordJsonText, type ExportRecord} from './records.js';
import type {ExportSink} from './sink.js';

/** A JSON array of jobs, written incrementally. */
export async function writeJson(records: Iterable<ExportRecord>, sink: ExportSink): Promise<number> {
	let count = 0;
	await sink.write('[');
	for (const record of records) {
		const full = sink.write(`${count === 0 ? '\n' : ',\n'}${recordJsonText(record)}`);
		if (full) await full;
		count++;
	}
	await sink.write(count === 0 ? ']\n' : '\n]\n');
	return count;
}

/** JSON Lines: one job per line. */
export async function writeJsonLines(records: Iterable<ExportRecord>, sink: ExportSink): Promise<number> {
	let count = 0;
	for (const record of records) {
		const full = sink.write(`${recordJsonText(record)}\n`);
		if (full) await full;
		count++;
	}
	return count;
}
