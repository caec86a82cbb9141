/**
 * Shared by the TUI's component tests: a real archive in a temp dir filled
 * with the stand-in's generated jobs, key sequences as a terminal sends them,
 * and a wait for the frame to change (never a fixed sleep).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {ArchiveStore} from '../../source/core/archive/store.js';
import type {ApiJob} from '../../source/core/job.js';
import {generateJobs} from '../../fixtures/jobs.js';

export const keys = {
	down: '\u001B[B',
	up: '\u001B[A',
	pageDown: '\u001B[6~',
	pageUp: '\u001B[5~',
	home: '\u001B[H',
	end: '\u001B[F',
	tab: '\t',
	shiftTab: '\u001B[Z',
	enter: '\r',
	escape: '\u001B',
	backspace: '\u007F',
	ctrlC: '\u0003',
	ctrlU: '\u0015',
	ctrlW: '\u0017',
} as const;

export interface TestArchive {
	store: ArchiveStore;
	dir: string;
	jobs: ApiJob[];
	cleanup(): void;
}

/** A real SQLite archive in a temp dir holding `count` generated jobs (newest first) plus `extra` ones. */
export function makeArchive(count: number, extra: ApiJob[] = []): TestArchive {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-tui-ui-'));
	const store = ArchiveStore.open(dir);
	const jobs = [...extra, ...generateJobs(count)];
	store.upsertJobs(jobs);
	return {
		store,
		dir,
		jobs,
		cleanup() {
			store.close();
			fs.rmSync(dir, {recursive: true, force: true});
		},
	};
}

/** Poll the latest frame until `predicate` holds; fails with the last frame after `timeoutMs`. */
export async function waitForFrame(lastFrame: () => string | undefined, predicate: (frame: string) => boolean, timeoutMs = 5000): Promise<string> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const frame = lastFrame() ?? '';
		if (predicate(frame)) return frame;
		if (Date.now() > deadline) throw new Error(`frame never matched; last frame:\n${frame}`);
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

/** Write one key and wait until the frame differs from before (the key took effect). */
export async function press(instance: {stdin: {write(data: string): void}; lastFrame: () => string | undefined}, key: string, until?: (frame: string) => boolean): Promise<string> {
	const before = instance.lastFrame();
	instance.stdin.write(key);
	return waitForFrame(instance.lastFrame, until ?? ((frame) => frame !== before));
}
