/**
 * Run a command under `/usr/bin/time -v` (pinned as the CPU mode says) and
 * read back what the kernel counted for it: wall time, peak RSS, and user +
 * system CPU seconds of it and its children.
 */
import {spawn} from 'node:child_process';
import {pinnedCommand, type CpuMode} from './cpus.js';

export interface TimedRun {
	wallMs: number;
	/** Peak resident set size, KiB. */
	rssKiB: number;
	/** User + system CPU seconds of the whole process (its threads and children included). */
	cpuSeconds: number;
	exitCode: number | null;
	stdout: string;
	stderr: string;
}

/** Run `command args` under /usr/bin/time -v; rejects when it fails (unless `allowFailure`) or time's report is missing. */
export async function timed(mode: CpuMode, command: string, args: readonly string[], options: {cwd?: string; env?: NodeJS.ProcessEnv; allowFailure?: boolean} = {}): Promise<TimedRun> {
	return new Promise((resolve, reject) => {
		const started = performance.now();
		const child = spawn('/usr/bin/time', ['-v', ...pinnedCommand(mode, command, args).flat()], {cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe']});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
		child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		child.on('exit', (code) => {
			const wallMs = performance.now() - started;
			const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
			const user = /User time \(seconds\): ([\d.]+)/.exec(stderr);
			const system = /System time \(seconds\): ([\d.]+)/.exec(stderr);
			if ((code !== 0 && !options.allowFailure) || !rss || !user || !system) reject(new Error(`${command} exited ${code}: ${stderr.slice(-2000)}`));
			else resolve({wallMs, rssKiB: Number(rss[1]), cpuSeconds: Number(user[1]) + Number(system[1]), exitCode: code, stdout, stderr});
		});
	});
}

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
