/**
 * What one chaos round does, chosen from the seed alone: which command runs,
 * which faults the stand-in carries (several at once), and how the round
 * ends (it finishes, SIGTERM, kill -9, or the disk fills up) and when. The
 * timing of the real processes still varies; these choices never do.
 */
import type {Fault} from '../../fixtures/types.js';
import {hashString, Random} from '../../fixtures/random.js';

/** The fault classes of issue 11. */
export const faultClassNames = [
	'429-one-file', '429-many-files', '429-whole-host', '503-twice', 'reset', 'truncation', 'stall',
	'ignore-range', 'wrong-range', 'challenge-one-url', 'challenge-all', '401-mid-run',
] as const;

export type FaultClass = (typeof faultClassNames)[number];

type Recipe = (random: Random, files: readonly string[]) => Fault[];

/** Each fault class as a recipe for stand-in faults. */
export const faultClasses: Record<FaultClass, Recipe> = {
	'429-one-file': (r, files) => [{kind: 'rate-limit', retryAfterSeconds: 1, route: 'cdn', pathIncludes: r.pick(files), count: 1 + r.below(2)}],
	'429-many-files': r => [{kind: 'rate-limit', retryAfterSeconds: 1, route: 'cdn', count: 3 + r.below(8)}],
	'429-whole-host': r => [{kind: 'rate-limit', retryAfterSeconds: 1, route: 'cdn', after: r.below(10), forSeconds: 1 + r.below(2)}],
	'503-twice': r => [{kind: 'server-error', status: 503, route: 'cdn', count: 2, after: r.below(10)}],
	reset: r => [{kind: 'reset', route: 'cdn', count: 1 + r.below(4), after: r.below(10)}],
	truncation: r => [{kind: 'truncate', route: 'cdn', count: 1 + r.below(4), after: r.below(10)}],
	stall: r => [{kind: 'stall', ms: 60_000, route: 'cdn', count: 1 + r.below(2), after: r.below(10)}],
	'ignore-range': r => [{kind: 'truncate', route: 'cdn', count: 2}, {kind: 'ignore-range', count: 1 + r.below(3)}],
	'wrong-range': r => [{kind: 'truncate', route: 'cdn', count: 2}, {kind: 'wrong-range', count: 1 + r.below(3)}],
	'challenge-one-url': (r, files) => [{kind: 'cloudflare', status: 403, route: 'cdn', pathIncludes: r.pick(files)}],
	'challenge-all': () => [{kind: 'cloudflare', status: 403, route: 'cdn'}],
	'401-mid-run': r => (r.chance(0.5) ? [{kind: 'expired-token', after: 1, count: 1}] : [{kind: 'unauthorized', route: 'cdn', after: r.below(20), count: 1 + r.below(5)}]),
};

/** The command a round runs. `tui` needs tmux; `import` is `import <folder> --copy`. */
export type ChaosCommand = 'batch' | 'tui' | 'verify-repair' | 'import-copy' | 'export';

/** How a round ends: left to finish, or interrupted at `atMs` after the start. */
export type Ending = 'finish' | 'sigterm' | 'kill-9' | 'disk-full';

export interface RoundPlan {
	round: number;
	command: ChaosCommand;
	faultClasses: FaultClass[];
	faults: Fault[];
	ending: Ending;
	/** When the ending strikes, ms after the command starts (the disk fills at this instant too). */
	atMs: number;
	/** Extra flags for batch runs (concurrency, a rate limit that keeps transfers in flight, --full). */
	flags: string[];
	/** The stand-in moves to a new port this round (a changed --cdn-base, a new --demo port). */
	newPort: boolean;
}

/** What the environment allows: tmux for the TUI, a tmpfs for disk-full. */
export interface Capabilities {
	tmux: boolean;
	smallDisk: boolean;
}

const commandWeights: Array<[ChaosCommand, number]> = [['batch', 55], ['verify-repair', 15], ['tui', 10], ['import-copy', 10], ['export', 10]];
const endingWeights: Array<[Ending, number]> = [['finish', 35], ['sigterm', 25], ['kill-9', 25], ['disk-full', 15]];

function weighted<T>(random: Random, weights: Array<[T, number]>): T {
	let left = random.below(weights.reduce((sum, [, weight]) => sum + weight, 0));
	for (const [value, weight] of weights) {
		if (left < weight) return value;
		left -= weight;
	}

	return weights[0]![0];
}

/** The plan of round `round` of a run with `seed`; `files` are the stand-in's CDN paths. */
export function planRound(seed: number, round: number, files: readonly string[], can: Capabilities): RoundPlan {
	const random = new Random(hashString(`chaos round ${round}`, seed));
	const commands = commandWeights.filter(([command]) => command !== 'tui' || can.tmux);
	const endings = endingWeights.filter(([ending]) => ending !== 'disk-full' || can.smallDisk);
	// Round 1 builds the archive the other commands work on.
	const command = round === 1 ? 'batch' : weighted(random, commands);
	const chosen = new Set<FaultClass>();
	const howMany = 1 + random.below(3);
	while (chosen.size < howMany) chosen.add(random.pick(faultClassNames));
	const classes = [...chosen].sort();
	const faults = classes.flatMap(name => faultClasses[name](random, files));
	const ending = weighted(random, endings);
	// Most commands take 0.5-3 s here: instants in that span land mid-run more often than not.
	const atMs = 100 + random.below(2500);
	const flags = ['--concurrency', String(1 + random.below(8))];
	if (random.chance(0.7)) flags.push('--limit-rate', `${100 + random.below(400)}k`);
	if (random.chance(0.2)) flags.push('--full');
	return {round, command, faultClasses: classes, faults, ending, atMs, flags, newPort: movesPort(seed, round)};
}

/** Whether round `round` moves the stand-in to a new port; decided before the round's stand-in starts. */
export function movesPort(seed: number, round: number): boolean {
	return round > 1 && new Random(hashString(`chaos port ${round}`, seed)).chance(0.15);
}
