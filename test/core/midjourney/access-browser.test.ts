/**
 * The browser route through the installed binary and Debian's chromium
 * (headless): the stand-in's browser check answers every plain request with
 * the "Just a moment..." page, whose JavaScript only a browser runs. Also
 * `mj-tui login --cdp` against a chromium started with a DevTools port.
 */
import {spawn} from 'node:child_process';
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import test from 'ava';
import {startStandIn} from '../../../fixtures/stand-in.js';
import type {StandIn} from '../../../fixtures/types.js';
import {ArchiveStore} from '../../../source/core/archive/store.js';
import {builtBin, runBin, sandbox, type Sandbox} from '../../helpers/cli-io.js';

const chromium = '/usr/bin/chromium';

test.before(t => {
	if (!fs.existsSync(builtBin)) t.fail(`${builtBin} is missing: run npm run build (npm test does) first`);
	if (!fs.existsSync(chromium)) t.fail(`${chromium} is missing: apt-get install chromium (.ci/run does)`);
});

function env(box: Sandbox, standIn: StandIn, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
	return {
		...box.env,
		MJ_TUI_API_BASE: standIn.apiBase,
		MJ_TUI_CDN_BASE: standIn.cdnBase,
		MJ_TUI_TOKEN_BASE: standIn.tokenBase,
		MJ_TUI_TOKEN_API_KEY: standIn.tokenApiKey,
		MJ_TUI_PAGE_PAUSE_MS: '0',
		...extra,
	};
}

function lastJson<T>(stdout: string): T {
	return JSON.parse(stdout.trim().split('\n').at(-1)!) as T;
}

interface Summary {
	exitCode: number;
	jobsSeen: number;
	downloaded: number;
	failed: number;
}

test('behind the browser check the direct route stops with 69 naming the browser route; --transport browser syncs and downloads everything, one file through the browser', async t => {
	const standIn = await startStandIn({jobs: 12, browserCheck: true});
	t.teardown(() => standIn.close());
	const box = sandbox();
	const archive = path.join(box.root, 'archive');
	const credentials = {MJ_TUI_TOKEN: standIn.token, MJ_TUI_REFRESH_TOKEN: standIn.refreshToken};

	const direct = await runBin(['--batch', '--json', '--archive', archive], {cwd: box.project, env: env(box, standIn, credentials)});
	t.is(direct.code, 69);
	t.regex(direct.stderr, /Just a moment\.\.\./);
	t.regex(direct.stderr, /--transport browser/);
	t.regex(direct.stderr, /mj-tui login/);
	let store = ArchiveStore.open(archive);
	t.is(store.countJobs(), 0, 'nothing stored from a challenge page');
	store.close();

	// The first file the engine asks for directly is challenged even with the browser's clearance: the browser fetches it.
	const challenged = standIn.filePaths(standIn.jobs()[0]!.id)[0]!;
	standIn.setFault({kind: 'cloudflare', status: 403, route: 'cdn', pathIncludes: challenged, count: 1});
	const browser = await runBin(['--batch', '--json', '--archive', archive, '--transport', 'browser', '--browser', chromium], {
		cwd: box.project,
		env: env(box, standIn, {...credentials, XDG_DATA_HOME: path.join(box.root, 'data')}),
	});
	t.is(browser.code, 0, browser.stderr);
	const summary = lastJson<Summary>(browser.stdout);
	const expectedFiles = standIn.jobs().reduce((sum, job) => sum + standIn.filePaths(job.id).length, 0);
	t.is(summary.jobsSeen, 12);
	t.is(summary.downloaded, expectedFiles);
	t.is(summary.failed, 0);

	store = ArchiveStore.open(archive);
	t.is(store.countJobs(), 12);
	store.close();
	const challengedRequests = standIn.requests().filter(request => request.route === 'cdn' && request.path === challenged);
	t.deepEqual(challengedRequests.map(request => request.status), [403, 200], 'challenged once directly, then fetched by the browser');
	const file = fs.readdirSync(archive, {recursive: true}).map(String).find(name => name.includes(standIn.jobs()[0]!.id) && name.endsWith('_0.png'));
	t.truthy(file);
	const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
	t.is(sha(fs.readFileSync(path.join(archive, file!))), sha(standIn.fileBytes(challenged)), 'the browser-fetched file is the real one');
	// Only the browser got past the gate for the API: every listing request that reached data came from it.
	t.true(standIn.requests().some(request => request.route === 'api' && request.path.startsWith('/api/imagine') && request.status === 200));
	t.false(fs.readdirSync(archive).includes('browser-profile'), 'the profile lives in the data folder, never in the archive');
	t.true(fs.existsSync(path.join(box.root, 'data', 'mj-tui', 'browser-profile')));
});

