/**
 * A real terminal for end-to-end tests: a tmux server on a private socket
 * running a plain shell with a known prompt, driven with send-keys and read
 * with capture-pane. Waits poll the screen until a condition holds.
 */
import {execFile} from 'node:child_process';
import {promisify} from 'node:util';

const run = promisify(execFile);
let sessions = 0;

export const shellPrompt = 'e2e$ ';

export class TmuxTerminal {
	readonly socket: string;

	private constructor(socket: string) {
		this.socket = socket;
	}

	/** A shell in a `columns`x`rows` window (no status line: the program gets every row). */
	static async start(columns: number, rows: number): Promise<TmuxTerminal> {
		const terminal = new TmuxTerminal(`mj-tui-e2e-${process.pid}-${++sessions}`);
		await terminal.tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'main', '-x', String(columns), '-y', String(rows), `env PS1='${shellPrompt}' sh`);
		await terminal.tmux('set-option', '-g', 'status', 'off');
		await terminal.waitFor((screen) => screen.includes(shellPrompt.trim()), 'the shell prompt');
		return terminal;
	}

	async tmux(...args: string[]): Promise<string> {
		const {stdout} = await run('tmux', ['-L', this.socket, ...args]);
		return stdout;
	}

	/** Type a command line and press Enter. */
	async command(line: string): Promise<void> {
		await this.tmux('send-keys', '-t', 'main', '-l', line);
		await this.tmux('send-keys', '-t', 'main', 'Enter');
	}

	/** One key, by tmux name (j, Tab, BTab, Enter, Escape, C-c, End). */
	async key(name: string): Promise<void> {
		await this.tmux('send-keys', '-t', 'main', name);
	}

	/** Literal text, as if typed. */
	async type(text: string): Promise<void> {
		await this.tmux('send-keys', '-t', 'main', '-l', text);
	}

	async screen(options: {escapes?: boolean} = {}): Promise<string> {
		return this.tmux('capture-pane', '-p', '-t', 'main', ...(options.escapes ? ['-e'] : []));
	}

	/** tmux formats such as #{alternate_on}, #{cursor_flag}, #{pane_pid}. */
	async format(format: string): Promise<string> {
		return (await this.tmux('display-message', '-p', '-t', 'main', format)).trim();
	}

	/** Poll the screen until `predicate` holds; fails with the last screen after `timeoutMs`. */
	async waitFor(predicate: (screen: string) => boolean, what: string, timeoutMs = 15_000): Promise<string> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const screen = await this.screen();
			if (predicate(screen)) return screen;
			if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${screen}`);
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
	}

	/** Press a key and wait for what it should show. */
	async press(name: string, predicate: (screen: string) => boolean, what: string, timeoutMs?: number): Promise<string> {
		await this.key(name);
		return this.waitFor(predicate, what, timeoutMs);
	}

	async kill(): Promise<void> {
		await this.tmux('kill-server').catch(() => {});
	}
}
