/**
 * Prometheus textfile metrics (`--metrics-file`, for node_exporter's textfile
 * collector): what the last batch run downloaded. Written atomically (temp
 * file + rename) so the collector never reads half a file; holds no URLs,
 * no tokens, nothing secret.
 */
import fs from 'node:fs';
import path from 'node:path';
import type {EngineRunStats} from './engine.js';
import type {EngineSnapshot} from './types.js';
import {redact} from '../secrets.js';

/** mj-tui's version, for the `mj_tui_info` metric. */
export const version = readVersion();

function readVersion(): string {
	for (const candidate of ['../../../package.json', '../../package.json', '../../../../package.json']) {
		try {
			return (JSON.parse(fs.readFileSync(new URL(candidate, import.meta.url), 'utf8')) as {version: string}).version;
		} catch {}
	}
	return 'unknown';
}

function label(value: string): string {
	return redact(value).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** The metrics as Prometheus text exposition format. */
export function formatMetrics(stats: EngineRunStats, snapshot: EngineSnapshot, now = Date.now()): string {
	const seconds = Math.max(0.001, (now - stats.startedAt) / 1000);
	const lines = [
		'# HELP mj_tui_info mj-tui build information.',
		'# TYPE mj_tui_info gauge',
		`mj_tui_info{version="${label(version)}"} 1`,
		'# HELP mj_tui_download_bytes_total Bytes downloaded in the last run.',
		'# TYPE mj_tui_download_bytes_total counter',
		`mj_tui_download_bytes_total ${stats.bytes}`,
		'# HELP mj_tui_download_files_total Files of the last run by outcome.',
		'# TYPE mj_tui_download_files_total counter',
		`mj_tui_download_files_total{outcome="downloaded"} ${stats.downloaded}`,
		`mj_tui_download_files_total{outcome="duplicate"} ${stats.duplicates}`,
		`mj_tui_download_files_total{outcome="failed"} ${stats.failed}`,
		'# HELP mj_tui_download_retries_total Retried requests of the last run by host.',
		'# TYPE mj_tui_download_retries_total counter',
		...Object.entries(stats.retriesByHost).map(([host, n]) => `mj_tui_download_retries_total{host="${label(host)}"} ${n}`),
		'# HELP mj_tui_download_active_transfers Transfers in flight when the metrics were written.',
		'# TYPE mj_tui_download_active_transfers gauge',
		`mj_tui_download_active_transfers ${snapshot.totals.active}`,
		'# HELP mj_tui_download_throughput_bytes_per_second Average throughput of the last run.',
		'# TYPE mj_tui_download_throughput_bytes_per_second gauge',
		`mj_tui_download_throughput_bytes_per_second ${Math.round(stats.bytes / seconds)}`,
		'# HELP mj_tui_archive_files Files in the archive by status.',
		'# TYPE mj_tui_archive_files gauge',
		`mj_tui_archive_files{status="done"} ${snapshot.totals.done}`,
		`mj_tui_archive_files{status="failed"} ${snapshot.totals.failed}`,
		`mj_tui_archive_files{status="pending"} ${snapshot.totals.queued + snapshot.totals.active + snapshot.totals.paused + snapshot.totals.held}`,
		'# HELP mj_tui_last_run_timestamp_seconds When the last run finished.',
		'# TYPE mj_tui_last_run_timestamp_seconds gauge',
		`mj_tui_last_run_timestamp_seconds ${Math.round(now / 1000)}`,
	];
	return lines.join('\n') + '\n';
}

/** Write the metrics to `file` atomically. */
export async function writeMetrics(file: string, stats: EngineRunStats, snapshot: EngineSnapshot): Promise<void> {
	const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
	await fs.promises.writeFile(temporary, formatMetrics(stats, snapshot));
	await fs.promises.rename(temporary, file);
}
