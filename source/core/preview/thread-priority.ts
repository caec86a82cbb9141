/**
 * Pictures are made on threads that share the cores with the UI's main
 * thread: libvips' workers (sharp's decode and scale). On a one-core box a
 * key arriving while a picture was being made got its frame late: the core
 * was split with them (bench:tui `--cpus 1`, scroll with previews on: `j`
 * p95 27-51 ms, and 24-30 ms with those threads at the lowest priority).
 * Linux keeps a nice value per thread, so those threads alone are lowered:
 * they take what the UI leaves, and all of an idle core. Elsewhere (no
 * /proc/self/task) this does nothing.
 */
import fs from 'node:fs';
import os from 'node:os';

export const lowestPriority = 19;

/** Thread ids already looked at (lowered, or not an image thread). */
const seen = new Set<string>();
let unsupported = process.platform !== 'linux';

/** Lower libvips' worker threads that appeared since the last call (they are kept and reused, so this finds new ones rarely). */
export function lowerImageThreads(): void {
	if (unsupported) return;
	let tasks: string[];
	try {
		tasks = fs.readdirSync('/proc/self/task');
	} catch {
		unsupported = true;
		return;
	}
	for (const tid of tasks) {
		if (seen.has(tid)) continue;
		seen.add(tid);
		try {
			if (fs.readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim() === 'libvips worker') os.setPriority(Number(tid), lowestPriority);
		} catch {
			// The thread ended between the listing and now.
		}
	}
}
