/**
 * No silent exits. Node ends a process whose event loop has drained even
 * while a promise still waits (exit 13, nothing printed): a timer someone
 * forgot to keep alive turns into a run that dies without a word. Every run
 * the CLI starts registers here; if the loop drains while one is pending,
 * the guard says what was pending and exits 70 instead.
 */
import {ExitCode} from './errors.js';
import {safeText} from './log.js';

interface PendingEntry {
	what: string;
	/** What it was waiting for at that moment (counts, states), when the owner can tell. */
	describe?: () => string;
}

const pending = new Map<number, PendingEntry>();
let nextId = 1;

/** Register a run (batch, a command, the app) as pending; call the returned function when it settles. */
export function beginPendingWork(what: string, describe?: () => string): () => void {
	const id = nextId++;
	pending.set(id, {what, describe});
	return () => void pending.delete(id);
}

/** What is pending now, one line each (for the guard's message and for tests). */
export function pendingWorkDescriptions(): string[] {
	return [...pending.values()].map((entry) => {
		let detail = '';
		try {
			detail = entry.describe?.() ?? '';
		} catch {}
		return detail ? `${entry.what} (${detail})` : entry.what;
	});
}

/**
 * Install the guard on `process`: on 'beforeExit' with work pending, report
 * it on `stderr` and exit 70. Returns a function that removes the guard.
 */
export function guardAgainstSilentExit(target: NodeJS.Process, stderr: NodeJS.WritableStream): () => void {
	const onBeforeExit = (): void => {
		if (pending.size === 0) return;
		const lines = [
			'mj-tui: internal error: the run stopped making progress while work was still pending, and the process would have ended without a word:',
			...pendingWorkDescriptions().map((line) => `  pending: ${line}`),
			'  hint: nothing stored is lost (partial downloads are kept); run again to continue, and please report this with --verbose output',
		];
		stderr.write(`${safeText(lines.join('\n'))}\n`);
		target.exit(ExitCode.software);
	};
	target.on('beforeExit', onBeforeExit);
	return () => void target.off('beforeExit', onBeforeExit);
}
