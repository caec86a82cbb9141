/**
 * The commented starter file `mj-tui config init` writes, generated from the
 * key table so every key is there with what it accepts and an example.
 * Everything is commented out: the file changes nothing until edited.
 */
import {defaultConfig} from './config.js';
import {allowedText, envName, keySpecs} from './keys.js';

/** YAML text of the starter config. */
export function starterConfig(): string {
	const lines = [
		'# mj-tui configuration (YAML). Uncomment a key to set it.',
		'# Order: defaults < this file (~/.config/mj-tui/) < a project .mj-tuirc* < MJ_TUI_* env < flags.',
		'# Relative paths here resolve against the folder of this file.',
		'# Keep this file private (mode 0600): it holds your tokens.',
		'#',
		'# Auth: `mj-tui login` signs in through a browser and saves the session for you',
		'# (in ~/.local/state/mj-tui/tokens.json). Without a browser: open www.midjourney.com',
		'# signed in, DevTools > Application > Cookies > https://www.midjourney.com and copy',
		'# __Host-Midjourney.AuthUserTokenV3_i (token) and ..._r (refreshToken; enough alone).',
		'# Then `mj-tui doctor` checks that sync and downloads work.',
		'',
	];
	for (const spec of keySpecs) {
		const current = defaultConfig[spec.key];
		lines.push(`# ${spec.summary}.`);
		lines.push(`# Allowed: ${allowedText(spec.type)}. Env: ${envName(spec.key)}.`);
		if (current !== undefined) lines.push(`# Default: ${JSON.stringify(current)}`);
		lines.push(`# ${spec.key}: ${spec.example}`, '');
	}
	return lines.join('\n');
}

