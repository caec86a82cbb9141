/**
 * One fault through the installed binary, for test/e2e: a stand-in on
 * 127.0.0.1 with the faults switched on, a sandboxed home and project,
 * `mj-tui --batch --json` as a child process, then the archive invariants.
 * Every test asserts on what this returns (exit code, summary, report).
 */
import fs from 'node:fs';
import path from 'node:path';
import type {ExecutionContext} from 'ava';
import {startStandIn} from '../../fixtures/stand-in.js';
import type {Fault, StandIn} from '../../fixtures/types.js';
import type {BatchSummary} from '../../source/batch/run.js';
import {checkArchive, checkMatchesStandIn, tokenStateDir, type ArchiveReport} from './archive-invariants.js';
import {exitProblems, lastJsonLine, startBin, standInEnv, type BinOutcome, type BinRun} from './bin-run.js';
import {builtBin, sandbox, type Sandbox} from './cli-io.js';

export interface FaultRunOptions {
	/** Jobs in the stand-in's account (each has up to four files). */
	jobs?: number;
	imageBytes?: number;
	faults?: Fault[];
	/** More flags after `--batch --json`. */
	args?: string[];
	/** More MJ_TUI_* values. */
	env?: NodeJS.ProcessEnv;
	/** A run still alive after this is killed and fails the test as hung. */
	deadlineMs?: number;
	/** Put the archive here instead of <project>/mj-archive (e.g. on a small tmpfs). */
	archive?: string;
	/** false: the CDN serves bare PNGs without the website's text chunks (work for `embed`). */
	websiteMetadata?: boolean;
}

/** A stand-in and sandbox shared by the runs of one test. */
export interface FaultScene {
	standIn: StandIn;
	box: Sandbox;
	archive: string;
	env: NodeJS.ProcessEnv;
	/** Start `mj-tui --batch --json` (plus args) against the stand-in. */
	start(args?: string[]): BinRun;
}

export interface FaultRunResult {
	outcome: BinOutcome;
	summary: BatchSummary | undefined;
	report: ArchiveReport;
}

/** Fast retries, so a fault costs a few seconds, not minutes of back-off. */
const quickRetries = {MJ_TUI_RETRIES: '3', MJ_TUI_RETRY_AFTER_CAP_MS: '5000', MJ_TUI_STALL_TIMEOUT_MS: '2000'};

/** Fail the whole file at once when dist/ is missing, instead of every test obscurely. */
export function requireBuiltBin(t: ExecutionContext): void {
	if (!fs.existsSync(builtBin)) t.fail(`${builtBin} is missing: run npm run build (npm test does) first`);
}

/** A stand-in with the faults on and a sandbox; torn down after the test. */
export async function faultScene(t: ExecutionContext, options: FaultRunOptions = {}): Promise<FaultScene> {
	const standIn = await startStandIn({jobs: options.jobs ?? 10, imageBytes: options.imageBytes ?? 32 * 1024, websiteMetadata: options.websiteMetadata});
	for (const fault of options.faults ?? []) standIn.setFault(fault);
	const box = sandbox();
	const archive = options.archive ?? path.join(box.project, 'mj-archive');
	const env = {...box.env, ...standInEnv(standIn, {...quickRetries, ...options.env})};
	const running = new Set<BinRun>();
	t.teardown(async () => {
		for (const run of running) run.child.kill('SIGKILL');
		await Promise.all([...running].map(async run => run.ended));
		await standIn.close();
		fs.rmSync(box.root, {recursive: true, force: true});
	});
	return {
		standIn,
		box,
		archive,
		env,
		start(args = []) {
			const archiveFlag = options.archive === undefined ? [] : ['--archive', options.archive];
			const run = startBin(['--batch', '--json', ...archiveFlag, ...(options.args ?? []), ...args], {cwd: box.project, env, deadlineMs: options.deadlineMs ?? 60_000});
			running.add(run);
			void run.ended.then(() => running.delete(run), () => running.delete(run));
			return run;
		},
	};
}

/** Wait for a started run, then check how it ended and the archive it left. */
export async function finish(scene: FaultScene, run: BinRun, settled = false): Promise<FaultRunResult> {
	const outcome = await run.ended;
	const report = checkArchive({archive: scene.archive, sandboxRoot: scene.box.root, allowed: [path.join(scene.box.project, 'package.json'), tokenStateDir(scene.box.home)], settled});
	return {outcome, summary: lastJsonLine<BatchSummary>(outcome.stdout), report};
}

/** Run once with the faults on: the scene and how the run ended. */
export async function faultRun(t: ExecutionContext, options: FaultRunOptions = {}): Promise<FaultRunResult & {scene: FaultScene}> {
	const scene = await faultScene(t, options);
	return {scene, ...(await finish(scene, scene.start(), true))};
}

/**
 * The assertions every fault test makes: the exit code, no hang / exit 13 /
 * stack trace, the JSON summary as the last stdout line agreeing with it, and
 * every archive invariant.
 */
export function assertRun(t: ExecutionContext, result: FaultRunResult, expectedCode: number): void {
	const {outcome} = result;
	const context = `exit ${outcome.code} (signal ${outcome.signal})\nstderr:\n${outcome.stderr.slice(-3000)}`;
	t.deepEqual(exitProblems(outcome, {json: true}), [], context);
	t.is(outcome.code, expectedCode, context);
	t.deepEqual(result.report.violations, [], 'archive invariants');
}

/** After a run that should have got everything: exactly the stand-in's files, byte for byte. */
export function assertComplete(t: ExecutionContext, scene: FaultScene): void {
	t.deepEqual(checkMatchesStandIn(scene.archive, scene.standIn), [], 'the archive holds exactly the stand-in\'s files');
}

/** CDN requests that completed with `status`, for waiting on a run's progress from the test process. */
export function cdnAnswered(standIn: StandIn, status = 200): number {
	return standIn.requests().filter(entry => entry.route === 'cdn' && entry.status === status).length;
}

/** Poll until `condition` holds or the run ends; never a fixed sleep. */
export async function until(run: BinRun, condition: () => boolean, what: string): Promise<void> {
	let ended = false;
	void run.ended.then(() => (ended = true));
	while (!condition()) {
		if (ended) throw new Error(`the run ended before ${what}; stderr:\n${run.stderr()}`);
		await new Promise(resolve => setTimeout(resolve, 20));
	}
}
