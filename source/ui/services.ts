/**
 * What the app drives: the archive it reads, the download engine, a sync run
 * and the system image opener. run.tsx wires the real ones; tests pass real
 * archives and engines too, with their own sync and opener where needed.
 */
import {spawn} from 'node:child_process';
import type {DownloadControls} from '../core/downloads/types.js';
import type {PreviewService} from '../core/preview/preview-service.js';
import type {SyncProgress, SyncSummary} from '../core/sync.js';
import type {ArchiveSource} from './archive-source.js';
import type {GraphicsOutput} from './terminal-graphics.js';

export interface TuiServices {
	archive: ArchiveSource;
	engine: DownloadControls;
	/** One incremental sync; resolves with its summary or rejects with the error to show. */
	sync(options: {signal: AbortSignal; onProgress: (progress: SyncProgress) => void}): Promise<SyncSummary>;
	/** Show an image: the system viewer where there is a display, else tell its path. Returns the line to show. */
	openImage(absolutePath: string): string;
	/** Pictures for the details pane and `v`; absent when previews are off. */
	previews?: PreviewService;
	/** Where graphics escapes go (kitty images, sixel and iTerm2 pictures); absent: nothing outside the frame. */
	graphics?: GraphicsOutput;
}

/** Engine calls that start transfers: each needs the archive's writer claim first. */
const writingCalls = new Set<PropertyKey>(['enqueueMissing', 'retry', 'retryFailed']);

/**
 * The engine behind the archive's writer claim: the first call that would
 * download takes it (`takeClaim` throws, naming the holder, while another
 * process writes the archive), so the app browses and searches read-only
 * and refuses downloads with that message instead of fetching files twice.
 */
export function engineUnderClaim(engine: DownloadControls, takeClaim: () => void): DownloadControls {
	return new Proxy(engine, {
		get(target, key) {
			const value = Reflect.get(target, key, target) as unknown;
			if (typeof value !== 'function') return value;
			if (!writingCalls.has(key)) return value.bind(target);
			return (...args: unknown[]) => {
				takeClaim();
				return value.apply(target, args);
			};
		},
	});
}

/** True when a graphical opener can show a window: macOS, or X11/Wayland on Linux and BSD. */
export function hasDisplay(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): boolean {
	if (platform === 'darwin') return true;
	if (platform === 'win32') return false;
	return Boolean(env['DISPLAY'] || env['WAYLAND_DISPLAY']);
}

/** Open with xdg-open/open, detached so the viewer outlives nothing of ours; over SSH, show the path instead. */
export function openWithSystemViewer(absolutePath: string, env: NodeJS.ProcessEnv = process.env): string {
	if (!hasDisplay(env)) return `image: ${absolutePath}`;
	const opener = process.platform === 'darwin' ? 'open' : 'xdg-open';
	try {
		const child = spawn(opener, [absolutePath], {detached: true, stdio: 'ignore'});
		// A missing opener must not crash the app; the path is still useful.
		child.on('error', () => {});
		child.unref();
		return `opened ${absolutePath}`;
	} catch {
		return `image: ${absolutePath}`;
	}
}