test('--transport browser with a --browser that does not exist exits 69 saying how to install one', async t => {
	const standIn = await startStandIn({jobs: 1});
	t.teardown(() => standIn.close());
	const box = sandbox();
	const result = await runBin(['--batch', '--archive', path.join(box.root, 'a'), '--transport', 'browser', '--browser', '/nonexistent/chrome'], {cwd: box.project, env: env(box, standIn, {MJ_TUI_TOKEN: standIn.token})});
	t.is(result.code, 69);
	t.regex(result.stderr, /--browser \/nonexistent\/chrome: no executable browser there/);
	t.regex(result.stderr, /apt-get install chromium/);
});

async function freePort(): Promise<number> {
	const server = net.createServer();
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as net.AddressInfo;
	await new Promise(resolve => server.close(resolve));
	return port;
}

/** Wait until the DevTools endpoint answers (a state, not a time). */
async function devtoolsReady(url: string, child: {exitCode: number | null}): Promise<void> {
	for (;;) {
		if (child.exitCode !== null) throw new Error('chromium exited before its DevTools port opened');
		try {
			if ((await fetch(`${url}/json/version`)).ok) return;
		} catch {}
		await new Promise(resolve => setTimeout(resolve, 100));
	}
}

test('login --cdp signs in through a browser the user runs, saves the session (0600), and a run without configured tokens uses it', async t => {
	const standIn = await startStandIn({jobs: 7, autoSignIn: true});
	t.teardown(() => standIn.close());
	const box = sandbox();
	const port = await freePort();
	const child = spawn(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', `--remote-debugging-port=${port}`, '--remote-debugging-address=127.0.0.1', `--user-data-dir=${path.join(box.root, 'desktop-profile')}`, 'about:blank'], {stdio: 'ignore'});
	t.teardown(() => {
		child.kill();
	});
	const cdp = `http://127.0.0.1:${port}`;
	await devtoolsReady(cdp, child);

	const login = await runBin(['login', '--cdp', cdp, '--json', '--timeout', '60s'], {cwd: box.project, env: env(box, standIn)});
	t.is(login.code, 0, login.stderr);
	const answer = lastJson<{signedIn: boolean; userId: string; savedTo: string; cookies: string[]}>(login.stdout);
	t.true(answer.signedIn);
	t.is(answer.userId, standIn.userId);
	t.true(answer.cookies.includes('__Host-Midjourney.AuthUserTokenV3_r'));
	t.is(fs.statSync(answer.savedTo).mode & 0o777, 0o600);
	t.is(child.exitCode, null, 'the user\'s browser keeps running');
	for (const output of [login.stdout, login.stderr]) t.notRegex(output, /eyJ[\w-]{10,}\.|AMf-vB/);

	const archive = path.join(box.root, 'archive');
	const sync = await runBin(['--batch', '--no-download', '--json', '--archive', archive], {cwd: box.project, env: env(box, standIn)});
	t.is(sync.code, 0, sync.stderr);
	t.is(lastJson<Summary>(sync.stdout).jobsSeen, 7);
});

test('login without a screen or without a browser exits 69 saying what to do instead', async t => {
	const standIn = await startStandIn({jobs: 1});
	t.teardown(() => standIn.close());
	const box = sandbox();
	// runBin passes no DISPLAY: a visible window cannot open.
	const noScreen = await runBin(['login', '--browser', chromium, '--timeout', '30s'], {cwd: box.project, env: env(box, standIn, {XDG_DATA_HOME: path.join(box.root, 'data')})});
	t.is(noScreen.code, 69);
	t.regex(noScreen.stderr, /no DISPLAY.*use --cdp/);
	const noBrowser = await runBin(['login'], {cwd: box.project, env: env(box, standIn, {PATH: path.join(box.root, 'empty')})});
	t.is(noBrowser.code, 69);
	t.regex(noBrowser.stderr, /No Chrome or Chromium found on PATH/);
	t.regex(noBrowser.stderr, /apt-get install chromium/);
	t.false(fs.existsSync(path.join(box.home, '.local', 'state', 'mj-tui', 'tokens.json')), 'nothing saved');
});
