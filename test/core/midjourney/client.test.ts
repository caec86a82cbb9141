import {once} from 'node:events';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import test from 'ava';
import {startStandIn} from '../../../fixtures/stand-in.js';
import type {StandIn} from '../../../fixtures/types.js';
import type {Config} from '../../../source/core/config/config.js';
import {MjError} from '../../../source/core/errors.js';
import type {ApiJob} from '../../../source/core/job.js';
import {ListingHttpError, MidjourneyClient, type RefreshedTokens} from '../../../source/core/midjourney/client.js';
import {listingRequests, standInConfig} from '../../helpers/mj-setup.js';

let standIn: StandIn;

test.before(async () => {
	standIn = await startStandIn({jobs: 250, seed: 7});
});

test.after.always(async () => {
	await standIn?.close();
});

/** Each test gets a clean stand-in (no faults) and its own client; requests are counted from here. */
async function withClient(
	t: {teardown: (fn: () => Promise<void>) => void},
	overrides: Partial<Config> = {},
	options: {onTokenRefreshed?: (tokens: RefreshedTokens) => void; log?: (line: string) => void} = {},
) {
	standIn.clearFaults();
	const client = new MidjourneyClient(standInConfig(standIn, overrides), options);
	t.teardown(async () => client.close());
	const before = standIn.requests().length;
	const served = () => standIn.requests().slice(before);
	return {client, served};
}

function assertNoSecrets(t: {false: (value: boolean, message?: string) => void}, error: unknown, ...secrets: string[]) {
	const text = `${(error as Error).message}\n${(error as MjError).hint ?? ''}`;
	for (const secret of secrets) t.false(text.includes(secret), 'a secret leaked into the error');
}

test.serial('lists the newest page with the user id taken from the token claim', async t => {
	const {client} = await withClient(t, {userId: undefined});
	t.is(client.userId(), standIn.userId);
	const page = await client.listPage({pageSize: 50});
	t.deepEqual(
		(page.data as ApiJob[]).map(job => job.id),
		standIn.jobs().slice(0, 50).map(job => job.id),
	);
	t.deepEqual(page.data[0], standIn.jobs()[0], 'jobs arrive verbatim, unknown fields included');
	const next = await client.listPage({pageSize: 50, cursor: page.cursor ?? undefined});
	t.deepEqual(
		(next.data as ApiJob[]).map(job => job.id),
		standIn.jobs().slice(50, 100).map(job => job.id),
	);
});

test.serial('a whole pasted Cookie header authenticates and yields the user id', async t => {
	const cookie = `Cookie: _ga=GA1.1.123456789; cf_clearance=abcdefghijklmnop; __Host-Midjourney.AuthUserTokenV3_i=${standIn.token}; __Host-Midjourney.AuthUserTokenV3_r=${standIn.refreshToken}`;
	const {client} = await withClient(t, {token: undefined, refreshToken: undefined, cookie});
	t.is(client.userId(), standIn.userId);
	const page = await client.listPage({pageSize: 10});
	t.is(page.data.length, 10);
});

test.serial('without any token the user is told how to get one (exit 77)', async t => {
	const {client} = await withClient(t, {token: undefined, refreshToken: undefined, cookie: undefined});
	const error = t.throws(() => client.userId(), {instanceOf: MjError});
	t.is(error?.exitCode, 77);
	t.regex(error?.hint ?? '', /__Host-Midjourney\.AuthUserTokenV3_i/);
	t.regex(error?.hint ?? '', /MJ_TUI_TOKEN/);
	t.regex(error?.hint ?? '', /MJ_TUI_COOKIE/);
});

test.serial('a 401 is answered with one refresh, and the request then succeeds', async t => {
	const refreshed: RefreshedTokens[] = [];
	const {client, served} = await withClient(t, {}, {onTokenRefreshed: tokens => refreshed.push(tokens)});
	standIn.setFault({kind: 'unauthorized', route: 'api', count: 1});
	const page = await client.listPage({pageSize: 20});
	t.is(page.data.length, 20);
	t.is(served().filter(entry => entry.route === 'token').length, 1);
	t.is(refreshed.length, 1);
	t.not(refreshed[0]!.token, standIn.token, 'a new token was issued');
});

test.serial('a 401 that persists after one refresh fails with exit 77, refreshing only once', async t => {
	const {client, served} = await withClient(t);
	standIn.setFault({kind: 'unauthorized', route: 'api'});
	const error = await t.throwsAsync(client.listPage({pageSize: 20, page: 1}), {instanceOf: MjError});
	t.is(error?.exitCode, 77);
	t.is(served().filter(entry => entry.route === 'token').length, 1);
	assertNoSecrets(t, error, standIn.token, standIn.refreshToken);
});

