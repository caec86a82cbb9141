/**
 * The warning for job types nothing in the archive has (`--type`, the TUI's
 * `type:` filter): which ones, the nearest real type, and what types exist.
 */
import type {JobTypes} from './archive/job-types.js';
import {didYouMean} from './config/did-you-mean.js';

/** Types listed in the warning at most; an archive can hold dozens. */
const typesListed = 12;

/** One line per call, or undefined when every type matches some job. */
export function unmatchedTypesWarning(jobTypes: Pick<JobTypes, 'unmatched' | 'all'>, types: readonly string[], what = '--type'): string | undefined {
	const unmatched = jobTypes.unmatched(types);
	if (unmatched.length === 0) return undefined;
	const known = jobTypes.all();
	if (known.length === 0) return `${what} ${unmatched.join(', ')}: the archive has no jobs yet`;
	const guesses = unmatched.map((type) => didYouMean(type, known)).filter((guess): guess is string => guess !== undefined);
	const listed = known.length > typesListed ? `${known.slice(0, typesListed).join(', ')}, …` : known.join(', ');
	const noJob = unmatched.length === 1 ? `no job has type ${unmatched[0]}` : `no job has any of the types ${unmatched.join(', ')}`;
	return `${what}: ${noJob}${guesses.length ? `; did you mean ${guesses.join(', ')}?` : ''} (types here: ${listed})`;
}
