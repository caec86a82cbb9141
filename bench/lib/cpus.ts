/**
 * `--cpus 1` for the benches: the small box an archive often lives on (one
 * slow core shared with other work). The measured programs (mj-tui and its
 * peers: curl, aria2c, the bare Ink+React load, raw SQLite loops) run under
 * `taskset -c 0`, and a burner process spins core 1 the whole time, so
 * nothing the measured program does can borrow the second core.
 *
 * The bench harness itself (tmux, the stand-in servers standing in for the
 * network and the far end) is not pinned: it plays the part of other
 * machines.
 *
 * Without `taskset` (util-linux) the bench says so and degrades: programs run
 * unpinned and the burner still spins, so the run measures "a busy machine",
 * not "one core".
 */
import {execFileSync, spawn, type ChildProcess} from 'node:child_process';
import os from 'node:os';

export interface CpuMode {
	/** 1 when `--cpus 1` was given; undefined runs on every core, as before. */
	cpus: 1 | undefined;
	/** True when taskset is there to pin (only meaningful with cpus: 1). */
	pinned: boolean;
	/** One line for the report: how the measured programs ran. */
	describe: string;
}

/** Read `--cpus <n>` from argv (only 1 is meaningful on the 2-core boxes these benches run on). */
export function cpuModeFromArgs(argv: readonly string[] = process.argv.slice(2)): CpuMode {
	const at = argv.findIndex((arg) => arg === '--cpus' || arg.startsWith('--cpus='));
	if (at === -1) return {cpus: undefined, pinned: false, describe: `all ${os.availableParallelism()} cores, unpinned`};
	const value = argv[at]!.includes('=') ? argv[at]!.split('=')[1] : argv[at + 1];
	if (value !== '1') {
		console.error(`--cpus: only 1 is supported (got ${value ?? 'nothing'})`);
		process.exit(64);
	}
	const pinned = hasTaskset();
	if (!pinned) console.error('--cpus 1: taskset (util-linux) is missing: programs run unpinned, with the burner spinning; the figures are "busy machine", not "one core"');
	return {
		cpus: 1,
		pinned,
		describe: pinned ? 'one core: measured programs under taskset -c 0, a burner spinning core 1' : 'taskset missing: unpinned, with a burner spinning one core',
	};
}

function hasTaskset(): boolean {
	try {
		execFileSync('taskset', ['-c', '0', 'true'], {stdio: 'ignore'});
		return true;
	} catch {
		return false;
	}
}

/** The command and arguments to spawn `command args` as the mode asks (behind `taskset -c 0` when pinned). */
export function pinnedCommand(mode: CpuMode, command: string, args: readonly string[] = []): [string, string[]] {
	return mode.cpus === 1 && mode.pinned ? ['taskset', ['-c', '0', command, ...args]] : [command, [...args]];
}

/** The same as a shell prefix ("taskset -c 0 " or ""), for command lines typed into a terminal. */
export function pinnedPrefix(mode: CpuMode): string {
	return mode.cpus === 1 && mode.pinned ? 'taskset -c 0 ' : '';
}

/**
 * Start the burner on core 1 (a node spinning a loop) when the mode asks for
 * it; returns a function that stops it. It runs at normal priority: a second
 * process that wants the CPU as much as the app does.
 */
export function startBurner(mode: CpuMode): () => void {
	if (mode.cpus !== 1) return () => {};
	const spin = ['-e', 'for (;;) {}'];
	const [command, args] = mode.pinned && os.availableParallelism() > 1 ? ['taskset', ['-c', '1', process.execPath, ...spin]] : [process.execPath, spin];
	const burner: ChildProcess = spawn(command, args, {stdio: 'ignore'});
	const stop = (): void => {
		if (burner.exitCode === null) burner.kill('SIGKILL');
	};
	process.once('exit', stop);
	return stop;
}
