/**
 * The chaos run's world: one sandbox (home, project, the archive, an import
 * inbox, an exports folder) kept across rounds, like a real user's archive,
 * on a tmpfs when root may mount one so a round can fill the disk; and the
 * stand-in, restarted each round on the same port unless the plan moves it.
 */
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {startStandIn} from '../../fixtures/stand-in.js';
import type {StandIn} from '../../fixtures/types.js';
import {tokenStateDir} from '../../test/helpers/archive-invariants.js';
import {mountSmallDisk, type SmallDisk} from '../../test/helpers/small-disk.js';

export const standInShape = {jobs: 24, imageBytes: 16 * 1024, seed: 7};

/** New jobs upstream per round, so every round has new files to fetch (the same ones for the same round, whatever the port). */
export const jobsPerRound = 6;

export interface Workspace {
	root: string;
	home: string;
	project: string;
	archive: string;
	/** Folders import --copy reads from. */
	inbox: string;
	/** Where export writes. */
	exports: string;
	/** The file that fills the disk in a disk-full round. */
	filler: string;
	/** Why rounds cannot fill the disk here, if they cannot. */
	noSmallDisk?: string;
	/** Files outside the archive that the run may create. */
	allowed(): string[];
	/** Fill the disk, leaving `leaveBytes` free. */
	fill(leaveBytes: number): void;
	/** Free the space fill() took. */
	unfill(): void;
	remove(): void;
}

/**
 * A fresh workspace, on a 1 GiB tmpfs when possible: one archive grows through every round (300 rounds reach
 * ~6,000 files plus exports and copies), and a 256 MiB one filled up for good around round 250.
 */
export function createWorkspace(): Workspace {
	const disk: SmallDisk | string = mountSmallDisk(1024 * 1024 * 1024);
	const root = typeof disk === 'string' ? fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mj-tui-chaos-'))) : disk.dir;
	const home = path.join(root, 'home');
	const project = path.join(root, 'project');
	const inbox = path.join(root, 'inbox');
	const exports = path.join(root, 'exports');
	for (const dir of [path.join(home, '.config', 'mj-tui'), project, inbox, exports]) fs.mkdirSync(dir, {recursive: true});
	fs.writeFileSync(path.join(project, 'package.json'), '{"name": "chaos-sandbox"}\n');
	const filler = path.join(root, 'filler');
	return {
		root,
		home,
		project,
		archive: path.join(project, 'mj-archive'),
		inbox,
		exports,
		filler,
		noSmallDisk: typeof disk === 'string' ? disk : undefined,
		allowed: () => [path.join(project, 'package.json'), path.join(home, '.config'), tokenStateDir(home), inbox, exports, filler],
		fill(leaveBytes) {
			const {bavail, bsize} = fs.statfsSync(root);
			const take = bavail * bsize - leaveBytes;
			const chunk = Buffer.alloc(1024 * 1024);
			// The command writes at the same time: the disk may fill before the filler does, and that is the point.
			try {
				for (let written = 0; written < take; written += chunk.length) fs.appendFileSync(filler, chunk.subarray(0, Math.min(chunk.length, take - written)));
			} catch (error) {
				if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
			}
		},
		unfill() {
			fs.rmSync(filler, {force: true});
		},
		remove() {
			if (typeof disk === 'string') fs.rmSync(root, {recursive: true, force: true});
			else disk.unmount();
		},
	};
}

/**
 * The stand-in of round `round` (its account grown by jobsPerRound a round)
 * on `port` (API; the CDN on port + 1), or on a fresh free pair when port is undefined.
 */
export async function startChaosStandIn(round: number, port: number | undefined): Promise<StandIn> {
	const standIn = await listenSomewhere(port);
	standIn.addJobs(jobsPerRound * Math.max(0, round - 1));
	return standIn;
}

async function listenSomewhere(port: number | undefined): Promise<StandIn> {
	if (port !== undefined) return startStandIn({...standInShape, port});
	for (let attempt = 0; ; attempt++) {
		// Ports are not a seeded choice: they only have to be free.
		const candidate = 20_000 + Math.floor(Math.random() * 40_000);
		try {
			return await startStandIn({...standInShape, port: candidate});
		} catch (error) {
			if (attempt > 20 || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
		}
	}
}

/** The API port of a running stand-in. */
export function portOf(standIn: StandIn): number {
	return Number(new URL(standIn.apiBase).port);
}

/** Whether tmux can start a server here (the TUI rounds need it), or why not. */
export function tmuxProblem(): string | undefined {
	const socket = `mj-tui-chaos-probe-${process.pid}`;
	try {
		execFileSync('tmux', ['-L', socket, '-f', '/dev/null', 'new-session', '-d', '-s', 'probe', 'sleep 5'], {stdio: 'pipe'});
		execFileSync('tmux', ['-L', socket, 'kill-server'], {stdio: 'pipe'});
		return undefined;
	} catch (error) {
		return `tmux cannot start a server here: ${String((error as {stderr?: Buffer}).stderr ?? error).trim()}`;
	}
}
