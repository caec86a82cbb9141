/**
 * Development launcher for the TUI: starts the Midjourney stand-in in this
 * process and runs runTui against it, like `mj-tui --demo`.
 * Usage: tsx test/helpers/ui-dev-launcher.ts <archive-dir>
 * Env: MJ_TUI_DEMO_JOBS (default 300), MJ_TUI_DEMO_FAULTS (JSON array of faults).
 */
import path from 'node:path';
import {startStandIn} from '../../fixtures/stand-in.js';
import type {Fault} from '../../fixtures/types.js';
import {defaultConfig} from '../../source/core/config.js';
import {runTui} from '../../source/ui/run.js';

const archive = path.resolve(process.argv[2] ?? 'mj-archive-dev');
const standIn = await startStandIn({jobs: Number(process.env['MJ_TUI_DEMO_JOBS'] ?? 300)});
for (const fault of JSON.parse(process.env['MJ_TUI_DEMO_FAULTS'] ?? '[]') as Fault[]) standIn.setFault(fault);
try {
	process.exitCode = await runTui({
		config: {
			...defaultConfig,
			archive,
			apiBase: standIn.apiBase,
			cdnBase: standIn.cdnBase,
			tokenBase: standIn.tokenBase,
			tokenApiKey: standIn.tokenApiKey,
			token: standIn.token,
			refreshToken: standIn.refreshToken,
			userId: standIn.userId,
			pagePauseMs: 0,
		},
	});
} finally {
	await standIn.close();
}
