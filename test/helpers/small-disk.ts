/**
 * A small tmpfs to fill up, for the disk-full tests and the chaos run. Only
 * root can mount one (as CI runs); elsewhere `mountSmallDisk` says why not,
 * and the caller skips with that reason. No ava imports.
 */
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface SmallDisk {
	/** The mount point. */
	dir: string;
	/** Resize the filesystem (e.g. to free space for a resume run). */
	resize(bytes: number): void;
	/** Unmount and remove the mount point. */
	unmount(): void;
}

/** Mount a tmpfs of `bytes`; a string says why it cannot be done here. */
export function mountSmallDisk(bytes: number): SmallDisk | string {
	if (process.platform !== 'linux') return `a tmpfs needs Linux (this is ${process.platform})`;
	if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root (CI runs as root)';
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-tui-small-disk-'));
	const mount = (options: string) => execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], {stdio: 'pipe'});
	try {
		mount(`size=${bytes}`);
	} catch (error) {
		fs.rmdirSync(dir);
		return `mount -t tmpfs failed: ${String((error as {stderr?: Buffer}).stderr ?? error).trim()}`;
	}

	let mounted = true;
	return {
		dir,
		resize(size) {
			execFileSync('mount', ['-o', `remount,size=${size}`, dir], {stdio: 'pipe'});
		},
		unmount() {
			if (!mounted) return;
			mounted = false;
			execFileSync('umount', ['-l', dir], {stdio: 'pipe'});
			fs.rmSync(dir, {recursive: true, force: true});
		},
	};
}

/** Why small disks cannot be mounted here (printed, so a skip is visible), or undefined when they can. */
export function smallDiskSkipReason(what: string): string | undefined {
	const probe = mountSmallDisk(1024 * 1024);
	if (typeof probe !== 'string') {
		probe.unmount();
		return undefined;
	}

	console.warn(`${what} skipped: ${probe}`);
	return probe;
}
