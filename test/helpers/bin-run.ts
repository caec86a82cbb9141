/**
 * The installed binary (dist/bin/cli.js) as a user runs it, for the e2e fault
 * tests and the chaos run: a child process pointed at a stand-in on 127.0.0.1,
 * with a hang deadline (a run still alive past it, and idle, is killed and
 * reported as hung), waits on what it prints, and its JSON summary. No ava imports: the
 * chaos script uses this too.
 */
import {spawn, type ChildProcess} from 'node:child_process';
import fs from 'node:fs';
import {builtBin} from './cli-io.js';
import {standInBaseEnv as standInEnv} from './mj-setup.js';
export {standInEnv};

/** How a run of the binary ended. */
export interface BinOutcome {
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
	/** The run outlived its deadline and was killed with SIGKILL. */
	hung: boolean;
	args: string[];
}

/** A running binary. */
export interface BinRun {
	child: ChildProcess;
	stdout(): string;
	stderr(): string;
	/** Resolves once stderr (or stdout) matches `pattern`; rejects if the run ends first. */
	saw(pattern: RegExp): Promise<void>;
	/** Resolves when the process has exited (or was killed at the deadline). */
	ended: Promise<BinOutcome>;
}


/** CPU time (clock ticks) a process has used, from /proc; undefined where there is none. */
function cpuTicks(pid: number | undefined): number | undefined {
	try {
		const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(')').at(-1)!.trim().split(' ');
		// utime and stime are fields 14 and 15; after the command name, the 12th and 13th.
		return Number(fields[11]) + Number(fields[12]);
	} catch {
		return undefined;
	}
}

/**
 * Call `hung` once the child has run `deadlineMs` without using any CPU in
 * the last stretch of it (waiting on nothing: a real hang), or 10 deadlines
 * in all (busy forever). A run that is slow because the machine is loaded
 * keeps using CPU and is not called hung.
 */
function hangWatch(child: ChildProcess, deadlineMs: number, hung: () => void): NodeJS.Timeout {
	const started = Date.now();
	let lastTicks = cpuTicks(child.pid);
	const timer = setInterval(() => {
		const ticks = cpuTicks(child.pid);
		const busy = ticks !== undefined && lastTicks !== undefined && ticks > lastTicks;
		lastTicks = ticks;
		if (!busy || Date.now() - started >= 10 * deadlineMs) {
			clearInterval(timer);
			hung();
		}
	}, deadlineMs);
	return timer;
}

/** Start `node dist/bin/cli.js ...args`; killed with SIGKILL once it idles (or runs on) past `deadlineMs`, see hangWatch. */
export function startBin(args: string[], options: {cwd: string; env: NodeJS.ProcessEnv; deadlineMs?: number}): BinRun {
	const child = spawn(process.execPath, [builtBin, ...args], {cwd: options.cwd, env: {PATH: process.env.PATH, ...options.env}, stdio: ['ignore', 'pipe', 'pipe']});
	let stdout = '';
	let stderr = '';
	let hung = false;
	let exited = false;
	const waiters = new Set<() => void>();
	const wake = () => {
		for (const waiter of waiters) waiter();
	};

	child.stdout!.on('data', chunk => {
		stdout += chunk;
		wake();
	});
	child.stderr!.on('data', chunk => {
		stderr += chunk;
		wake();
	});
	const deadline = hangWatch(child, options.deadlineMs ?? 90_000, () => {
		hung = true;
		child.kill('SIGKILL');
	});
	const ended = new Promise<BinOutcome>((resolve, reject) => {
		child.on('error', reject);
		child.on('close', (code, signal) => {
			exited = true;
			clearInterval(deadline);
			wake();
			resolve({code, signal, stdout, stderr, hung, args});
		});
	});

	const saw = async (pattern: RegExp) =>
		new Promise<void>((resolve, reject) => {
			const check = () => {
				if (pattern.test(stderr) || pattern.test(stdout)) {
					waiters.delete(check);
					resolve();
				} else if (exited) {
					waiters.delete(check);
					reject(new Error(`mj-tui ${args.join(' ')} ended before printing ${pattern}; stderr:\n${stderr}`));
				}
			};

			waiters.add(check);
			check();
		});

	return {child, stdout: () => stdout, stderr: () => stderr, saw, ended};
}

/** Run the binary to its end (or its deadline). */
export async function runBinTo(args: string[], options: {cwd: string; env: NodeJS.ProcessEnv; deadlineMs?: number}): Promise<BinOutcome> {
	return startBin(args, options).ended;
}

/** The last stdout line parsed as JSON, or undefined when it is missing or not JSON. */
export function lastJsonLine<T = Record<string, unknown>>(stdout: string): T | undefined {
	const line = stdout.trimEnd().split('\n').at(-1);
	if (line === undefined || line === '') return undefined;
	try {
		return JSON.parse(line) as T;
	} catch {
		return undefined;
	}
}

/** What went wrong with how a run ended, whatever its exit code: a hang, Node's silent 13, no JSON summary. Empty when fine. */
export function exitProblems(outcome: BinOutcome, options: {json: boolean}): string[] {
	const problems: string[] = [];
	if (outcome.hung) problems.push('hung past its deadline (killed)');
	if (outcome.code === 13) problems.push('exit 13: Node gave up on a pending promise (silent exit)');
	// Only --verbose may show a stack; anywhere else one is an uncaught crash.
	if (!outcome.args.includes('--verbose') && /^\s+at .+:\d+:\d+\)?$/m.test(outcome.stderr)) problems.push('a stack trace on stderr');
	if (options.json && outcome.signal === null && !outcome.hung) {
		const summary = lastJsonLine<{exitCode?: unknown}>(outcome.stdout);
		if (summary === undefined) problems.push('the last stdout line is not the JSON summary');
		else if (summary.exitCode !== outcome.code) problems.push(`the summary says exitCode ${String(summary.exitCode)}, the process exited ${outcome.code}`);
	}

	return problems;
}
