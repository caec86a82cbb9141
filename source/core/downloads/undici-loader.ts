/**
 * undici loads on the first transfer, not with the engine: it is ~200 files
 * and well over 100 ms of module loading, which the TUI's first frame (and a
 * run with nothing to download) should not wait for.
 */
let loading: Promise<typeof import('undici')> | undefined;

/** The undici module, imported once on first use. */
export function loadUndici(): Promise<typeof import('undici')> {
	return (loading ??= import('undici'));
}
