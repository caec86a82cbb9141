/**
 * The stand-in honours the contract the other suites rely on: deterministic
 * realistic jobs, auth, paging, token refresh, valid files with the website's
 * metadata, HTTP range semantics, and every fault knob, seen with plain fetch.
 */
import {spawn} from 'node:child_process';
import test from 'ava';
import sharp from 'sharp';
import {generateJob, generateJobs, hostilePrompts, iterateJobs, undatedJobIndex} from '../fixtures/jobs.js';
import {startStandIn} from '../fixtures/stand-in.js';
import type {Fault, StandIn} from '../fixtures/types.js';
import type {ApiJob} from '../source/core/job.js';

let standIn: StandIn;

test.before(async () => {
	standIn = await startStandIn({jobs: 300, seed: 3, maxPageSize: 120});
});

test.after.always(async () => {
	await standIn?.close();
});

// Faults and jobs are shared state of the one stand-in: tests that touch them run serially.
const serial = test.serial;

function authHeaders(token = standIn.token): Record<string, string> {
	return {cookie: `__Host-Midjourney.AuthUserTokenV3_i=${token}`, 'x-csrf-protection': '1'};
}

async function listPage(query: {cursor?: string; pageSize?: number; userId?: string}, headers = authHeaders()): Promise<Response> {
	const url = new URL('/api/imagine', standIn.apiBase);
	url.searchParams.set('user_id', query.userId ?? standIn.userId);
	url.searchParams.set('page_size', String(query.pageSize ?? 100));
	if (query.cursor !== undefined) url.searchParams.set('cursor', query.cursor);
	return fetch(url, {headers});
}

interface Page {
	data: ApiJob[];
	cursor: string;
	checkpoint: string;
}

/** Page through the whole listing; returns every job seen, in order, and the number of pages. */
async function listAll(pageSize: number): Promise<{ids: string[]; pages: number}> {
	const ids: string[] = [];
	let cursor: string | undefined;
	for (let pages = 1; ; pages++) {
		const response = await listPage({cursor, pageSize});
		const page = (await response.json()) as Page;
		if (page.data.length === 0) return {ids, pages};
		ids.push(...page.data.map((job) => job.id));
		cursor = page.cursor;
	}
}

function cdnUrl(path: string): string {
	return `${standIn.cdnBase}${path}`;
}

/** PNG chunks in file order: [type, data]. */
function pngChunks(png: Buffer): Array<[string, Buffer]> {
	const chunks: Array<[string, Buffer]> = [];
	for (let at = 8; at < png.length; ) {
		const length = png.readUInt32BE(at);
		chunks.push([png.toString('latin1', at + 4, at + 8), png.subarray(at + 8, at + 8 + length)]);
		at += 12 + length;
	}

	return chunks;
}

function description(png: Buffer): string | undefined {
	for (const [type, data] of pngChunks(png)) {
		if (type === 'tEXt' && data.toString('latin1').startsWith('Description\0')) return data.toString('latin1').slice(12);
		if (type === 'iTXt' && data.toString('latin1').startsWith('Description\0')) return data.subarray(16).toString('utf8');
	}

	return undefined;
}

const firstGrid = () => standIn.jobs().find((job) => job.batch_size === 4 && job.event_type !== 'video_diffusion')!;

// Jobs

