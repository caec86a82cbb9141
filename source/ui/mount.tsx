/**
 * Mounting the app (loaded by run.tsx once React's build is chosen): opens the
 * archive and the engine, switches to the alternate screen, mounts Ink (capped
 * frame rate, incremental rendering) and restores the terminal on every way
 * out: quit, Ctrl-C, SIGTERM/SIGHUP, and crashes.
 */
import React, {Component, useEffect, useState, type ReactNode} from 'react';
import {render, Text, useApp} from 'ink';
import {claimArchiveNow, type WriterClaim} from '../core/archive/claims.js';
import {ArchiveStore} from '../core/archive/store.js';
import type {Config} from '../core/config/config.js';
import {createDownloadEngine} from '../core/downloads/engine.js';
import {ExitCode, MjError} from '../core/errors.js';
import {toSingleLine} from '../core/terminal-text.js';
import type {ApiSession} from '../core/midjourney/api-session.js';
import {detectRenderer} from '../core/preview/detect.js';
import {PreviewService} from '../core/preview/preview-service.js';
import {BackgroundHasher} from '../core/similar/background-hasher.js';
import {App} from './app.js';
import {errorLine} from './error-line.js';
import {FramePacer, inkMaxFps} from './frame-pacer.js';
import {engineUnderClaim, openWithSystemViewer, type TuiServices} from './services.js';
import {TerminalGraphics} from './terminal-graphics.js';
import {boundYoungGeneration} from './young-generation.js';

export interface TuiOptions {
	config: Config;
	stdin?: NodeJS.ReadStream;
	stdout?: NodeJS.WriteStream;
}

/** Alternate screen on; Ink hides the cursor itself. */
const enterScreen = '\u001B[?1049h\u001B[H';
/** Cursor visible, attributes reset, alternate screen off: the shell is back as it was. */
const leaveScreen = '\u001B[0m\u001B[?25h\u001B[?1049l';
const clearScreen = '\u001B[2J\u001B[H';

/** Follows the terminal's size so the layout changes with it. */
function Sized({stdout, children}: {stdout: NodeJS.WriteStream; children: (columns: number, rows: number) => ReactNode}) {
	const [size, setSize] = useState({columns: stdout.columns || 80, rows: stdout.rows || 24});
	useEffect(() => {
		const onResize = () => setSize({columns: stdout.columns || 80, rows: stdout.rows || 24});
		stdout.on('resize', onResize);
		return () => {
			stdout.off('resize', onResize);
		};
	}, [stdout]);
	return <>{children(size.columns, size.rows)}</>;
}

/** A render error ends the app with that error instead of Ink's full-screen stack trace. */
class CrashGuard extends Component<{onCrash: (error: Error) => void; children: ReactNode}, {failed: boolean}> {
	override state = {failed: false};
	static getDerivedStateFromError() {
		return {failed: true};
	}
	override componentDidCatch(error: Error) {
		this.props.onCrash(error);
	}
	override render() {
		return this.state.failed ? <Text>mj-tui stopped after an internal error.</Text> : this.props.children;
	}
}

/** The guard with Ink's exit at hand: a crash unmounts the app with the error. */
function Guarded({onCrash, children}: {onCrash: (error: Error) => void; children: ReactNode}) {
	const {exit} = useApp();
	return (
		<CrashGuard
			onCrash={(error) => {
				onCrash(error);
				setImmediate(() => exit(error));
			}}
		>
			{children}
		</CrashGuard>
	);
}

