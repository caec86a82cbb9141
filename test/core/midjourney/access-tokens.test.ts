/**
 * Tokens that last, through the installed binary: a cron job given only a
 * refresh token, against a token endpoint that checks the key (the shipped
 * default must be the right one) and revokes each refresh token once used.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import {startStandIn} from '../../../fixtures/stand-in.js';
import type {StandIn} from '../../../fixtures/types.js';
import {ArchiveStore} from '../../../source/core/archive/store.js';
import {defaultConfig} from '../../../source/core/config/config.js';
import {builtBin, runBin, sandbox, type Sandbox} from '../../helpers/cli-io.js';

test.before(t => {
	if (!fs.existsSync(builtBin)) t.fail(`${builtBin} is missing: run npm run build (npm test does) first`);
});

function refreshRequests(standIn: StandIn): number {
	return standIn.requests().filter(request => request.route === 'token').length;
}

/** Every file in `dir`, recursively. */
function filesUnder(dir: string): string[] {
	if (!fs.existsSync(dir)) return [];
	return fs.readdirSync(dir, {recursive: true, withFileTypes: true}).filter(entry => entry.isFile()).map(entry => path.join(entry.parentPath, entry.name));
}

function baseEnv(box: Sandbox, standIn: StandIn): NodeJS.ProcessEnv {
	return {...box.env, MJ_TUI_API_BASE: standIn.apiBase, MJ_TUI_CDN_BASE: standIn.cdnBase, MJ_TUI_TOKEN_BASE: standIn.tokenBase, MJ_TUI_PAGE_PAUSE_MS: '0'};
}

function summary(stdout: string): {exitCode: number; jobsSeen: number; jobsNew: number} {
	return JSON.parse(stdout.trim().split('\n').at(-1)!) as {exitCode: number; jobsSeen: number; jobsNew: number};
}

test('a cron job with only a refresh token: the default key refreshes once, later runs use the kept token, and the rotated refresh token outlives the revoked one', async t => {
	const standIn = await startStandIn({jobs: 20, tokenApiKey: defaultConfig.tokenApiKey, revokeUsedRefreshTokens: true});
	t.teardown(() => standIn.close());
	const box = sandbox();
	const env = {...baseEnv(box, standIn), MJ_TUI_REFRESH_TOKEN: standIn.refreshToken};
	const archive = path.join(box.root, 'archive');
	const run = () => runBin(['--batch', '--no-download', '--json', '--archive', archive], {cwd: box.project, env});

	const first = await run();
	t.is(first.code, 0, first.stderr);
	t.is(summary(first.stdout).jobsSeen, 20);
	t.is(refreshRequests(standIn), 1, 'the first run refreshes once, with the shipped key');

	const stateFile = path.join(box.home, '.local', 'state', 'mj-tui', 'tokens.json');
	t.is(fs.statSync(stateFile).mode & 0o777, 0o600);
	t.is(fs.statSync(path.dirname(stateFile)).mode & 0o077, 0, 'the state folder is private too');
	const saved = fs.readFileSync(stateFile, 'utf8');
	const kept = JSON.parse(saved) as {accounts: Record<string, {token: string; refreshToken: string}>};
	const entry = kept.accounts[standIn.apiBase]!;
	t.truthy(entry.token);
	t.not(entry.refreshToken, standIn.refreshToken, 'the rotated refresh token is kept');

	standIn.addJobs(3);
	const second = await run();
	t.is(second.code, 0, second.stderr);
	t.is(summary(second.stdout).jobsNew, 3);
	t.is(refreshRequests(standIn), 1, 'the next run uses the kept token and refreshes no more');

	// An hour later: the kept token has expired; the configured refresh token was revoked when it was used.
	fs.writeFileSync(stateFile, JSON.stringify({...kept, accounts: {[standIn.apiBase]: {...entry, token: standIn.issueToken(-60)}}}));
	standIn.addJobs(2);
	const third = await run();
	t.is(third.code, 0, third.stderr);
	t.is(summary(third.stdout).jobsNew, 2);
	t.is(refreshRequests(standIn), 2, 'the expired kept token is refreshed with the rotated refresh token');
	t.is(fs.statSync(stateFile).mode & 0o777, 0o600, 'rewritten with the same private mode');

	const store = ArchiveStore.open(archive);
	t.is(store.countJobs(), 25);
	store.close();

	// No secret anywhere but in the state file: not in any output, not in its neighbours, not in the archive.
	const latest = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as typeof kept;
	const secrets = [standIn.refreshToken, entry.token, entry.refreshToken, latest.accounts[standIn.apiBase]!.token, latest.accounts[standIn.apiBase]!.refreshToken];
	const outputs = [first, second, third].flatMap(result => [result.stdout, result.stderr]).join('\n');
	const neighbours = [...filesUnder(path.dirname(stateFile)).filter(file => file !== stateFile), ...filesUnder(archive)];
	t.deepEqual(filesUnder(path.dirname(stateFile)), [stateFile], 'no temp file is left beside the state file');
	for (const secret of secrets) {
		t.false(outputs.includes(secret), 'a token in the output');
		for (const file of neighbours) t.false(fs.readFileSync(file).includes(secret), `a token in ${file}`);
	}
});

test('a wrong tokenApiKey is named as such (exit 77), and a token pasted later wins over the kept one', async t => {
	const standIn = await startStandIn({jobs: 5});
	t.teardown(() => standIn.close());
	const box = sandbox();
	const archive = path.join(box.root, 'archive');
	const env = {...baseEnv(box, standIn), MJ_TUI_REFRESH_TOKEN: standIn.refreshToken};
	// The stand-in's key is not the shipped default here: the endpoint answers 400 as Google does.
	const refused = await runBin(['--batch', '--no-download', '--json', '--archive', archive], {cwd: box.project, env});
	t.is(refused.code, 77);
	t.regex(refused.stderr, /refused the tokenApiKey \(HTTP 400: API key not valid\).*MJ_TUI_TOKEN_API_KEY/);
	t.false(refused.stderr.includes(standIn.refreshToken));

	const fixed = await runBin(['--batch', '--no-download', '--json', '--archive', archive], {cwd: box.project, env: {...env, MJ_TUI_TOKEN_API_KEY: standIn.tokenApiKey}});
	t.is(fixed.code, 0, fixed.stderr);
	// A new sign-in pasted by the user (another refresh token, a valid token) is used as given, not the kept lineage.
	const pasted = await runBin(['--batch', '--no-download', '--json', '--archive', archive], {cwd: box.project, env: {...baseEnv(box, standIn), MJ_TUI_TOKEN: standIn.issueToken(3600)}});
	t.is(pasted.code, 0, pasted.stderr);
	t.is(standIn.requests().filter(request => request.route === 'token').length, 2, 'only the two runs with the old refresh token refreshed');
});