test.serial('an expired token is refreshed once before the request, and the new token is used from then on', async t => {
	const refreshed: RefreshedTokens[] = [];
	const expired = standIn.issueToken(-120);
	const {client, served} = await withClient(t, {token: expired}, {onTokenRefreshed: tokens => refreshed.push(tokens)});
	const page = await client.listPage({pageSize: 20});
	t.is(page.data.length, 20);
	await client.listPage({pageSize: 20, cursor: page.cursor ?? undefined});
	t.is(served().filter(entry => entry.route === 'token').length, 1, 'one refresh for two pages');
	t.true(served().filter(entry => entry.route === 'api').every(entry => entry.status === 200), 'no request went out with the expired token');
	t.is(refreshed.length, 1);
	t.truthy(refreshed[0]!.refreshToken);
});

test.serial('the service reporting the token expired triggers one refresh and a retry', async t => {
	const {client, served} = await withClient(t);
	standIn.setFault({kind: 'expired-token', count: 1});
	const page = await client.listPage({pageSize: 20});
	t.is(page.data.length, 20);
	t.is(served().filter(entry => entry.route === 'token').length, 1);
});

test.serial('an expired token without a refresh token fails with exit 77 and says how to get a fresh one', async t => {
	const expired = standIn.issueToken(-120);
	const {client, served} = await withClient(t, {token: expired, refreshToken: undefined});
	const error = await t.throwsAsync(client.listPage({pageSize: 20, page: 1}), {instanceOf: MjError});
	t.is(error?.exitCode, 77);
	t.regex(error?.message ?? '', /expired/);
	t.regex(error?.hint ?? '', /DevTools/);
	t.regex(error?.hint ?? '', /AuthUserTokenV3_i.*MJ_TUI_TOKEN/);
	t.regex(error?.hint ?? '', /AuthUserTokenV3_r.*MJ_TUI_REFRESH_TOKEN/);
	t.is(served().length, 0, 'nothing was sent with a token known to be expired');
	assertNoSecrets(t, error, expired);
});

test.serial('an expired token with a refresh token but no API key fails with exit 77 naming the missing key', async t => {
	const {client} = await withClient(t, {token: standIn.issueToken(-120), tokenApiKey: ''});
	const error = await t.throwsAsync(client.listPage({pageSize: 20}), {instanceOf: MjError});
	t.is(error?.exitCode, 77);
	t.regex(error?.message ?? '', /tokenApiKey/);
	assertNoSecrets(t, error, standIn.refreshToken);
});

for (const status of [403, 200] as const) {
	test.serial(`Cloudflare's challenge page with HTTP ${status} is recognised: exit 69 with what to do`, async t => {
		const {client, served} = await withClient(t);
		standIn.setFault({kind: 'cloudflare', status, route: 'api'});
		const error = await t.throwsAsync(client.listPage({pageSize: 20, page: 1}), {instanceOf: MjError});
		t.is(error?.exitCode, 69);
		t.regex(error?.message ?? '', /Cloudflare/);
		t.regex(error?.message ?? '', new RegExp(`HTTP ${status}`));
		t.regex(error?.hint ?? '', /cf_clearance/);
		t.regex(error?.hint ?? '', /MJ_TUI_COOKIE/);
		t.regex(error?.hint ?? '', /MJ_TUI_USER_AGENT/);
		t.regex(error?.hint ?? '', /mj-tui import --responses/);
		t.is(served().filter(entry => entry.route === 'api').length, 1, 'a challenge is not retried');
		assertNoSecrets(t, error, standIn.token, standIn.refreshToken);
	});
}

test.serial('a 429 waits as long as Retry-After asks, then succeeds', async t => {
	const lines: string[] = [];
	const {client, served} = await withClient(t, {}, {log: line => lines.push(line)});
	standIn.setFault({kind: 'rate-limit', retryAfterSeconds: 1, route: 'api', count: 1});
	const page = await client.listPage({pageSize: 20});
	t.is(page.data.length, 20);
	t.deepEqual(
		served().map(entry => entry.status),
		[429, 200],
	);
	t.true(lines.some(line => /HTTP 429; retry 1\/3 in 1000 ms/.test(line)), lines.join('\n'));
});

test.serial('Retry-After is capped by retryAfterCapMs', async t => {
	const lines: string[] = [];
	const {client} = await withClient(t, {retryAfterCapMs: 50}, {log: line => lines.push(line)});
	standIn.setFault({kind: 'rate-limit', retryAfterSeconds: 3600, route: 'api', count: 2});
	const page = await client.listPage({pageSize: 20});
	t.is(page.data.length, 20);
	t.is(lines.filter(line => /HTTP 429; retry \d\/3 in 50 ms/.test(line)).length, 2, lines.join('\n'));
});

