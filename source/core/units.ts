/**
 * Sizes, rates and durations as people type and read them: `--limit-rate 2M`,
 * `--older-than 7d`, "3.4 MB/s", "ETA 1m05s". Shared by flags, config, the
 * UI and batch progress lines so every place speaks the same units.
 */

const sizeUnits: Record<string, number> = {'': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3};

/** Parse `2M`, `512k`, `1.5GiB`, `1048576` into bytes (binary multiples). Returns undefined when malformed. */
export function parseBytes(text: string): number | undefined {
	const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
	if (!match) return undefined;
	const factor = sizeUnits[match[2]!.toLowerCase()];
	return factor === undefined ? undefined : Math.round(Number(match[1]) * factor);
}

const durationUnits: Record<string, number> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000};

/** Parse `500ms`, `30s`, `5m`, `7d`, `2w` into milliseconds. Returns undefined when malformed. */
export function parseDuration(text: string): number | undefined {
	const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$/i.exec(text);
	if (!match) return undefined;
	return Math.round(Number(match[1]) * durationUnits[match[2]!.toLowerCase()]!);
}

/** `1536` → `1.5 KiB`; three significant figures at most. */
export function formatBytes(bytes: number): string {
	if (!Number.isFinite(bytes) || bytes < 0) return '?';
	const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
	let value = bytes;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit++;
	}
	const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
	return `${value.toFixed(digits)} ${units[unit]}`;
}

/** Bytes per second as `3.40 MiB/s`. */
export function formatRate(bytesPerSecond: number): string {
	return `${formatBytes(bytesPerSecond)}/s`;
}

/** Seconds as a compact ETA: `45s`, `3m05s`, `2h07m`, `3d04h`; `--` when unknown. */
export function formatEta(seconds: number | null | undefined): string {
	if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '--';
	const s = Math.round(seconds);
	if (s < 60) return `${s}s`;
	if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
	if (s < 86_400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
	return `${Math.floor(s / 86_400)}d${String(Math.floor((s % 86_400) / 3600)).padStart(2, '0')}h`;
}
