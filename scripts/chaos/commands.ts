/**
 * How a chaos round starts its command: the installed binary as a child
 * process (batch, verify --repair, import --copy, export), or the
 * interactive app in a tmux pane (sync, then D for every missing file).
 * Each gives the same handle: send a signal, and how it ended.
 */
import {execFile} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import type {StandIn} from '../../fixtures/types.js';
import {startBin, type BinOutcome} from '../../test/helpers/bin-run.js';
import {builtBin} from '../../test/helpers/cli-io.js';
import type {RoundPlan} from './plan.js';
import type {Workspace} from './workspace.js';

const run = promisify(execFile);

/** A round's running command. */
export interface RunningCommand {
	args: string[];
	/** Whether the last stdout line must be a JSON summary with the exit code (batch --json). */
	summary: boolean;
	/** Whether it prints one JSON document last (every --json command). */
	json: boolean;
	signal(name: NodeJS.Signals): void;
	/** Ask it to end as a user would once its work is done (the app: q; a command ends by itself). */
	finish(): void;
	/** Resolves when its work has begun (the app: once D was pressed); the round's instant counts from here. */
	started: Promise<void>;
	ended: Promise<BinOutcome>;
}

/** How long any command may run before it counts as hung. */
export const hangDeadlineMs = 90_000;

/** Start the plan's command against the stand-in. */
export async function startCommand(plan: RoundPlan, standIn: StandIn, space: Workspace, env: NodeJS.ProcessEnv): Promise<RunningCommand> {
	const child = (args: string[], summary = false): RunningCommand => {
		const started = startBin(args, {cwd: space.project, env, deadlineMs: hangDeadlineMs});
		return {args, summary, json: args.includes('--json'), signal: name => started.child.kill(name), finish() {}, started: Promise.resolve(), ended: started.ended};
	};

	switch (plan.command) {
		case 'batch': {
			return child(['--batch', '--json', ...plan.flags], true);
		}

		case 'verify-repair': {
			return child(['verify', '--repair', '--json']);
		}

		case 'export': {
			const format = (['csv', 'json', 'jsonl', 'html', 'dataset'] as const)[plan.round % 5]!;
			return child(['export', '--format', format, '--out', path.join(space.exports, `round-${plan.round}.${format}`), '--json']);
		}

		case 'import-copy': {
			const folder = path.join(space.inbox, `round-${plan.round}`);
			fs.mkdirSync(folder, {recursive: true});
			// Files as the website saves them (`user_prompt_<job id>_<index>.png`), with the CDN's bytes.
			const jobs = standIn.jobs().slice(plan.round % 6, (plan.round % 6) + 3);
			for (const job of jobs) {
				for (const file of standIn.filePaths(job.id).filter(name => /\/0_\d\.png$/.test(name)).slice(0, 2)) {
					const index = /0_(\d)\.png$/.exec(file)![1];
					fs.writeFileSync(path.join(folder, `chaos_saved_${job.id}_${index}.png`), standIn.fileBytes(file));
				}
			}
			return child(['import', folder, '--copy', '--json']);
		}

		case 'tui': {
			return startTui(space, env, standIn);
		}
	}
}

/** The interactive app in a detached tmux pane that stays after it exits, so its status can be read. */
async function startTui(space: Workspace, env: NodeJS.ProcessEnv, standIn: StandIn): Promise<RunningCommand> {
	const socket = `mj-tui-chaos-${process.pid}`;
	const tmux = async (...args: string[]) => (await run('tmux', ['-L', socket, ...args], {env: {...process.env, TERM: 'xterm-256color'}})).stdout;
	const assignments = Object.entries({PATH: process.env.PATH, ...env}).map(([key, value]) => `${key}=${shellQuote(String(value))}`);
	const line = `cd ${shellQuote(space.project)} && exec env -i ${assignments.join(' ')} TERM=xterm-256color ${shellQuote(process.execPath)} ${shellQuote(builtBin)}`;
	// The pane must outlive the app before the app starts: an app that exits at once would otherwise take the
	// session (and the tmux server) with it before remain-on-exit is set. So hold the pane, set it, then start.
	await tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'main', '-x', '120', '-y', '32', 'sleep 3600');
	await tmux('set-option', '-t', 'main', 'remain-on-exit', 'on');
	await tmux('respawn-pane', '-k', '-t', 'main', line);
	const pid = Number((await tmux('display-message', '-p', '-t', 'main', '#{pane_pid}')).trim());
	const screen = async () => tmux('capture-pane', '-p', '-t', 'main').catch(() => '');
	// tmux 3.3 leaves #{pane_dead_signal} empty: a pane that died without a status died of the signal we sent.
	let sent: NodeJS.Signals | undefined;
	let begun: () => void = () => undefined;
	const started = new Promise<void>(resolve => (begun = resolve));
	const ended = (async (): Promise<BinOutcome> => {
		const deadline = Date.now() + hangDeadlineMs;
		// Sync (s) once the app takes keys, again until the listing is asked for; then D once the sync ended.
		let stage: 'starting' | 'syncing' | 'synced' | 'downloading' = 'starting';
		let pressedAt = 0;
		const press = async (key: string) => {
			await tmux('send-keys', '-t', 'main', key);
			pressedAt = Date.now();
		};
		for (;;) {
			const [dead, status, signal] = (await tmux('display-message', '-p', '-t', 'main', '#{pane_dead} #{pane_dead_status} #{pane_dead_signal}').catch(() => '1 0 ')).trim().split(' ');
			if (dead === '1') {
				const last = await screen();
				await tmux('kill-server').catch(() => undefined);
				const died = signal ? signalName(signal) : (status ? null : (sent ?? null));
				return {code: status ? Number(status) : null, signal: died, stdout: '', stderr: last, hung: false, args: ['(interactive app)']};
			}

			const shown = await screen();
			const listed = standIn.requests().some(entry => entry.route === 'api');
			if (stage === 'starting' && shown.includes('q/^C quit')) {
				await press('s');
				stage = 'syncing';
			} else if (stage === 'syncing' && listed) {
				stage = 'synced';
			} else if (stage === 'syncing' && Date.now() - pressedAt > 1000) {
				await press('s');
			} else if (stage === 'synced' && !/sync idle|syncing/.test(shown)) {
				await press('D');
				stage = 'downloading';
				begun();
			}

			if (Date.now() > deadline) {
				process.kill(pid, 'SIGKILL');
				const last = await screen();
				await tmux('kill-server').catch(() => undefined);
				return {code: null, signal: 'SIGKILL', stdout: '', stderr: last, hung: true, args: ['(interactive app)']};
			}

			await new Promise(resolve => setTimeout(resolve, 100));
		}
	})();
	return {
		args: ['(interactive app)'],
		summary: false,
		json: false,
		signal(name) {
			sent = name;
			process.kill(pid, name);
		},
		finish: () => void tmux('send-keys', '-t', 'main', 'q').catch(() => undefined),
		started,
		ended,
	};
}

/** tmux gives a signal as a number (9) or a name (KILL). */
function signalName(tmuxSignal: string): NodeJS.Signals {
	const byNumber = Object.entries(os.constants.signals).find(([, number]) => String(number) === tmuxSignal);
	return (byNumber?.[0] ?? `SIG${tmuxSignal}`) as NodeJS.Signals;
}

function shellQuote(text: string): string {
	return `'${text.replaceAll("'", `'\\''`)}'`;
}
