/**
 * `mj-tui --demo`: the local Midjourney stand-in started in this process on
 * 127.0.0.1, the config pointed at it, then the TUI (or batch with --batch).
 * A newcomer sees a real run without an account or any network beyond
 * loopback. Tests steer it with MJ_TUI_DEMO_JOBS and MJ_TUI_DEMO_FAULTS.
 */
import path from 'node:path';
import type {Fault, StandIn} from '../fixtures/types.js';
import type {Config} from './core/config/config.js';
import {overrideConfig, type LoadedConfig} from './core/config/load.js';
import {ExitCode, MjError} from './core/errors.js';
import type {Logger} from './core/log.js';
import type {RunOptions} from './cli/run-options.js';
import type {CommandIo} from './commands/types.js';

export interface DemoOptions {
	loaded: LoadedConfig;
	run: RunOptions;
	io: CommandIo;
	signal: AbortSignal;
	log: Logger;
}

/** Where the demo archives unless --archive says otherwise: subcommands given --demo read it there too. */
export function demoArchivePath(cwd: string): string {
	return path.resolve(cwd, 'mj-archive-demo');
}

/** Jobs the demo account holds unless MJ_TUI_DEMO_JOBS says otherwise. */
export const demoJobs = 300;

function demoError(message: string): MjError {
	return new MjError(message, {exitCode: ExitCode.usage});
}

/** MJ_TUI_DEMO_JOBS: a whole number from 1 to 1,000,000. */
export function demoJobCount(env: NodeJS.ProcessEnv): number {
	const text = env.MJ_TUI_DEMO_JOBS;
	if (text === undefined || text === '') return demoJobs;
	if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 1_000_000) {
		throw demoError(`MJ_TUI_DEMO_JOBS must be a whole number from 1 to 1000000; got ${JSON.stringify(text)}`);
	}
	return Number(text);
}

/** MJ_TUI_DEMO_FAULTS: a JSON array of stand-in Fault objects (see fixtures/types.ts). */
export function demoFaults(env: NodeJS.ProcessEnv): Fault[] {
	const text = env.MJ_TUI_DEMO_FAULTS;
	if (text === undefined || text === '') return [];
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch (error) {
		throw demoError(`MJ_TUI_DEMO_FAULTS is not valid JSON: ${(error as Error).message}`);
	}
	if (!Array.isArray(parsed) || !parsed.every(fault => typeof fault === 'object' && fault !== null && typeof (fault as {kind?: unknown}).kind === 'string')) {
		throw demoError('MJ_TUI_DEMO_FAULTS must be a JSON array of fault objects, e.g. [{"kind":"server-error","route":"cdn","count":1}]');
	}
	return parsed as Fault[];
}

/** The config values that point mj-tui at a stand-in (URLs, key, tokens, account). */
export function standInConfigValues(standIn: StandIn): Partial<Config> {
	return {
		apiBase: standIn.apiBase,
		cdnBase: standIn.cdnBase,
		tokenBase: standIn.tokenBase,
		tokenApiKey: standIn.tokenApiKey,
		token: standIn.token,
		refreshToken: standIn.refreshToken,
		userId: standIn.userId,
		// A real account's Cookie header would override the demo token.
		cookie: undefined,
	};
}

/** Start the stand-in, run the TUI or batch against it, stop it. */
export async function runDemo(options: DemoOptions): Promise<number> {
	const {loaded, run, io, signal, log} = options;
	const jobs = demoJobCount(io.env);
	const faults = demoFaults(io.env);
	// Imported here, so the stand-in (and sharp, which it uses) stays out of every non-demo start.
	const {startStandIn} = await import('../fixtures/stand-in.js');
	const standIn = await startStandIn({jobs});
	try {
		for (const fault of faults) standIn.setFault(fault);
		// Only an explicit --archive moves the demo archive: a configured one is the user's real archive.
		const archive = run.configFlags.archive === undefined ? demoArchivePath(io.cwd) : loaded.config.archive;
		const demo = overrideConfig(loaded, {...standInConfigValues(standIn), archive}, {source: 'demo'});
		log.info(`demo: a stand-in Midjourney with ${jobs} jobs at ${standIn.apiBase}; archiving into ${archive}`);
		if (run.batch) {
			const {runBatch} = await import('./batch/run.js');
			return await runBatch({config: demo.config, run, io, signal, log});
		}
		const {runInteractive} = await import('./cli/interactive.js');
		return await runInteractive(demo.config, io);
	} finally {
		await standIn.close();
	}
}
