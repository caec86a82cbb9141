/**
 * One chaos round: the stand-in with the plan's faults, the plan's command,
 * the plan's ending at its instant, then the checks: how the process ended
 * (no hang, no exit 13, no internal error, the JSON summary) and the
 * archive invariants (test/helpers/archive-invariants.ts).
 */
import type {StandIn} from '../../fixtures/types.js';
import {checkArchive, checkMatchesStandIn, type ArchiveReport} from '../../test/helpers/archive-invariants.js';
import {exitProblems, lastJsonLine, standInEnv, type BinOutcome} from '../../test/helpers/bin-run.js';
import {startCommand} from './commands.js';
import type {RoundPlan} from './plan.js';
import {portOf, startChaosStandIn, type Workspace} from './workspace.js';

export interface RoundResult {
	plan: RoundPlan;
	outcome: BinOutcome;
	/** The ending that really struck; `finished` when the command ended before its instant. */
	ended: RoundPlan['ending'] | 'finished';
	/** Answers the stand-in gave that were faults (error statuses and cut connections). */
	faultAnswers: number;
	report: ArchiveReport;
	violations: string[];
	/** The stand-in's API port this round (the next round reuses it unless its plan moves it). */
	port: number;
}

/** Short retries and stall detection, so faults cost seconds per round. */
export const chaosTimings = {MJ_TUI_RETRIES: '3', MJ_TUI_RETRY_AFTER_CAP_MS: '5000', MJ_TUI_STALL_TIMEOUT_MS: '1500'};

/** The env of every chaos command: the sandbox's home and the stand-in. */
export function chaosEnv(space: Workspace, standIn: StandIn): NodeJS.ProcessEnv {
	return {HOME: space.home, ...standInEnv(standIn, chaosTimings)};
}

/** Round `round`'s stand-in on the last round's port, or on a new one when `move` (or the old one is taken). */
export async function standInFor(round: number, move: boolean, port: number | undefined): Promise<StandIn> {
	if (move || port === undefined) return startChaosStandIn(round, undefined);
	return startChaosStandIn(round, port).catch(async () => startChaosStandIn(round, undefined));
}

/** Run one round in the workspace against its stand-in (closed here). */
export async function runRound(plan: RoundPlan, space: Workspace, standIn: StandIn): Promise<RoundResult> {
	for (const fault of plan.faults) standIn.setFault(fault);
	let ended: RoundResult['ended'] = 'finished';
	let outcome: BinOutcome;
	try {
		const command = await startCommand(plan, standIn, space, chaosEnv(space, standIn));
		let done = false;
		void command.ended.then(() => (done = true));
		await Promise.race([command.ended, command.started]);
		await Promise.race([command.ended, new Promise(resolve => setTimeout(resolve, plan.atMs))]);
		if (!done && plan.ending !== 'finish') ended = plan.ending;
		if (!done) {
			if (plan.ending === 'sigterm') command.signal('SIGTERM');
			else if (plan.ending === 'kill-9') command.signal('SIGKILL');
			else if (plan.ending === 'disk-full') space.fill(48 * 1024);
			else command.finish();
		}

		// The interactive app never ends by itself: once the disk is full, quit it as a user would.
		if (plan.command === 'tui' && plan.ending === 'disk-full') command.finish();
		outcome = await command.ended;
	} finally {
		space.unfill();
		await standIn.close();
	}

	if (process.env.CHAOS_DEBUG) {
		const served = standIn.requests().map(entry => `${entry.route} ${entry.path.slice(0, 70)} ${entry.range ?? ''} -> ${entry.status}`).join('\n');
		process.stderr.write(`--- round ${plan.round} stderr:\n${outcome!.stderr}\n--- stdout tail: ${outcome!.stdout.slice(-400)}\n--- served:\n${served}\n`);
	}

	const faultAnswers = standIn.requests().filter(entry => entry.status === 0 || entry.status >= 400).length;
	const report = checkArchive({archive: space.archive, sandboxRoot: space.root, allowed: space.allowed()});
	const violations = [...endingProblems(plan, ended, outcome), ...report.violations, ...checkMatchesStandIn(space.archive, standIn, {complete: false})];
	return {plan, outcome, ended, faultAnswers, report, violations, port: portOf(standIn)};
}

/** How the process ended, judged against what was done to it. */
function endingProblems(plan: RoundPlan, ended: RoundResult['ended'], outcome: BinOutcome): string[] {
	const batch = plan.command === 'batch';
	const problems = exitProblems(outcome, {json: batch && ended !== 'kill-9'});
	if (outcome.code === 70) problems.push('exit 70: an internal error');
	const selfEnded = outcome.signal === null && !outcome.hung;
	// Other --json commands print their JSON when they succeed or report problems (0, 1).
	if (!batch && plan.command !== 'tui' && selfEnded && (outcome.code === 0 || outcome.code === 1) && lastJsonLine(outcome.stdout) === undefined) {
		problems.push(`${plan.command} --json: the last stdout line is not JSON`);
	}

	// A SIGTERM racing the natural end may find the summary already printed: the summary's own exit code is checked instead.
	if (ended === 'sigterm' && batch && selfEnded && lastJsonLine<{interrupted?: boolean}>(outcome.stdout)?.interrupted === true && outcome.code !== 143) {
		problems.push(`SIGTERM interrupted it but it exited ${outcome.code}, not 143`);
	}

	if (selfEnded && outcome.code !== 74 && /ENOSPC|SQLITE_FULL|disk is full|no space left/i.test(outcome.stderr)) problems.push(`the disk filled up but it exited ${outcome.code}, not 74`);
	return problems.map(problem => `${plan.command}: ${problem}`);
}