test('jobs are deterministic per seed, newest first, with unique UUID v4 ids and microsecond ISO times (T or a space), one without', (t) => {
	const jobs = generateJobs(2000, 9);
	t.deepEqual(generateJobs(2000, 9), jobs);
	t.notDeepEqual(generateJobs(50, 10).map((job) => job.id), jobs.slice(0, 50).map((job) => job.id));
	t.deepEqual([...iterateJobs(2000, 9)][1234], jobs[1234]);
	t.is(new Set(jobs.map((job) => job.id)).size, jobs.length);
	for (const job of jobs) {
		t.regex(job.id, /^[\da-f]{8}-[\da-f]{4}-4[\da-f]{3}-[89ab][\da-f]{3}-[\da-f]{12}$/);
		if (job.enqueue_time !== undefined) t.regex(job.enqueue_time, /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
	}

	// The real service's shapes: one job without a time, some times with a space (as /api/job-status writes them).
	t.deepEqual(jobs.flatMap((job, i) => (job.enqueue_time === undefined ? [i] : [])), [undatedJobIndex]);
	const spaced = jobs.filter((job) => job.enqueue_time?.includes(' ')).length;
	t.true(spaced > 200 && spaced < 400, `${spaced} space-separated times`);
	const dated = jobs.filter((job) => job.enqueue_time !== undefined);
	const times = dated.map((job) => Date.parse(job.enqueue_time!));
	t.true(times.every((time, i) => i === 0 || time < times[i - 1]));
	const spanDays = (times[0] - times.at(-1)!) / 86_400_000;
	t.true(spanDays > 600 && spanDays < 760, `history spans ${spanDays} days`);
	// A job added later (negative index) is newer than the whole snapshot.
	t.true(Date.parse(generateJob(-1, 9, 2000).enqueue_time!) > times[0]);
});

test('jobs mix grids, variations, upscales, drafts and videos with consistent fields', (t) => {
	const jobs = generateJobs(1000, 1);
	const byId = new Map(jobs.map((job) => [job.id, job]));
	const types = new Set(jobs.map((job) => job.event_type));
	for (const kind of ['diffusion', 'variation', 'upscale', 'draft', 'video_diffusion']) t.true(types.has(kind), kind);
	for (const job of jobs) {
		if (job.event_type === 'upscale') {
			t.is(job.batch_size, 1);
			t.is(byId.get(job.parent_id!)?.batch_size, 4, 'an upscale comes from a grid of this account');
			// Numbers sometimes arrive as strings, as in the real explore answers.
			t.true(Number(job.parent_grid) >= 0 && Number(job.parent_grid) < 4);
		}

		if (job.event_type === 'variation') t.truthy(byId.get(job.parent_id!));
		if (job.job_type.startsWith('vid_')) {
			t.regex(job.job_type, /^vid_1\.1_i2v_(extend_)?(480|720)$/);
			t.is(job.event_type, job.job_type.includes('extend') ? 'video_extended' : 'video_diffusion');
			t.is(Math.min(job.width, job.height), Number(job.job_type.slice(-3)));
			// video_segments is an array of frame counts; vid_framecount is sometimes absent.
			t.true(Array.isArray(job.video_segments) && job.video_segments.length >= 1 && job.video_segments.every((frames) => frames === 121));
			if (job.vid_framecount !== undefined) t.is(job.vid_framecount, job.video_segments!.length * 121);
		}

		t.is(job.template, null);

		if (job.event_type === 'diffusion' && job.full_command.includes('--ar 16:9')) t.deepEqual([job.width, job.height], [1456, 816]);
	}

	t.true(jobs.some((job) => /--v 7/.test(job.full_command) && /--stylize \d+/.test(job.full_command)));
	t.true(jobs.some((job) => !job.full_command.includes(' --')), 'some prompts have no parameters');
	t.true(jobs.some((job) => /[\u3040-\u30FF\u4E00-\u9FFF]/.test(job.full_command)), 'Japanese/Chinese prompts');
	t.true(jobs.some((job) => /\p{Extended_Pictographic}/u.test(job.full_command)), 'emoji prompts');
	t.true(jobs.some((job) => Object.keys(job).some((key) => !knownFields.has(key))), 'some jobs carry fields the contract does not know');
	// What the real service sends today ("Seen in the wild").
	const jobTypes = new Set(jobs.map((job) => job.job_type));
	for (const type of ['v7_raw_diffusion', 'v8-1_hd_diffusion', 'v7_upscaler_2x_creative']) t.true(jobTypes.has(type), type);
	t.true([...jobTypes].some((type) => type.startsWith('vid_1.1_i2v_extend_')));
	t.true(types.has('video_extended') && types.has('diffusion_upsample_v7_2x_creative'));
	for (const pattern of [/ --raw\b/, / --style raw\b/, / --v 7\.0\b/, / --v 8\.1 --hd\b/, / --profile \w+/, / --sref \d+ https:\/\/s\.mj\.run\/\S+ --sw 50/]) {
		t.true(jobs.some((job) => pattern.test(job.full_command)), String(pattern));
	}

	t.true(jobs.some((job) => typeof job.parent_grid === 'string'), 'a number sent as a string');
	const personalised = jobs.filter((job) => job.personalization_codes !== undefined);
	t.true(personalised.length > 0 && personalised.every((job) => (job.personalization_codes as Array<{code: unknown; type: unknown}>).every((entry) => typeof entry.code === 'string' && entry.type === 'user')));
});

const knownFields = new Set([
	'id',
	'enqueue_time',
	'full_command',
	'job_type',
	'event_type',
	'parent_id',
	'parent_grid',
	'batch_size',
	'width',
	'height',
	'rating',
	'published',
	'shown',
	'user_hidden',
	'video_segments',
	'vid_framecount',
]);

test('hostile prompts appear among the newest 50 jobs', (t) => {
	const commands = generateJobs(50, 1).map((job) => job.full_command);
	for (const needle of ['\u001B]0;pwned\u0007', '\u001B[2J', '\u001B[31m', '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', '../../etc/passwd']) {
		t.true(
			commands.some((command) => command.includes(needle)),
			JSON.stringify(needle),
		);
	}

	t.true(hostilePrompts.size >= 5);
});

// Auth

test('listing refuses requests without the csrf header, without the cookie, with a forged or expired token, or for another user', async (t) => {
	const {cookie} = authHeaders();
	t.is((await listPage({}, {cookie})).status, 401);
	t.is((await listPage({}, {'x-csrf-protection': '1'})).status, 401);
	const forged = standIn.token.slice(0, -4) + (standIn.token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
	t.is((await listPage({}, authHeaders(forged))).status, 401);
	const expired = await listPage({}, authHeaders(standIn.issueToken(-5)));
	t.is(expired.status, 401);
	t.like((await expired.json()) as object, {error: 'token_expired'});
	t.is((await listPage({userId: '00000000-0000-4000-8000-000000000000'})).status, 403);
	t.is((await listPage({})).status, 200);
});

test('the token is accepted inside a whole pasted Cookie header', async (t) => {
	const cookie = `cf_clearance=abc.def-123; _ga=GA1.1.1; __Host-Midjourney.AuthUserTokenV3_i=${standIn.token}; __Host-Midjourney.AuthUserTokenV3_r=${standIn.refreshToken}; AMP_x=1`;
	const response = await listPage({pageSize: 3}, {cookie, 'x-csrf-protection': '1'});
	t.is(response.status, 200);
	t.is(((await response.json()) as Page).data.length, 3);
});

test('token refresh returns a working JWT and a rotated refresh token; wrong key or token gets a Google-style 400', async (t) => {
	const refresh = async (key: string, refreshToken: string) =>
		fetch(`${standIn.tokenBase}/v1/token?key=${key}`, {
			method: 'POST',
			headers: {'content-type': 'application/x-www-form-urlencoded'},
			body: new URLSearchParams({grant_type: 'refresh_token', refresh_token: refreshToken}),
		});
	const response = await refresh(standIn.tokenApiKey, standIn.refreshToken);
	t.is(response.status, 200);
	const body = (await response.json()) as {id_token: string; refresh_token: string; expires_in: string};
	t.is(body.expires_in, '3600');
	t.not(body.refresh_token, standIn.refreshToken);
	t.is((await listPage({pageSize: 1}, authHeaders(body.id_token))).status, 200);
	t.is((await refresh(standIn.tokenApiKey, body.refresh_token)).status, 200, 'the rotated token works');

	const wrongKey = await refresh('AIzaSyWRONG', standIn.refreshToken);
	t.is(wrongKey.status, 400);
	t.like((await wrongKey.json()) as object, {error: {code: 400, status: 'INVALID_ARGUMENT'}});
	const wrongToken = await refresh(standIn.tokenApiKey, 'AMf-vBnot-a-token');
	t.is(wrongToken.status, 400);
	t.like((await wrongToken.json()) as object, {error: {message: 'INVALID_REFRESH_TOKEN'}});
});

// Paging

serial('paging walks every job newest first with no gaps, clamps page_size, and ends on an empty page', async (t) => {
	const expected = standIn.jobs().map((job) => job.id);
	const {ids, pages} = await listAll(37);
	t.deepEqual(ids, expected);
	t.is(pages, Math.ceil(300 / 37) + 1);
	const clamped = (await (await listPage({pageSize: 1000})).json()) as Page;
	t.is(clamped.data.length, 120, 'maxPageSize is honoured');
	t.is(typeof clamped.checkpoint, 'string');
	t.is((await listPage({cursor: 'not-a-cursor'})).status, 400);
});

serial('jobs arriving at the head make a job appear on two pages; none is skipped', async (t) => {
	const before = new Set(standIn.jobs().map((job) => job.id));
	standIn.setFault({kind: 'new-jobs-while-paging', perPage: 5, count: 3});
	const {ids} = await listAll(100);
	standIn.clearFaults();
	t.true(ids.length > new Set(ids).size, 'some job was listed twice');
	for (const id of before) t.true(ids.includes(id));
	t.is(standIn.jobs().length, 315);
	t.true(Date.parse(standIn.jobs()[0].enqueue_time!) > Date.parse(standIn.jobs()[15].enqueue_time!));
});

serial('deleted jobs leave the listing and the CDN; updated jobs are listed with the new fields', async (t) => {
	const [first, second] = standIn.jobs();
	standIn.updateJob(first.id, {rating: 5, brand_new_field: {x: 1}});
	standIn.deleteJob(second.id);
	const page = (await (await listPage({pageSize: 2})).json()) as Page;
	t.like(page.data[0], {id: first.id, rating: 5, brand_new_field: {x: 1}});
	t.not(page.data[1].id, second.id);
	t.is((await fetch(cdnUrl(`/${second.id}/0_0.png`))).status, 404);
});

// Files

test('full-size PNGs decode at the job size and carry Description with the Job ID, Author, Creation Time and XMP', async (t) => {
	const jobs = standIn.jobs().slice(0, 40);
	let afterImageData = 0;
	for (const job of jobs.slice(0, 12)) {
		const path = `/${job.id}/0_0.png`;
		const response = await fetch(cdnUrl(path));
		t.is(response.status, 200);
		t.is(response.headers.get('content-type'), 'image/png');
		const png = Buffer.from(await response.arrayBuffer());
		t.deepEqual(png, standIn.fileBytes(path));
		const metadata = await sharp(png).metadata();
		t.deepEqual([metadata.format, metadata.width, metadata.height], ['png', job.width, job.height]);
		t.is(description(png), `${job.full_command} Job ID: ${job.id}`);
		const chunks = pngChunks(png);
		const types = chunks.map(([type]) => type);
		t.true(types.includes('IEND') && types.at(-1) === 'IEND');
		const text = chunks.filter(([type]) => type === 'tEXt').map(([, data]) => data.toString('latin1'));
		t.true(text.some((entry) => entry.startsWith('Author\0')));
		t.true(text.some((entry) => entry.startsWith('Creation Time\0')));
		const xmp = chunks.find(([type, data]) => type === 'iTXt' && data.toString('latin1').startsWith('XML:com.adobe.xmp\0'));
		t.regex(xmp![1].toString('utf8'), /DigitalSourceType="http:\/\/cv\.iptc\.org\/newscodes\/digitalsourcetype\/trainedAlgorithmicMedia"/);
		if (types.lastIndexOf('IDAT') < types.findIndex((type) => type === 'tEXt' || type === 'iTXt')) afterImageData++;
	}

	t.true(afterImageData > 0 && afterImageData < 12, `text after IDAT on ${afterImageData} of 12 files`);
	// Non-Latin-1 prompts go into iTXt, where UTF-8 is allowed.
	const unicodeJob = standIn.jobs().find((job) => /[^\u0000-\u00FF]/.test(job.full_command))!;
	t.is(description(standIn.fileBytes(`/${unicodeJob.id}/0_0.png`)), `${unicodeJob.full_command} Job ID: ${unicodeJob.id}`);
});

test('grids, WebP renditions and videos are real files; unknown jobs and indexes are 404', async (t) => {
	const grid = firstGrid();
	const gridPng = Buffer.from(await (await fetch(cdnUrl(`/${grid.id}/grid_0.png`))).arrayBuffer());
	t.like(await sharp(gridPng).metadata(), {width: grid.width * 2, height: grid.height * 2});
	const webpResponse = await fetch(cdnUrl(`/${grid.id}/0_2_640_N.webp`));
	t.is(webpResponse.headers.get('content-type'), 'image/webp');
	const webp = Buffer.from(await webpResponse.arrayBuffer());
	t.like(await sharp(webp).metadata(), {format: 'webp', width: 640, height: Math.round((640 * grid.height) / grid.width)});
	t.deepEqual(await standIn.fileBytesAsync(`/${grid.id}/0_2_640_N.webp`), webp);

	const video = standIn.jobs().find((job) => job.event_type === 'video_diffusion')!;
	t.deepEqual(standIn.filePaths(video.id).filter((path) => path.endsWith('.mp4')).length, video.batch_size);
	const mp4 = Buffer.from(await (await fetch(cdnUrl(`/video/${video.id}/1.mp4`))).arrayBuffer());
	t.is(mp4.toString('latin1', 4, 8), 'ftyp');

	const upscale = standIn.jobs().find((job) => job.batch_size === 1)!;
	for (const path of [
		`/${upscale.id}/0_1.png`,
		`/${upscale.id}/grid_0.png`,
		`/${grid.id}/0_4.png`,
		`/${grid.id}/0_0_999_N.webp`,
		`/video/${grid.id}/0.mp4`,
		'/00000000-0000-4000-8000-000000000000/0_0.png',
		'/../etc/passwd',
	]) {
		t.is((await fetch(cdnUrl(path))).status, 404, path);
	}
});

test('imageBytes pads full-size PNGs to about that size and they stay valid', async (t) => {
	// A cache smaller than the files: evicted files must come back byte for byte.
	const big = await startStandIn({jobs: 5, seed: 3, imageBytes: 1024 * 1024, cacheBytes: 3 * 1024 * 1024});
	t.teardown(async () => big.close());
	const job = big.jobs()[2];
	const png = Buffer.from(await (await fetch(`${big.cdnBase}/${job.id}/0_0.png`)).arrayBuffer());
	t.true(Math.abs(png.length - 1024 * 1024) < 64, `${png.length} bytes`);
	t.like(await sharp(png).metadata(), {width: job.width, height: job.height});
	t.is(description(png), `${job.full_command} Job ID: ${job.id}`);
	// Same seed, same bytes: tests can rely on sha256 across runs.
	t.deepEqual(png, big.fileBytes(`/${job.id}/0_0.png`));
	t.notDeepEqual(png.subarray(-4096), big.fileBytes(`/${big.jobs()[1].id}/0_0.png`).subarray(-4096));
	for (const other of big.jobs()) await (await fetch(`${big.cdnBase}/${other.id}/0_0.png`)).arrayBuffer();
	t.deepEqual(Buffer.from(await (await fetch(`${big.cdnBase}/${job.id}/0_0.png`)).arrayBuffer()), png);
});

// Ranges

test('Range, If-Range, 416, HEAD and the request log follow HTTP', async (t) => {
	const job = firstGrid();
	const path = `/${job.id}/0_1.png`;
	const whole = standIn.fileBytes(path);
	const size = whole.length;
	const logStart = standIn.requests().length;
	const full = await fetch(cdnUrl(path));
	const etag = full.headers.get('etag')!;
	const lastModified = full.headers.get('last-modified')!;
	t.regex(etag, /^"[\da-f]+"$/);
	t.is(full.headers.get('accept-ranges'), 'bytes');
	t.is(Number(full.headers.get('content-length')), size);
	await full.arrayBuffer();

	const partial = await fetch(cdnUrl(path), {headers: {range: 'bytes=100-199'}});
	t.is(partial.status, 206);
	t.is(partial.headers.get('content-range'), `bytes 100-199/${size}`);
	t.deepEqual(Buffer.from(await partial.arrayBuffer()), whole.subarray(100, 200));

	const open = await fetch(cdnUrl(path), {headers: {range: `bytes=${size - 10}-`}});
	t.is(open.status, 206);
	t.deepEqual(Buffer.from(await open.arrayBuffer()), whole.subarray(size - 10));
	const suffix = await fetch(cdnUrl(path), {headers: {range: 'bytes=-7'}});
	t.deepEqual(Buffer.from(await suffix.arrayBuffer()), whole.subarray(size - 7));

	const beyond = await fetch(cdnUrl(path), {headers: {range: `bytes=${size}-`}});
	t.is(beyond.status, 416);
	t.is(beyond.headers.get('content-range'), `bytes */${size}`);
	await beyond.arrayBuffer();

	const sameEtag = await fetch(cdnUrl(path), {headers: {range: 'bytes=5-', 'if-range': etag}});
	t.is(sameEtag.status, 206);
	await sameEtag.arrayBuffer();
	const sameDate = await fetch(cdnUrl(path), {headers: {range: 'bytes=5-', 'if-range': lastModified}});
	t.is(sameDate.status, 206);
	await sameDate.arrayBuffer();
	const changed = await fetch(cdnUrl(path), {headers: {range: 'bytes=5-', 'if-range': '"0123abcd"'}});
	t.is(changed.status, 200);
	t.deepEqual(Buffer.from(await changed.arrayBuffer()), whole);

	const head = await fetch(cdnUrl(path), {method: 'HEAD'});
	t.is(head.status, 200);
	t.is(Number(head.headers.get('content-length')), size);

	const logged = standIn.requests().slice(logStart).filter((entry) => entry.path === path);
	t.like(
		logged.find((entry) => entry.range === 'bytes=100-199'),
		{route: 'cdn', method: 'GET', status: 206, bytesSent: 100},
	);
	t.like(
		logged.find((entry) => entry.method === 'HEAD'),
		{status: 200, bytesSent: 0},
	);
	t.like(logged[0], {status: 200, bytesSent: size});
});

// Faults

serial('API faults: unauthorized, expired token, Cloudflare 403 and 200, rate limit, server error', async (t) => {
	standIn.setFault({kind: 'unauthorized', route: 'api', count: 1});
	t.is((await listPage({})).status, 401);
	t.is((await listPage({})).status, 200, 'count 1 wears out after one request');

	standIn.setFault({kind: 'expired-token', count: 1});
	const expired = await listPage({});
	t.is(expired.status, 401);
	t.like((await expired.json()) as object, {error: 'token_expired'});

	for (const status of [403, 200] as const) {
		standIn.setFault({kind: 'cloudflare', status, route: 'api', count: 1});
		const challenge = await listPage({});
		t.is(challenge.status, status);
		t.regex(challenge.headers.get('content-type')!, /^text\/html/);
		const html = await challenge.text();
		for (const marker of ['<title>Just a moment...</title>', 'cf_chl_opt', 'challenge-platform']) t.true(html.includes(marker), marker);
	}

	standIn.setFault({kind: 'rate-limit', retryAfterSeconds: 7, count: 1});
	const limited = await listPage({});
	t.is(limited.status, 429);
	t.is(limited.headers.get('retry-after'), '7');
	await limited.arrayBuffer();

	standIn.setFault({kind: 'server-error', status: 503, count: 2});
	t.is((await listPage({})).status, 503);
	t.is((await listPage({})).status, 503);
	t.is((await listPage({})).status, 200);
});

serial('page faults: malformed JSON and pages that break the contract', async (t) => {
	standIn.setFault({kind: 'malformed-json', count: 1});
	const malformed = await listPage({pageSize: 5});
	t.is(malformed.status, 200);
	const text = await malformed.text();
	t.throws(() => JSON.parse(text));

	standIn.setFault({kind: 'bad-page', count: 1});
	const missingId = (await (await listPage({pageSize: 5})).json()) as Page;
	t.true(missingId.data.some((job) => job.id === undefined));
	standIn.setFault({kind: 'bad-page', shape: 'data-not-array', count: 1});
	t.false(Array.isArray(((await (await listPage({pageSize: 5})).json()) as Page).data));
	standIn.setFault({kind: 'bad-page', shape: 'wrong-types', count: 1});
	t.true(((await (await listPage({pageSize: 5})).json()) as Page).data.some((job) => typeof job.batch_size === 'string'));
	t.true(((await (await listPage({pageSize: 5})).json()) as Page).data.every((job) => typeof job.id === 'string'));
});

serial('connection faults: reset, truncate and stall, on the CDN and the listing', async (t) => {
	const path = `/${firstGrid().id}/0_3.png`;
	const size = standIn.fileBytes(path).length;

	standIn.setFault({kind: 'reset', route: 'cdn', count: 1});
	await t.throwsAsync(fetch(cdnUrl(path)));
	t.like(standIn.requests().at(-1), {path, status: 0, bytesSent: 0});

	standIn.setFault({kind: 'truncate', route: 'cdn', count: 1});
	const truncated = await fetch(cdnUrl(path));
	t.is(Number(truncated.headers.get('content-length')), size);
	await t.throwsAsync(truncated.arrayBuffer());
	const entry = standIn.requests().at(-1)!;
	t.true(entry.bytesSent > 0 && entry.bytesSent < size, `${entry.bytesSent} of ${size} bytes sent`);

	standIn.setFault({kind: 'truncate', route: 'api', count: 1});
	await t.throwsAsync(async () => (await listPage({})).json());

	// A stall far longer than the test: the first part arrives, then nothing within a generous wait.
	standIn.setFault({kind: 'stall', ms: 120_000, route: 'cdn', count: 1});
	const controller = new AbortController();
	const stalled = await fetch(cdnUrl(path), {signal: controller.signal});
	const reader = stalled.body!.getReader();
	let received = 0;
	let timedOut = false;
	while (received < size) {
		const next = await Promise.race([reader.read(), new Promise<'silent'>((resolve) => setTimeout(resolve, 400, 'silent'))]);
		if (next === 'silent') {
			timedOut = true;
			break;
		}

		if (next.done) break;
		received += next.value.length;
	}

	controller.abort();
	t.true(timedOut, 'the body stopped arriving');
	t.true(received > 0 && received < size);
	t.is((await fetch(cdnUrl(path))).status, 200, 'the next request is served normally');
});

serial('range faults: ignore-range answers 200 with the whole file, wrong-range starts elsewhere', async (t) => {
	const path = `/${firstGrid().id}/0_2.png`;
	const whole = standIn.fileBytes(path);
	standIn.setFault({kind: 'ignore-range', count: 1});
	t.is((await fetch(cdnUrl(path))).status, 200, 'a plain request does not use up a range fault');
	const ignored = await fetch(cdnUrl(path), {headers: {range: 'bytes=1000-'}});
	t.is(ignored.status, 200);
	t.deepEqual(Buffer.from(await ignored.arrayBuffer()), whole);

	standIn.setFault({kind: 'wrong-range', count: 1});
	const wrong = await fetch(cdnUrl(path), {headers: {range: 'bytes=1000-'}});
	t.is(wrong.status, 206);
	const [, start] = /^bytes (\d+)-/.exec(wrong.headers.get('content-range')!)!;
	t.not(Number(start), 1000);
	t.deepEqual(Buffer.from(await wrong.arrayBuffer()), whole.subarray(Number(start)));
});

serial('pathIncludes and route limit a fault to one file or one origin', async (t) => {
	const job = firstGrid();
	standIn.setFault({kind: 'server-error', status: 502, route: 'cdn', pathIncludes: `${job.id}/0_1.png`});
	t.is((await fetch(cdnUrl(`/${job.id}/0_1.png`))).status, 502);
	t.is((await fetch(cdnUrl(`/${job.id}/0_0.png`))).status, 200);
	t.is((await listPage({pageSize: 1})).status, 200);
	t.is((await fetch(cdnUrl(`/${job.id}/0_1.png`))).status, 502, 'without a count the fault stays until cleared');
	standIn.clearFaults();
	t.is((await fetch(cdnUrl(`/${job.id}/0_1.png`))).status, 200);

	standIn.setFault({kind: 'cloudflare', status: 403, route: 'cdn', count: 1});
	t.is((await listPage({pageSize: 1})).status, 200);
	const challenge = await fetch(cdnUrl(`/${job.id}/0_0.png`));
	t.is(challenge.status, 403);
	t.true((await challenge.text()).includes('<title>Just a moment...</title>'));

	t.throws(() => standIn.setFault({kind: 'server-eror'} as unknown as Fault), {message: /unknown stand-in fault kind/});
	t.throws(() => standIn.setFault({kind: 'reset', count: 0}), {instanceOf: RangeError});
});

// The command

test('npm run stand-in prints env lines that work, and stops cleanly on Ctrl-C', async (t) => {
	const child = spawn(process.execPath, ['--import=tsx', 'fixtures/cli.ts', '--jobs', '12', '--seed', '5'], {stdio: ['ignore', 'pipe', 'pipe']});
	t.teardown(() => child.kill('SIGKILL'));
	let output = '';
	child.stdout.setEncoding('utf8');
	const exportLine = await new Promise<string>((resolve, reject) => {
		child.stdout.on('data', (chunk: string) => {
			output += chunk;
			const line = output.split('\n').find((candidate) => candidate.startsWith('export MJ_TUI_API_BASE='));
			if (line !== undefined && output.includes('Ctrl-C')) resolve(line);
		});
		child.once('exit', (code) => reject(new Error(`stand-in exited (${code}) before printing its env lines: ${output}`)));
	});
	const env = Object.fromEntries(exportLine.slice('export '.length).split(' ').map((pair) => pair.split('=', 2) as [string, string]));
	const userId = /for user ([\da-f-]{36})/.exec(output)![1];
	const page = await fetch(`${env.MJ_TUI_API_BASE}/api/imagine?user_id=${userId}&page_size=50`, {
		headers: {cookie: `__Host-Midjourney.AuthUserTokenV3_i=${env.MJ_TUI_TOKEN}`, 'x-csrf-protection': '1'},
	});
	const jobs = ((await page.json()) as Page).data;
	t.is(jobs.length, 12);
	t.is((await fetch(`${env.MJ_TUI_CDN_BASE}/${jobs[0].id}/0_0.png`)).status, 200);
	const refreshed = await fetch(`${env.MJ_TUI_TOKEN_BASE}/v1/token?key=${env.MJ_TUI_TOKEN_API_KEY}`, {
		method: 'POST',
		body: new URLSearchParams({grant_type: 'refresh_token', refresh_token: env.MJ_TUI_REFRESH_TOKEN}),
	});
	t.is(refreshed.status, 200);
	const exited = new Promise<number | null>((resolve) => {
		child.once('exit', resolve);
	});
	child.kill('SIGINT');
	t.is(await exited, 0);
});
