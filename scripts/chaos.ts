/**
 * npm run chaos -- --rounds N --seed S: seeded rounds of faults, commands and
 * interruptions against one archive through the installed binary, then a
 * clean run. Prints each round, the faults hit and every violation with its
 * seed; exits 1 on any violation, 64 on bad flags. See docs/reliability.md.
 */
import {parseArgs} from 'node:util';
import {runChaos} from './chaos/run.js';

function positiveInteger(flag: string, value: string): number {
	const number = Number(value);
	if (!Number.isSafeInteger(number) || number < 0) {
		process.stderr.write(`chaos: --${flag} must be a non-negative integer, got ${JSON.stringify(value)}\n`);
		process.exit(64);
	}

	return number;
}

let values: {rounds?: string; seed?: string};
try {
	({values} = parseArgs({options: {rounds: {type: 'string'}, seed: {type: 'string'}}}));
} catch (error) {
	process.stderr.write(`chaos: ${(error as Error).message}\nusage: npm run chaos -- --rounds N --seed S\n`);
	process.exit(64);
}

const rounds = positiveInteger('rounds', values.rounds ?? '10');
const seed = positiveInteger('seed', values.seed ?? String(Date.now() % 1_000_000));
process.stdout.write(`chaos: ${rounds} rounds, seed ${seed} (repeat with npm run chaos -- --rounds ${rounds} --seed ${seed})\n`);
const report = await runChaos({rounds, seed, log: line => process.stdout.write(`${line}\n`)});
const hit = Object.entries(report.faultsHit).sort(([a], [b]) => a.localeCompare(b)).map(([name, count]) => `${name} x${count}`).join(', ');
const endings = report.rounds.map(round => round.ended).reduce<Record<string, number>>((counts, ending) => ({...counts, [ending]: (counts[ending] ?? 0) + 1}), {});
process.stdout.write(`\nrounds: ${report.rounds.length}\nfaults hit (rounds): ${hit}\nendings: ${Object.entries(endings).map(([name, count]) => `${name} x${count}`).join(', ')}\n`);
const shown = report.violations.slice(0, 40);
process.stdout.write(`violations: ${report.violations.length}\n${shown.map(violation => `  ${violation}\n`).join('')}`);
if (report.violations.length > shown.length) process.stdout.write(`  ... and ${report.violations.length - shown.length} more\n`);
process.exit(report.violations.length === 0 ? 0 : 1);
