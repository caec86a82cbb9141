/**
 * `mj-tui doctor` through the installed binary against the stand-in: healthy
 * (both routes, chromium included), behind the browser check, with an
 * expired token and no refresh token, and with a malformed listing page.
 * Each names the problem, exits with its code, and prints no secret.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import {startStandIn} from '../../fixtures/stand-in.js';
import type {Fault, StandIn, StandInOptions} from '../../fixtures/types.js';
import {builtBin, runBin, sandbox, type ChildResult} from '../helpers/cli-io.js';

test.before(t => {
	if (!fs.existsSync(builtBin)) t.fail(`${builtBin} is missing: run npm run build (npm test does) first`);
});

interface Report {
	ok: boolean;
	exitCode: number;
	checks: Array<{step: string; status: string; detail: string; fix?: string; exitCode?: number}>;
}

/** Run doctor; `browser: false` hides chromium (an empty PATH: node is started by its full path). */
async function doctor(t: {teardown(fn: () => unknown): void}, options: StandInOptions, credentials: (standIn: StandIn) => NodeJS.ProcessEnv, extra: {browser?: boolean; json?: boolean; fault?: Fault} = {}): Promise<{standIn: StandIn; result: ChildResult; secrets: string[]}> {
	const standIn = await startStandIn({jobs: 15, ...options});
	t.teardown(() => standIn.close());
	if (extra.fault) standIn.setFault(extra.fault);
	const box = sandbox();
	const given = credentials(standIn);
	const env: NodeJS.ProcessEnv = {
		...box.env,
		MJ_TUI_API_BASE: standIn.apiBase,
		MJ_TUI_CDN_BASE: standIn.cdnBase,
		MJ_TUI_TOKEN_BASE: standIn.tokenBase,
		MJ_TUI_TOKEN_API_KEY: standIn.tokenApiKey,
		XDG_DATA_HOME: path.join(box.root, 'data'),
		...given,
		...(extra.browser ? {} : {PATH: path.join(box.root, 'no-browsers-here')}),
	};
	const args = ['doctor', '--archive', path.join(box.root, 'archive'), ...(extra.json === false ? [] : ['--json'])];
	const result = await runBin(args, {cwd: box.project, env});
	return {standIn, result, secrets: [standIn.token, standIn.refreshToken, ...Object.entries(given).filter(([name, value]) => /TOKEN|COOKIE/.test(name) && Boolean(value)).map(([, value]) => value!)]};
}

function report(result: ChildResult): Report {
	return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as Report;
}

function assertNoSecret(t: {false(value: boolean, message?: string): void}, result: ChildResult, secrets: string[]): void {
	for (const secret of secrets) t.false(`${result.stdout}\n${result.stderr}`.includes(secret), 'a secret in doctor\'s output');
}

test('doctor on a healthy stand-in: every step ok through both routes, a real refresh, exit 0', async t => {
	const {result, secrets, standIn} = await doctor(t, {}, standIn => ({MJ_TUI_TOKEN: standIn.token, MJ_TUI_REFRESH_TOKEN: standIn.refreshToken}), {browser: true});
	t.is(result.code, 0, result.stdout + result.stderr);
	const {ok, checks} = report(result);
	t.true(ok);
	t.deepEqual(checks.map(check => check.step), ['config', 'credentials', 'token', 'account', 'api (direct)', 'api (browser)', 'listing page', 'cdn file', 'likes page', 'disk space', 'archive']);
	for (const check of checks) t.not(check.status, 'problem', `${check.step}: ${check.detail}`);
	t.regex(checks.find(check => check.step === 'token')!.detail, /a real refresh worked/);
	t.is(standIn.requests().filter(request => request.route === 'token').length, 1);
	t.regex(checks.find(check => check.step === 'account')!.detail, new RegExp(standIn.userId));
	t.regex(checks.find(check => check.step === 'cdn file')!.detail, /HTTP 20[06], png/);
	t.regex(checks.find(check => check.step === 'listing page')!.detail, /^10 jobs valid; \d+ unknown fields? .*; 0 odd jobs$/);
	t.regex(checks.find(check => check.step === 'archive')!.detail, /no archive yet/);
	const likes = standIn.likedJobs();
	const others = likes.filter(job => job.user_id !== standIn.userId).length;
	t.regex(checks.find(check => check.step === 'likes page')!.detail, new RegExp(`^HTTP 200, ${Math.min(50, likes.length)} liked jobs on page 1 \\(\\d+ by others, ${Math.min(50, likes.length)} with user_id\\); \\d+ unknown fields?.*; 0 odd jobs \\(likes are off`));
	t.true(others > 0);
	assertNoSecret(t, result, secrets);
});

