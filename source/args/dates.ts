/** Dates given on the command line (`--since`, `--until`), for the global flags and the subcommands alike. */
import {ExitCode, MjError} from '../core/errors.js';

const day = 86_400_000;

/** `2025-01-01` (UTC day) or an ISO date-time; `endOfDay` turns a bare date into the next midnight, so an exclusive bound still covers that whole day. */
export function parseDateFlag(flag: string, text: string, endOfDay: boolean): number {
	const bareDate = /^\d{4}-\d{2}-\d{2}$/.test(text);
	const ms = bareDate ? Date.parse(`${text}T00:00:00Z`) : /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : Number.NaN;
	if (Number.isNaN(ms)) {
		throw new MjError(`${flag} must be a date like 2025-01-01 or 2025-01-01T12:00:00Z; got ${JSON.stringify(text)}`, {exitCode: ExitCode.usage});
	}
	return bareDate && endOfDay ? ms + day : ms;
}
