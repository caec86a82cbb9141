/**
 * Colours used by the panes. With NO_COLOR set (https://no-color.org) every
 * colour is undefined, so Ink emits none; bold/inverse/dim still mark state.
 */
export interface Theme {
	accent?: string;
	ok?: string;
	warn?: string;
	error?: string;
	muted?: string;
	/** True when colours are off, so views can fall back to symbols. */
	plain: boolean;
}

const colours: Theme = {accent: 'cyan', ok: 'green', warn: 'yellow', error: 'red', muted: 'gray', plain: false};
const plain: Theme = {plain: true};

/** The theme for this environment: plain when NO_COLOR is set to anything non-empty. */
export function themeFor(env: NodeJS.ProcessEnv = process.env): Theme {
	return env['NO_COLOR'] ? plain : colours;
}
