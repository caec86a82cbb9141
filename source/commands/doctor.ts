/**
 * `mj-tui doctor [--json]`: check, in order, everything a sync and a download
 * need, and say for each step ok / warning / problem with the fix. Exit 0
 * when sync and download would work, else the sysexits code of the first
 * blocking problem. Never prints a secret.
 */
import {ExitCode} from '../core/errors.js';
import {stripTerminalControls} from '../core/terminal-text.js';
import type {FlagDefinitions} from '../args/flags.js';
import {localChecks, runDoctorChecks, type DoctorCheck} from './doctor-checks.js';
import {parseCommandArgs, wantsJson, writeLine} from './shared.js';
import type {Command} from './types.js';

const doctorFlags = {} as const satisfies FlagDefinitions;

const help = `Usage: mj-tui doctor [--json]

Checks, in order: config files; credentials; the token's expiry and a real
refresh; the account id; the API through the direct route and (when Chrome or
Chromium is found) the browser route, Cloudflare's challenge included; one
listing page (unknown fields, odd jobs); one CDN file; one page of likes
(/api/explore-likes: whether it answers and its shape; blocking only with
--likes); free disk space at the archive; the archive's schema and PRAGMA
quick_check.

Prints each step as ok / warning / problem with the fix. Exit 0 when sync and
download would work, else the exit code of the first blocking problem
(77 auth, 69 unreachable or challenged, 65 bad data, 78 config, 74 disk).

  --json   one JSON object: {ok, exitCode, checks: [{step, status, detail, fix}]}`;

const statusWidth = 8;
const stepWidth = 15;

function checkLines(check: DoctorCheck): string[] {
	const lines = [`${check.status.padEnd(statusWidth)} ${check.step.padEnd(stepWidth)} ${stripTerminalControls(check.detail)}`];
	if (check.fix && check.status !== 'ok') lines.push(`${' '.repeat(statusWidth + stepWidth + 2)}fix: ${stripTerminalControls(check.fix)}`);
	return lines;
}

export const doctorCommand: Command = {
	name: 'doctor',
	summary: 'Check config, credentials, token refresh, the API (direct and browser route), a listing page, a CDN file, disk and archive',
	flags: doctorFlags,
	async run(context) {
		const {flags} = parseCommandArgs('doctor', context.argv, doctorFlags);
		if (flags.help) {
			await writeLine(context, help);
			return ExitCode.ok;
		}
		const checks = [...(await runDoctorChecks(context.config, context.io.env, context.signal)), ...localChecks(context.config)];
		const blocking = checks.find(check => check.status === 'problem');
		const exitCode = blocking?.exitCode ?? ExitCode.ok;
		if (wantsJson(context.config, flags)) {
			await writeLine(context, JSON.stringify({ok: !blocking, exitCode, checks}));
		} else {
			for (const check of checks) for (const line of checkLines(check)) await writeLine(context, line);
			await writeLine(context, blocking ? `Sync or downloads would fail: ${blocking.step} (exit ${exitCode}).` : 'All set: sync and downloads should work.');
		}
		return exitCode;
	},
};

export default doctorCommand;