test.serial('server errors are retried with backoff and the page arrives', async t => {
	const {client, served} = await withClient(t);
	standIn.setFault({kind: 'server-error', status: 503, route: 'api', count: 2});
	const page = await client.listPage({pageSize: 20});
	t.is(page.data.length, 20);
	t.deepEqual(
		served().map(entry => entry.status),
		[503, 503, 200],
	);
});

test.serial('server errors beyond the retry budget fail with exit 69 and the attempts made', async t => {
	const {client, served} = await withClient(t, {retries: 1});
	standIn.setFault({kind: 'server-error', status: 502, route: 'api'});
	const error = await t.throwsAsync(client.listPage({pageSize: 20, page: 4}), {instanceOf: MjError});
	t.is(error?.exitCode, 69);
	t.regex(error?.message ?? '', /listing page 4 .*HTTP 502 after 2 attempts/);
	t.is(served().length, 2);
});

test.serial('a connection reset is retried and the page arrives', async t => {
	const {client, served} = await withClient(t);
	standIn.setFault({kind: 'reset', route: 'api', count: 1});
	const page = await client.listPage({pageSize: 20});
	t.is(page.data.length, 20);
	t.is(served().filter(entry => entry.route === 'api').length, 2);
});

test.serial('a truncated body is retried and the page arrives whole', async t => {
	const {client} = await withClient(t);
	standIn.setFault({kind: 'truncate', route: 'api', count: 1});
	const page = await client.listPage({pageSize: 20});
	t.deepEqual(
		(page.data as ApiJob[]).map(job => job.id),
		standIn.jobs().slice(0, 20).map(job => job.id),
	);
});

test.serial('a stalled response times out and the retry succeeds', async t => {
	const lines: string[] = [];
	const {client, served} = await withClient(t, {requestTimeoutMs: 1500}, {log: line => lines.push(line)});
	standIn.setFault({kind: 'stall', ms: 30_000, route: 'api', count: 1});
	const page = await client.listPage({pageSize: 20});
	t.is(page.data.length, 20);
	t.is(served().filter(entry => entry.route === 'api').length, 2);
	t.true(lines.some(line => /ETIMEDOUT/.test(line)), lines.join('\n'));
});

test.serial('malformed JSON fails with exit 65 naming the page, the request and the problem', async t => {
	const {client} = await withClient(t);
	const first = await client.listPage({pageSize: 20});
	standIn.setFault({kind: 'malformed-json', count: 1});
	const error = await t.throwsAsync(client.listPage({pageSize: 20, page: 3, cursor: first.cursor ?? undefined}), {instanceOf: MjError});
	t.is(error?.exitCode, 65);
	t.regex(error?.message ?? '', /listing page 3/);
	t.regex(error?.message ?? '', /GET http:\/\/127\.0\.0\.1:\d+\/api\/imagine\?user_id=.*&cursor=/);
	t.regex(error?.message ?? '', /not valid JSON/);
	assertNoSecrets(t, error, standIn.token, standIn.refreshToken);
});

const badPageProblems = {
	'data-not-array': /"data" is an object, expected an array of jobs/,
	'too-deep': /nested deeper than 64 levels at data\[19\]\.extra\[0\]\[0\]/,
} as const;

