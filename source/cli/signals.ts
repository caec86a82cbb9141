/**
 * SIGINT/SIGTERM for the real process: the first signal aborts the run's
 * AbortSignal (sync stops between pages, downloads keep their partials, state
 * is saved) and allows 2 s for that; a second signal, or the deadline, exits
 * at once. runCli never installs these: tests pass their own signal.
 */

/** The reason an interrupted run's signal carries; batch maps it to the exit code. */
export class Interrupted extends Error {
	constructor(readonly signalName: 'SIGINT' | 'SIGTERM') {
		super(`interrupted by ${signalName}`);
		this.name = 'Interrupted';
	}
}

const exitCodes = {SIGINT: 130, SIGTERM: 143} as const;

/** 128 + signal number, the shell's convention, when `signal` was aborted by one; else undefined. */
export function interruptedExitCode(signal: AbortSignal | undefined): number | undefined {
	return signal?.aborted && signal.reason instanceof Interrupted ? exitCodes[signal.reason.signalName] : undefined;
}

/** Hook SIGINT/SIGTERM to `controller`; returns a function that removes the hooks. */
export function abortOnSignals(controller: AbortController, stderr: NodeJS.WritableStream, graceMs = 2000): () => void {
	const onSignal = (signalName: 'SIGINT' | 'SIGTERM') => {
		if (controller.signal.aborted) {
			process.exit(exitCodes[signalName]);
		}
		controller.abort(new Interrupted(signalName));
		const deadline = setTimeout(() => {
			stderr.write('mj-tui: still stopping after 2 s; exiting now (partial downloads are kept)\n');
			process.exit(exitCodes[signalName]);
		}, graceMs);
		deadline.unref();
	};
	const onInt = () => onSignal('SIGINT');
	const onTerm = () => onSignal('SIGTERM');
	process.on('SIGINT', onInt);
	process.on('SIGTERM', onTerm);
	return () => {
		process.off('SIGINT', onInt);
		process.off('SIGTERM', onTerm);
	};
}
