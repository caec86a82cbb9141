/**
 * For the cli, config and batch tests: an io object whose streams record what
 * runCli writes, a temp home + project folder, and a runner for the built bin.
 */
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {PassThrough, Writable} from 'node:stream';
import type {CliIo} from '../../source/cli/run-cli.js';

export interface CapturedIo extends CliIo {
	out(): string;
	err(): string;
}

class Capture extends Writable {
	text = '';
	isTTY: boolean;
	columns = 100;

	constructor(isTTY: boolean) {
		super();
		this.isTTY = isTTY;
	}

	override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
		this.text += chunk.toString();
		callback();
	}
}

/** io for runCli with recording stdout/stderr (not terminals unless `tty`). */
export function captureIo(options: {cwd: string; env: NodeJS.ProcessEnv; tty?: boolean; signal?: AbortSignal}): CapturedIo {
	const stdout = new Capture(Boolean(options.tty));
	const stderr = new Capture(Boolean(options.tty));
	return {
		stdout,
		stderr,
		stdin: new PassThrough(),
		env: options.env,
		cwd: options.cwd,
		signal: options.signal,
		out: () => stdout.text,
		err: () => stderr.text,
	};
}

export interface Sandbox {
	root: string;
	/** $HOME; the user config folder is home/.config/mj-tui. */
	home: string;
	userConfigDir: string;
	/** A project folder holding a package.json (where the project search stops). */
	project: string;
	/** A minimal env: HOME only, so the developer's real config and MJ_TUI_* never leak in. */
	env: NodeJS.ProcessEnv;
}

/** A fresh temp home and project. */
export function sandbox(): Sandbox {
	const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mj-tui-cli-')));
	const home = path.join(root, 'home');
	const userConfigDir = path.join(home, '.config', 'mj-tui');
	const project = path.join(root, 'project');
	fs.mkdirSync(userConfigDir, {recursive: true});
	fs.mkdirSync(project, {recursive: true});
	fs.writeFileSync(path.join(project, 'package.json'), '{"name": "someone-elses-project"}\n');
	return {root, home, userConfigDir, project, env: {HOME: home}};
}

export const repoRoot = path.resolve(import.meta.dirname, '..', '..');
/** The installed command: the bundle of the compiled sources (scripts/bundle.mjs). */
export const builtBin = path.join(repoRoot, 'dist', 'bin', 'cli.js');

export interface ChildResult {
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
}

/** Run the built bin as a child process (node, no tsx) and collect its output. */
export function runBin(args: string[], options: {cwd: string; env: NodeJS.ProcessEnv}): Promise<ChildResult> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [builtBin, ...args], {cwd: options.cwd, env: {PATH: process.env.PATH, ...options.env}, stdio: ['ignore', 'pipe', 'pipe']});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', chunk => (stdout += chunk));
		child.stderr.on('data', chunk => (stderr += chunk));
		child.on('error', reject);
		child.on('close', (code, signal) => resolve({code, signal, stdout, stderr}));
	});
}
