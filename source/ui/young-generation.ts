/**
 * Keeps V8's young generation at most 8 MiB in the interactive app.
 *
 * Ink redraws by allocating thousands of short-lived objects per frame, and
 * V8 answers by growing the young generation to its maximum, 32 MiB (two 16
 * MiB semi-spaces), which with 16 transfers running took the app from ~190 to
 * ~230 MiB (bench:tui). `--max-semi-space-size` would bound it, but V8 reads it
 * only when the heap is created: a flag on the node command line, which a
 * package bin cannot portably pass (`env -S` is missing from BusyBox).
 * V8 does read the growth factor each time the young generation grows, so
 * after every garbage collection the factor is set to 1 (no growth) while the
 * young generation is at the cap and back to V8's default 2 below it (after
 * V8 shrinks it in a quiet moment, it can grow back to the cap). Measured on
 * Node 20; the flag exists in the V8 of Node 22 and 24 too (`node --v8-options`).
 */
import {PerformanceObserver} from 'node:perf_hooks';
import v8 from 'node:v8';

const capBytes = 8 * 1024 * 1024;
const defaultGrowthFactor = 2;

function youngGenerationBytes(): number {
	return v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
}

/** Start bounding the young generation; returns the function that stops it (and restores V8's default). */
export function boundYoungGeneration(): () => void {
	let factor = defaultGrowthFactor;
	const adjust = () => {
		const wanted = youngGenerationBytes() >= capBytes ? 1 : defaultGrowthFactor;
		if (wanted === factor) return;
		factor = wanted;
		v8.setFlagsFromString(`--semi-space-growth-factor=${factor}`);
	};

	const observer = new PerformanceObserver(adjust);
	observer.observe({entryTypes: ['gc']});
	adjust();
	return () => {
		observer.disconnect();
		if (factor !== defaultGrowthFactor) v8.setFlagsFromString(`--semi-space-growth-factor=${defaultGrowthFactor}`);
	};
}
