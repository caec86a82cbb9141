/**
 * The chaos run: N seeded rounds against one archive, then a clean run that
 * must complete with exit 0 and exactly the stand-in's files, and `verify`
 * that must find nothing wrong. Collects every violation with its round and
 * seed. scripts/chaos.ts prints it; test/e2e/chaos.test.ts asserts on it.
 */
import {checkArchive, checkMatchesStandIn} from '../../test/helpers/archive-invariants.js';
import {exitProblems, lastJsonLine, runBinTo} from '../../test/helpers/bin-run.js';
import {hangDeadlineMs} from './commands.js';
import {movesPort, planRound, type FaultClass} from './plan.js';
import {chaosEnv, runRound, standInFor, type RoundResult} from './round.js';
import {createWorkspace, tmuxProblem, type Workspace} from './workspace.js';

export interface ChaosOptions {
	rounds: number;
	seed: number;
	/** Called with each line of progress (a round, a skipped capability, the final run). */
	log?: (line: string) => void;
}

export interface ChaosReport {
	seed: number;
	rounds: RoundResult[];
	/** Rounds each fault class was switched on in. */
	faultsHit: Partial<Record<FaultClass, number>>;
	/** Every violation, as `seed S round R: ...` (round "final" for the closing run). */
	violations: string[];
	/** Capabilities this machine lacked, and so the round kinds left out. */
	skipped: string[];
}

/** One line describing a finished round. */
export function describeRound(result: RoundResult, total: number): string {
	const {plan, outcome} = result;
	const how = outcome.hung ? 'HUNG' : outcome.signal ? `killed by ${outcome.signal}` : `exit ${outcome.code}`;
	const rows = Object.entries(result.report.rows).map(([status, count]) => `${count} ${status}`).join(', ') || 'no rows';
	const verdict = result.violations.length === 0 ? 'ok' : `${result.violations.length} VIOLATION(S)`;
	return `round ${plan.round}/${total}: ${plan.command}${plan.newPort ? ' (new port)' : ''} [${plan.faultClasses.join(', ')}] ${plan.ending}@${plan.atMs}ms -> ${result.ended}, ${how}; ${result.faultAnswers} fault answers; ${rows}, ${result.report.partials} partials: ${verdict}`;
}

/** Run the chaos rounds and the closing clean run. */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
	const log = options.log ?? (() => undefined);
	const space = createWorkspace();
	const noTmux = tmuxProblem();
	const report: ChaosReport = {seed: options.seed, rounds: [], faultsHit: {}, violations: [], skipped: []};
	if (space.noSmallDisk) report.skipped.push(`disk-full endings: ${space.noSmallDisk}`);
	if (noTmux) report.skipped.push(`interactive-app rounds: ${noTmux}`);
	for (const line of report.skipped) log(`skipped ${line}`);
	try {
		let port: number | undefined;
		for (let round = 1; round <= options.rounds; round++) {
			const move = movesPort(options.seed, round);
			const standIn = await standInFor(round, move, port);
			const files = standIn.jobs().flatMap(job => standIn.filePaths(job.id));
			const plan = planRound(options.seed, round, files, {tmux: noTmux === undefined, smallDisk: space.noSmallDisk === undefined});
			const result = await runRound(plan, space, standIn);
			port = result.port;
			report.rounds.push(result);
			for (const name of plan.faultClasses) report.faultsHit[name] = (report.faultsHit[name] ?? 0) + 1;
			for (const violation of result.violations) report.violations.push(`seed ${options.seed} round ${round}: ${violation}`);
			log(describeRound(result, options.rounds));
			for (const violation of result.violations) log(`  VIOLATION: ${violation}`);
		}

		const closing = await finalRun(space, options.rounds, port);
		for (const violation of closing) report.violations.push(`seed ${options.seed} round final: ${violation}`);
		log(`final clean run: ${closing.length === 0 ? 'exit 0, exactly the stand-in\'s files, verify clean' : `${closing.length} VIOLATION(S)`}`);
		for (const violation of closing.slice(0, 10)) log(`  VIOLATION: ${violation}`);
		if (closing.length > 10) log(`  ... and ${closing.length - 10} more`);
	} finally {
		space.remove();
	}

	return report;
}

/** No faults: batch must end 0 with exactly the stand-in's files, nothing left over, and verify must agree. */
async function finalRun(space: Workspace, rounds: number, port: number | undefined): Promise<string[]> {
	const standIn = await standInFor(rounds, false, port);
	try {
		const env = chaosEnv(space, standIn);
		const batch = await runBinTo(['--batch', '--json'], {cwd: space.project, env, deadlineMs: hangDeadlineMs});
		const problems = exitProblems(batch, {json: true}).map(problem => `batch: ${problem}`);
		if (batch.code !== 0) problems.push(`batch exited ${batch.code}, not 0: ${batch.stderr.trim().split('\n').slice(-3).join(' | ')}`);
		const verify = await runBinTo(['verify', '--json'], {cwd: space.project, env, deadlineMs: hangDeadlineMs});
		if (verify.code !== 0) problems.push(`verify exited ${verify.code}: ${JSON.stringify(lastJsonLine<{problems?: unknown[]}>(verify.stdout)?.problems?.slice(0, 5) ?? verify.stderr.trim())}`);
		problems.push(...checkArchive({archive: space.archive, sandboxRoot: space.root, allowed: space.allowed(), settled: true}).violations, ...checkMatchesStandIn(space.archive, standIn));
		return problems;
	} finally {
		await standIn.close();
	}
}
