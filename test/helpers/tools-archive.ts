/**
 * A real archive for the archive-tools tests: the stand-in's jobs synced by the
 * real client and their images fetched by the real download engine, plus a
 * way to run one subcommand with captured output.
 */
import {Writable, PassThrough} from 'node:stream';
import type {ExecutionContext} from 'ava';
import {startStandIn} from '../../fixtures/stand-in.js';
import type {StandIn} from '../../fixtures/types.js';
import {ArchiveStore} from '../../source/core/archive/store.js';
import type {Config} from '../../source/core/config.js';
import {runDownloads} from '../../source/core/downloads/run.js';
import {MidjourneyClient} from '../../source/core/midjourney/client.js';
import {syncJobs} from '../../source/core/sync.js';
import type {Command} from '../../source/commands/types.js';
import {exitCodeOf, MjError} from '../../source/core/errors.js';
import {standInConfig, temporaryArchive} from './mj-setup.js';

export interface ToolsArchive {
	standIn: StandIn;
	store: ArchiveStore;
	config: Config;
	dir: string;
}

/** Sync `jobs` jobs from a fresh stand-in and download every image; torn down with the test. */
export async function syncedArchive(t: ExecutionContext, jobs = 36): Promise<ToolsArchive> {
	const standIn = await startStandIn({jobs, seed: 5});
	const dir = temporaryArchive();
	const config = standInConfig(standIn, {archive: dir, videos: false, concurrency: 4});
	const store = ArchiveStore.open(dir);
	const client = new MidjourneyClient(config);
	await syncJobs(store, client, {pagePauseMs: 0});
	await client.close();
	const summary = await runDownloads({store, config});
	if (summary.failed > 0) throw new Error(`set-up downloads failed: ${JSON.stringify(summary.failures)}`);
	t.teardown(async () => {
		store.close();
		await standIn.close();
	});
	return {standIn, store, config, dir};
}

export interface CommandResult {
	code: number;
	stdout: string;
	stderr: string;
	error?: MjError;
}

/** Run a subcommand as the CLI would (exit code, captured stdout/stderr; MjError → its exit code). */
export async function runCommand(command: Command, argv: string[], config: Config, cwd = process.cwd()): Promise<CommandResult> {
	let stdout = '';
	let stderr = '';
	const sink = (append: (text: string) => void) =>
		new Writable({
			write(chunk, _encoding, done) {
				append(String(chunk));
				done();
			},
		});
	const io = {
		stdout: sink(text => (stdout += text)),
		stderr: sink(text => (stderr += text)),
		stdin: new PassThrough(),
		env: {},
		cwd,
	};
	try {
		const code = await command.run({io, config, argv, signal: new AbortController().signal});
		return {code, stdout, stderr};
	} catch (error) {
		if (!(error instanceof MjError)) throw error;
		return {code: exitCodeOf(error), stdout, stderr, error};
	}
}
