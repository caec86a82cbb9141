/**
 * The interactive app's entry point, called by cli.tsx for `mj-tui` without a
 * subcommand. React and Ink load only here, after choosing React's production
 * build: the development build costs ~100 ms at start and several ms per frame.
 */
import type {TuiOptions} from './mount.js';

let mountModule: Promise<typeof import('./mount.js')> | undefined;

/**
 * Start loading Ink, React and the app. The CLI calls this as soon as argv says
 * the interactive app is wanted, so loading overlaps the config file search.
 */
export function preloadTui(): Promise<typeof import('./mount.js')> {
	mountModule ??= (async () => {
		// Through a local: the bundle (scripts/bundle.mjs) defines process.env.NODE_ENV as a constant, and this must
		// still set it when the sources run unbundled (tsx, tests).
		const env = process.env;
		env['NODE_ENV'] ??= 'production';
		// Node 22+ keeps compiled modules on disk, so later starts skip most of the cost of loading Ink and React.
		const nodeModule = (await import('node:module')) as {enableCompileCache?: () => unknown};
		nodeModule.enableCompileCache?.();
		return import('./mount.js');
	})();
	return mountModule;
}

/** Mount the Ink app and resolve with the exit code once the user quits. */
export async function runTui(options: TuiOptions): Promise<number> {
	const {mountTui} = await preloadTui();
	return mountTui(options);
}
