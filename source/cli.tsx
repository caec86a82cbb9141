#!/usr/bin/env node
/**
 * The mj-tui executable: wire the real process to runCli (source/cli/run-cli.ts)
 * and set the exit code. Signals abort the run; nothing here calls
 * process.exit() on the normal path, so output is flushed before exiting.
 */
// First: sizes libuv's threadpool for the download engine before any async fs call starts it.
import './core/downloads/threadpool.js';
import process from 'node:process';
import {reportError} from './cli/report-error.js';
import {runCli} from './cli/run-cli.js';
import {abortOnSignals} from './cli/signals.js';
import {beginPendingWork, guardAgainstSilentExit} from './core/pending-work.js';

const controller = new AbortController();
const removeSignalHandlers = abortOnSignals(controller, process.stderr);
const verbose = process.argv.includes('--verbose');

// `mj-tui search cat | head -1`: the reader left; stop quietly instead of dying with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
	stream.on('error', (error: NodeJS.ErrnoException) => {
		if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
		throw error;
	});
}

// A stray rejection in a library must still end as `mj-tui: ...`, redacted, with an exit code.
process.on('unhandledRejection', error => {
	process.exitCode = reportError(process.stderr, error, {verbose});
});

// Should the event loop ever drain before the run settles, say so and exit 70 instead of Node's silent 13.
guardAgainstSilentExit(process, process.stderr);
const runSettled = beginPendingWork('the mj-tui run');
const code = await runCli(process.argv.slice(2), {
	stdout: process.stdout,
	stderr: process.stderr,
	stdin: process.stdin,
	env: process.env,
	cwd: process.cwd(),
	signal: controller.signal,
});
runSettled();
removeSignalHandlers();
process.exitCode = code;
