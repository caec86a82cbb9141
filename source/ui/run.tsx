/**
 * The interactive app's entry point, called by cli.tsx for `mj-tui` without a
 * subcommand. React and Ink load only here, after choosing React's production
 * build: the development build costs ~100 ms at start and several ms per frame.
 */
import type {Config} from '../core/config.js';

export interface TuiOptions {
	config: Config;
	stdin?: NodeJS.ReadStream;
	stdout?: NodeJS.WriteStream;
}

/** Mount the Ink app and resolve with the exit code once the user quits. */
export async function runTui(options: TuiOptions): Promise<number> {
	process.env['NODE_ENV'] ??= 'production';
	// Node 22+ keeps compiled modules on disk, so later starts skip most of the cost of loading Ink and React.
	const nodeModule = (await import('node:module')) as {enableCompileCache?: () => unknown};
	nodeModule.enableCompileCache?.();
	const {mountTui} = await import('./mount.js');
	return mountTui(options);
}