/** Mount the Ink app and resolve with the exit code once the user quits. */
export async function mountTui(options: TuiOptions): Promise<number> {
	const stdin = options.stdin ?? process.stdin;
	const stdout = options.stdout ?? process.stdout;
	const {config} = options;
	if (!stdin.isTTY || !stdout.isTTY) {
		throw new MjError('The interactive app needs a terminal on stdin and stdout.', {
			exitCode: ExitCode.usage,
			hint: 'use --batch (or a subcommand) in scripts and pipes',
		});
	}

	// Opening a big archive (or migrating one) takes a moment: the screen says so until the first frame.
	stdout.write(`${enterScreen}mj-tui: opening the archive at ${toSingleLine(config.archive)}…`);
	let store: ArchiveStore;
	try {
		store = ArchiveStore.open(config.archive);
	} catch (error) {
		stdout.write(leaveScreen);
		throw error;
	}
	stdout.write(clearScreen);
	const unboundYoungGeneration = boundYoungGeneration();
	// Hashing on the UI thread costs ~0.7 ms per MiB; a hashing worker would cost ~11 MiB of the app's memory.
	// Perceptual hashes (similar, families, dedupe) of the files the app downloads, in a nice-19 child as batch runs
	// make them: the app lives long, so what a quit leaves unhashed is rare, and verify fills it in.
	const perceptual = config.perceptualHashes ? new BackgroundHasher(store) : undefined;
	const engine = createDownloadEngine(store, config, {hashOnMainThread: true, onFilesRecorded: perceptual && ((ids) => perceptual.add(ids))});
	let session: Promise<ApiSession> | undefined;
	// Taken on the first download and held until quit; while another process writes the archive, downloads are refused with its name.
	let claim: WriterClaim | undefined;
	const claimedEngine = engineUnderClaim(engine, () => {
		claim ??= claimArchiveNow(store, 'downloading files in the interactive app');
	});
	const services: TuiServices = {
		archive: store,
		engine: claimedEngine,
		// The API client loads on the first sync: the first frame does not wait for it.
		async sync({signal, onProgress}) {
			const [{openApiSession}, {syncJobs}] = await Promise.all([import('../core/midjourney/api-session.js'), import('../core/sync.js')]);
			// Saved tokens and the browser route, as in batch mode; the browser (if any) opens on the first sync.
			if (!session) {
				const opening = openApiSession(config, {env: process.env});
				session = opening;
				// A failed start (no browser, no token) is shown by the sync; the next sync tries again.
				opening.catch(() => {
					if (session === opening) session = undefined;
				});
			}
			return syncJobs(store, (await session).client, {signal, onProgress, pageSize: config.pageSize, likes: config.likes});
		},
		openImage: (absolutePath) => openWithSystemViewer(absolutePath),
	};

	// Ink draws through this: frames paced to 15 fps (frame-pacer.ts); anything written straight to stdout flushes it first.
	const frames = new FramePacer(stdout);
	const graphics = new TerminalGraphics(frames, stdout);
	services.graphics = graphics;
	let previews: PreviewService | undefined;
	let restored = false;
	const restore = () => {
		if (restored) return;
		restored = true;
		frames.flush();
		previews?.close();
		// Kitty images live in the terminal until deleted.
		stdout.write(graphics.close() + leaveScreen);
	};
	// Asked on the alternate screen (entered above), which is cleared after: a terminal that prints a query it does not know leaves nothing behind.
	const previewChoice = await detectRenderer(config.preview, process.env, {input: stdin, output: stdout});
	stdout.write(clearScreen);
	if (previewChoice.renderer !== 'off') {
		previews = new PreviewService({archiveDir: config.archive, choice: previewChoice, cdnBase: config.cdnBase, userAgent: config.userAgent, ...(config.cookie ? {cookie: config.cookie} : {})});
		services.previews = previews;
	}

	let crash: Error | null = null;
	let signalCode: number | undefined;
	// A second q (or a signal) while transfers stop: leave without waiting for them.
	let forced = false;
	// Registered before Ink's own listener: a resize wipes the screen and makes Ink draw the next frame whole,
	// because the terminal may have scrolled under Ink's idea of where its lines are.
	let instance: ReturnType<typeof render> | undefined;
	const onResize = () => {
		instance?.clear();
		frames.flush();
		stdout.write(clearScreen);
	};
	stdout.on('resize', onResize);
	instance = render(
		<Sized stdout={stdout}>
			{(columns, rows) => (
				<Guarded
					onCrash={(error) => {
						crash = error;
					}}
				>
					<App
						services={services}
						frames={frames}
						columns={columns}
						rows={rows}
						onQuit={(force) => {
							forced ||= force;
						}}
					/>
				</Guarded>
			)}
		</Sized>,
		{stdin: frames.watchInput(stdin), stdout: frames.stream, maxFps: inkMaxFps, incrementalRendering: true, exitOnCtrlC: false, patchConsole: true},
	);

	const onSignal = (signal: NodeJS.Signals, number: number) => () => {
		signalCode = 128 + number;
		forced = true;
		instance.unmount();
	};
	const onFatal = (error: unknown) => {
		crash = error instanceof Error ? error : new Error(String(error));
		try {
			instance.unmount();
		} catch {}
		restore();
	};
	// Last resort on 'exit': whatever ends the process, the shell gets its screen back.
	const handlers: Array<[string, (...args: any[]) => void]> = [
		['SIGTERM', onSignal('SIGTERM', 15)],
		['SIGHUP', onSignal('SIGHUP', 1)],
		['SIGINT', onSignal('SIGINT', 2)],
		['uncaughtException', onFatal],
		['unhandledRejection', onFatal],
		['exit', restore],
	];
	for (const [event, handler] of handlers) process.on(event, handler);

	try {
		await instance.waitUntilExit();
	} catch (error) {
		crash ??= error instanceof Error ? error : new Error(String(error));
	} finally {
		stdout.off('resize', onResize);
		restore();
		unboundYoungGeneration();
		for (const [event, handler] of handlers) process.off(event, handler);
		// Transfers stop keeping their partials (quit already waited for them unless forced).
		await engine.stop({immediate: forced || crash !== null}).catch(() => {});
		// The file in hand is abandoned (its child ends): quitting never waits for a decode.
		await perceptual?.stop().catch(() => {});
		await session?.then(opened => opened.close()).catch(() => {});
		claim?.release();
		// A forced stop may leave a finished file's bookkeeping in flight; the process exit closes the database after it.
		if (!forced) store.close();
	}
	if (crash) {
		process.stderr.write(`mj-tui: internal error: ${errorLine(crash)}\n`);
		return ExitCode.software;
	}
	return signalCode ?? ExitCode.ok;
}
