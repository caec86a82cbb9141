/**
 * The state file that keeps refreshed tokens: which saved tokens a run may
 * use, and what a damaged or foreign file does (real files in a temp home).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import type {Config} from '../../../source/core/config/config.js';
import {TokenStore, tokenStatePath} from '../../../source/core/midjourney/token-store.js';

function home(): NodeJS.ProcessEnv {
	return {HOME: fs.mkdtempSync(path.join(os.tmpdir(), 'mj-tui-state-'))};
}

const base: Pick<Config, 'token' | 'refreshToken' | 'cookie' | 'userAgent'> = {userAgent: 'mj-tui/test'};

test('saved tokens are used by runs configured with the refresh token they grew from, or with none; not by another sign-in or another API base', t => {
	const env = home();
	const first = new TokenStore(env, 'http://127.0.0.1:1');
	first.apply({...base, refreshToken: 'refresh-original-0001'}, {userAgentConfigured: false});
	first.saveRefreshed({token: 'token-refreshed-0002', refreshToken: 'refresh-rotated-0003'});

	const same = new TokenStore(env, 'http://127.0.0.1:1').apply({...base, refreshToken: 'refresh-original-0001'}, {userAgentConfigured: false});
	t.true(same.usedSaved);
	t.is(same.config.token, 'token-refreshed-0002');
	t.is(same.config.refreshToken, 'refresh-rotated-0003');

	const none = new TokenStore(env, 'http://127.0.0.1:1').apply({...base}, {userAgentConfigured: false});
	t.is(none.config.refreshToken, 'refresh-rotated-0003');

	const other = new TokenStore(env, 'http://127.0.0.1:1').apply({...base, refreshToken: 'refresh-new-signin-0004'}, {userAgentConfigured: false});
	t.false(other.usedSaved);
	t.is(other.config.refreshToken, 'refresh-new-signin-0004');

	const elsewhere = new TokenStore(env, 'http://127.0.0.1:2').apply({...base}, {userAgentConfigured: false});
	t.false(elsewhere.usedSaved);
	t.is(elsewhere.config.token, undefined);
});

test('a login\'s User-Agent goes with its cookies unless one is configured; a damaged state file is ignored and replaced', t => {
	const env = home();
	const store = new TokenStore(env, 'https://www.midjourney.com');
	store.saveLogin({token: 'login-token-0001', refreshToken: 'login-refresh-0002', cookie: 'cf_clearance=clearance-0003', userAgent: 'Mozilla/5.0 Chrome/156'});
	t.is(store.apply({...base}, {userAgentConfigured: false}).config.userAgent, 'Mozilla/5.0 Chrome/156');
	t.is(store.apply({...base, userAgent: 'mine'}, {userAgentConfigured: true}).config.userAgent, 'mine');
	t.is(store.apply({...base}, {userAgentConfigured: false}).config.cookie, 'cf_clearance=clearance-0003');

	fs.writeFileSync(tokenStatePath(env), '{"accounts": ');
	const damaged = new TokenStore(env, 'https://www.midjourney.com');
	t.false(damaged.apply({...base, refreshToken: 'refresh-0004'}, {userAgentConfigured: false}).usedSaved);
	damaged.saveRefreshed({token: 'token-0005'});
	const repaired = JSON.parse(fs.readFileSync(tokenStatePath(env), 'utf8')) as {accounts: Record<string, {token: string}>};
	t.is(repaired.accounts['https://www.midjourney.com']!.token, 'token-0005');
	t.is(fs.statSync(tokenStatePath(env)).mode & 0o777, 0o600);
});

test('the state file keeps at most eight API bases, the most recent', t => {
	const env = home();
	for (let index = 0; index < 10; index++) new TokenStore(env, `http://127.0.0.1:${index}`).saveLogin({token: `token-${index}-padding`});
	const {accounts} = JSON.parse(fs.readFileSync(tokenStatePath(env), 'utf8')) as {accounts: Record<string, unknown>};
	t.is(Object.keys(accounts).length, 8);
	t.truthy(accounts['http://127.0.0.1:9']);
	t.falsy(accounts['http://127.0.0.1:0']);
});
