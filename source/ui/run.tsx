/**
 * CONTRACT: the interactive app's entry point, called by cli.tsx; being implemented.
 */
import type {Config} from '../core/config.js';

export interface TuiOptions {
	config: Config;
	stdin?: NodeJS.ReadStream;
	stdout?: NodeJS.WriteStream;
}

/** Mount the Ink app and resolve with the exit code once the user quits. */
export async function runTui(options: TuiOptions): Promise<number> {
	throw new Error('not implemented');
}