test('doctor with a likes route that breaks its shape: a warning while likes are off, exit 65 with likes on', async t => {
	const fault: Fault = {kind: 'bad-page', shape: 'data-not-array', pathIncludes: 'explore-likes'};
	const off = await doctor(t, {}, standIn => ({MJ_TUI_TOKEN: standIn.token}), {fault});
	t.is(off.result.code, 0, off.result.stdout);
	const warned = report(off.result).checks.find(check => check.step === 'likes page')!;
	t.is(warned.status, 'warning');
	t.regex(warned.detail, /likes page 1 .*breaks the likes contract/);
	const on = await doctor(t, {}, standIn => ({MJ_TUI_TOKEN: standIn.token, MJ_TUI_LIKES: 'true'}), {fault});
	t.is(on.result.code, 65);
	t.like(report(on.result).checks.find(check => check.step === 'likes page'), {status: 'problem', exitCode: 65});
	assertNoSecret(t, on.result, on.secrets);
});

test('doctor behind the browser check without a browser: the direct route meets the challenge, exit 69, the fix names --transport browser and login', async t => {
	const {result, secrets} = await doctor(t, {browserCheck: true}, standIn => ({MJ_TUI_TOKEN: standIn.token}), {json: false});
	t.is(result.code, 69);
	t.regex(result.stdout, /^problem +api \(direct\) +Cloudflare's "Just a moment\.\.\." challenge/m);
	t.regex(result.stdout, /fix: .*--transport browser.*mj-tui login/);
	t.regex(result.stdout, /^skipped +api \(browser\) +no Chrome\/Chromium found on PATH/m);
	t.regex(result.stdout, /Sync or downloads would fail: api \(direct\) \(exit 69\)/);
	assertNoSecret(t, result, secrets);
});

test('doctor with an expired token and no refresh token: exit 77 at the token step', async t => {
	const {result, secrets} = await doctor(t, {}, standIn => ({MJ_TUI_TOKEN: standIn.issueToken(-7200)}));
	t.is(result.code, 77);
	const {ok, checks} = report(result);
	t.false(ok);
	const token = checks.find(check => check.step === 'token')!;
	t.is(token.status, 'problem');
	t.regex(token.detail, /expired 2 h ago, and there is no refresh token/);
	t.regex(token.fix ?? '', /mj-tui login/);
	assertNoSecret(t, result, secrets);
});

test('doctor with a malformed listing page: exit 65 naming the page', async t => {
	const {result, secrets} = await doctor(t, {}, standIn => ({MJ_TUI_TOKEN: standIn.token}), {fault: {kind: 'malformed-json'}});
	t.is(result.code, 65);
	const {checks} = report(result);
	t.is(checks.find(check => check.step === 'api (direct)')!.status, 'problem');
	const listing = checks.find(check => check.step === 'listing page')!;
	t.is(listing.status, 'problem');
	t.is(listing.exitCode, 65);
	t.regex(listing.detail, /listing page 1 .* is not valid JSON/);
	t.is(checks.find(check => check.step === 'cdn file')!.status, 'skipped');
	assertNoSecret(t, result, secrets);
});

test('doctor with --transport browser behind the browser check: the browser route and the CDN (with its clearance) work, exit 0; the direct route is only a warning', async t => {
	const {result, secrets} = await doctor(t, {browserCheck: true}, standIn => ({MJ_TUI_TOKEN: standIn.token, MJ_TUI_REFRESH_TOKEN: standIn.refreshToken, MJ_TUI_TRANSPORT: 'browser'}), {browser: true});
	t.is(result.code, 0, result.stdout + result.stderr);
	const {checks} = report(result);
	const direct = checks.find(check => check.step === 'api (direct)')!;
	t.is(direct.status, 'warning');
	t.regex(direct.detail, /Just a moment/);
	t.regex(checks.find(check => check.step === 'api (browser)')!.detail, /HTTP 200, 10 jobs on the first page \(the route in use\)/);
	t.regex(checks.find(check => check.step === 'cdn file')!.detail, /HTTP 20[06], png/);
	assertNoSecret(t, result, secrets);
});

test('doctor with an invalid config file: exit 78 naming the file and key, and no request to the default (real) service', async t => {
	const box = sandbox();
	fs.writeFileSync(path.join(box.userConfigDir, 'config.yaml'), 'transport: bus\n');
	const result = await runBin(['doctor', '--json', '--archive', path.join(box.root, 'archive')], {cwd: box.project, env: {...box.env, PATH: path.join(box.root, 'none')}});
	t.is(result.code, 78);
	const {checks} = report(result);
	t.deepEqual(checks.map(check => check.step), ['config', 'disk space', 'archive'], 'the network steps wait for a valid config');
	t.regex(checks[0]!.detail, /config\.yaml: transport must be one of direct, browser; got "bus"/);
});
