/**
 * A real archive for the archive-tools tests: the stand-in's jobs synced by the
 * real client and their images fetched by the real download engine, plus a
 * way to run one subcommand with captured output.
 */
import {Writable, PassThrough} from 'node:stream';
import {startStandIn} from '../../fixtures/stand-in.js';
import type {StandIn} from '../../fixtures/types.js';
import {ArchiveStore} from '../../source/core/archive/store.js';
import type {Config} from '../../source/core/config/config.js';
import {runDownloads} from '../../source/core/downloads/run.js';
import {fillPerceptualHashes} from '../../source/core/similar/fill-hashes.js';
import {MidjourneyClient} from '../../source/core/midjourney/client.js';
import {syncJobs} from '../../source/core/sync.js';
import type {Command} from '../../source/commands/types.js';
import {exitCodeOf, MjError} from '../../source/core/errors.js';
import {runCli} from '../../source/cli/run-cli.js';
import {standInConfig, temporaryArchive} from './mj-setup.js';

export interface ToolsArchive {
	standIn: StandIn;
	store: ArchiveStore;
	config: Config;
	dir: string;
	close(): Promise<void>;
}

/** Sync `jobs` jobs from a fresh stand-in (with `likedOthers`, its likes too) and download every image; call close() when done. */
export async function syncedArchive(jobs = 36, options: {likedOthers?: number} = {}): Promise<ToolsArchive> {
	const standIn = await startStandIn({jobs, seed: 5, likedOthers: options.likedOthers});
	const dir = temporaryArchive();
	const config = standInConfig(standIn, {archive: dir, videos: false, concurrency: 4});
	const store = ArchiveStore.open(dir);
	const client = new MidjourneyClient(config);
	await syncJobs(store, client, {pagePauseMs: 0, likes: options.likedOthers !== undefined});
	await client.close();
	const summary = await runDownloads({store, config});
	if (summary.failed > 0) throw new Error(`set-up downloads failed: ${JSON.stringify(summary.failures)}`);
	// A run hashes images only while it has time to spare and leaves the rest to verify; on a busy machine that can be
	// most of them. The tools (similar, dedupe, MCP) are tested on the archive as verify leaves it: every image hashed.
	await fillPerceptualHashes(store);
	const close = async () => {
		store.close();
		await standIn.close();
	};
	return {standIn, store, config, dir, close};
}

export interface CommandResult {
	code: number;
	stdout: string;
	stderr: string;
	error?: MjError;
}

function capturingIo(cwd: string) {
	const output = {stdout: '', stderr: ''};
	const sink = (key: 'stdout' | 'stderr') =>
		new Writable({
			write(chunk, _encoding, done) {
				output[key] += String(chunk);
				done();
			},
		});
	return {output, io: {stdout: sink('stdout'), stderr: sink('stderr'), stdin: new PassThrough(), env: {HOME: cwd, XDG_CONFIG_HOME: cwd}, cwd}};
}

/** Run a subcommand's run() directly (exit code, captured stdout/stderr; MjError → its exit code). */
export async function runCommand(command: Command, argv: string[], config: Config, cwd = process.cwd()): Promise<CommandResult> {
	const {output, io} = capturingIo(cwd);
	try {
		const code = await command.run({io, config, argv, signal: new AbortController().signal});
		return {code, ...output};
	} catch (error) {
		if (!(error instanceof MjError)) throw error;
		return {code: exitCodeOf(error), ...output, error};
	}
}

/** Run the real CLI entry (registry, global flags, config loading) with captured output. */
export async function runMjTui(argv: string[], cwd: string): Promise<CommandResult> {
	const {output, io} = capturingIo(cwd);
	const code = await runCli(argv, io);
	return {code, ...output};
}