for (const [shape, problem] of Object.entries(badPageProblems)) {
	test.serial(`a page that breaks the contract (${shape}) fails with exit 65 naming the page and what is wrong`, async t => {
		const {client} = await withClient(t);
		standIn.setFault({kind: 'bad-page', shape: shape as keyof typeof badPageProblems, count: 1});
		const error = await t.throwsAsync(client.listPage({pageSize: 20, page: 2}), {instanceOf: MjError});
		t.is(error?.exitCode, 65);
		t.regex(error?.message ?? '', /listing page 2 \(GET http:/);
		t.regex(error?.message ?? '', problem);
	});
}

for (const shape of ['job-without-id', 'wrong-types'] as const) {
	test.serial(`a page with one odd job (${shape}) arrives whole: odd jobs are the sync's to count, never a reason to refuse the page`, async t => {
		const {client} = await withClient(t);
		standIn.setFault({kind: 'bad-page', shape, count: 1});
		const page = await client.listPage({pageSize: 20, page: 2});
		t.is(page.data.length, 20);
		t.deepEqual((page.data as Array<{id?: string}>).slice(0, 19).map(job => job.id), standIn.jobs().slice(1, 20).map(job => job.id));
	});
}

test.serial('unknown extra fields of a job pass validation untouched', async t => {
	const {client} = await withClient(t);
	const id = standIn.jobs()[0]!.id;
	standIn.updateJob(id, {new_field: {nested: [1, 'two']}, another: null});
	const page = await client.listPage({pageSize: 5});
	t.deepEqual((page.data[0] as ApiJob).new_field, {nested: [1, 'two']});
	t.is((page.data[0] as ApiJob).another, null);
	t.deepEqual(page.data[0], standIn.jobs()[0]);
});

test.serial('a cursor the service rejects fails with exit 69 carrying the status', async t => {
	const {client} = await withClient(t);
	const error = await t.throwsAsync(client.listPage({pageSize: 5, cursor: 'not-a-cursor', page: 9}), {instanceOf: ListingHttpError});
	t.is(error?.status, 400);
	t.is(error?.exitCode, 69);
	t.regex(error?.message ?? '', /listing page 9 .*HTTP 400/);
});

test.serial('an aborted request stops at once with the abort reason', async t => {
	const {client} = await withClient(t);
	standIn.setFault({kind: 'stall', ms: 10_000, route: 'api', count: 1});
	const controller = new AbortController();
	const pending = client.listPage({pageSize: 20, signal: controller.signal});
	setTimeout(() => controller.abort(new Error('user quit')), 50);
	await t.throwsAsync(pending, {message: 'user quit'});
});

test.serial('no token, refresh token or cookie value reaches a log line or an error, even after a refresh', async t => {
	const clearance = 'cfclearance-0123456789abcdef';
	const cookie = `cf_clearance=${clearance}; __Host-Midjourney.AuthUserTokenV3_i=${standIn.token}; __Host-Midjourney.AuthUserTokenV3_r=${standIn.refreshToken}`;
	const lines: string[] = [];
	const refreshed: RefreshedTokens[] = [];
	const {client} = await withClient(
		t,
		{token: undefined, refreshToken: undefined, cookie},
		{log: line => lines.push(line), onTokenRefreshed: tokens => refreshed.push(tokens)},
	);
	standIn.setFault({kind: 'server-error', status: 500, route: 'api', count: 1});
	await client.listPage({pageSize: 5});
	standIn.setFault({kind: 'unauthorized', route: 'api'});
	const error = await t.throwsAsync(client.listPage({pageSize: 5, page: 2}), {instanceOf: MjError});
	t.is(refreshed.length, 1);
	t.true(lines.length >= 2, 'the retry and the refresh were logged');
	const text = [...lines, error?.message ?? '', error?.hint ?? ''].join('\n');
	for (const secret of [standIn.token, standIn.refreshToken, clearance, refreshed[0]!.token, refreshed[0]!.refreshToken]) {
		t.false(text.includes(secret));
	}
});

test.serial('with a pasted Cookie header, a refreshed token replaces the expired one in the header sent', async t => {
	const expired = standIn.issueToken(-120);
	const cookie = `cf_clearance=clearance-value-123456; __Host-Midjourney.AuthUserTokenV3_i=${expired}; __Host-Midjourney.AuthUserTokenV3_r=${standIn.refreshToken}; theme=dark`;
	const refreshed: RefreshedTokens[] = [];
	const {client, served} = await withClient(t, {token: undefined, refreshToken: undefined, cookie}, {onTokenRefreshed: tokens => refreshed.push(tokens)});
	const page = await client.listPage({pageSize: 10});
	t.is(page.data.length, 10);
	t.is(refreshed.length, 1);
	t.deepEqual(
		served().map(entry => `${entry.route} ${entry.status}`),
		['token 200', 'api 200'],
		'the stand-in accepted the header carrying the new token',
	);
});

test.serial('text the service sends reaches an error message without terminal control sequences', async t => {
	// A hostile or broken service: the stand-in has no knob for an error body, so a tiny server plays it.
	const server = http.createServer((_request, response) => {
		response.writeHead(418, {'content-type': 'text/plain'});
		response.end('\u001B]0;owned\u0007\u001B[2J\u001B[31mteapot\r\nsecond line');
	});
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	t.teardown(() => server.close());
	const {client} = await withClient(t, {apiBase: `http://127.0.0.1:${(server.address() as AddressInfo).port}`});
	const error = await t.throwsAsync(client.listPage({pageSize: 5, page: 1}), {instanceOf: ListingHttpError});
	t.is(error?.status, 418);
	t.regex(error?.message ?? '', /HTTP 418: teapot second line$/);
	t.false(/[\u0000-\u001F\u007F]/.test(error?.message ?? ''));
});
