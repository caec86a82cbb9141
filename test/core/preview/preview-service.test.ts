/**
 * The preview service against a real HTTP server on 127.0.0.1 standing in
 * for the CDN, and real files: thumbnails for files not downloaded (with the
 * cookie only where downloads would send it), failures said in words and
 * remembered, the latest wish wins (an unwanted fetch is aborted), and a
 * downloaded file's picture is made once and then served from the cache.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import sharp from 'sharp';
import {PreviewService, type PreviewFile} from '../../../source/core/preview/preview-service.js';
import {defaultCellPixels, type RendererChoice} from '../../../source/core/preview/renderers.js';
import {threadsOfThisProcess} from '../../helpers/threads.js';

const choice: RendererChoice = {renderer: 'blocks', colour: 'truecolor', tmux: false, cell: defaultCellPixels, reason: ''};
const box = {columns: 20, rows: 6};

interface Cdn {
	base: string;
	requests: Array<{url: string; cookie: string | undefined; agent: string | undefined}>;
	/** Paths whose answer waits until released; resolves when the client went away. */
	held: Map<string, {release: () => void; closed: Promise<void>}>;
	close(): Promise<void>;
}

async function startCdn(): Promise<Cdn> {
	const webp = await sharp({create: {width: 64, height: 64, channels: 3, background: {r: 200, g: 40, b: 10}}}).webp().toBuffer();
	const requests: Cdn['requests'] = [];
	const held: Cdn['held'] = new Map();
	const server = http.createServer((request, response) => {
		const url = request.url ?? '';
		requests.push({url, cookie: request.headers.cookie, agent: request.headers['user-agent']});
		const answer = () => {
			if (url.includes('missing')) return response.writeHead(404, {'content-type': 'text/plain'}).end('no');
			if (url.includes('challenged')) return response.writeHead(403, {'content-type': 'text/html'}).end('<html><head><title>Just a moment...</title></head><body>cf-chl</body></html>');
			response.writeHead(200, {'content-type': 'image/webp', 'content-length': webp.length}).end(webp);
		};
		if (url.includes('slow')) {
			let release!: () => void;
			const go = new Promise<void>((resolve) => (release = resolve));
			const closed = new Promise<void>((resolve) => response.on('close', () => resolve()));
			held.set(url, {release, closed});
			void go.then(answer);
			return;
		}
		answer();
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as {port: number};
	return {
		base: `http://127.0.0.1:${port}`,
		requests,
		held,
		close: () => new Promise((resolve) => server.close(() => resolve())),
	};
}

const notDownloaded = (jobId: string, index = 0): PreviewFile => ({jobId, index, path: null, sha256: null, status: 'pending'});

function ready(service: PreviewService, files: PreviewFile[]): Promise<void> {
	return new Promise((resolve) => {
		service.want(
			files.map((file) => ({file, box})),
			() => files.every((file) => service.peek(file, box)) && resolve(),
		);
	});
}

test('a file not downloaded shows the CDN thumbnail, fetched with the user agent and (loopback CDN) the cookie', async (t) => {
	const cdn = await startCdn();
	t.teardown(() => cdn.close());
	const service = new PreviewService({archiveDir: os.tmpdir(), choice, cdnBase: cdn.base, userAgent: 'mj-tui-test', cookie: 'cf_clearance=abc'});
	const file = notDownloaded('job-a', 2);
	await ready(service, [file]);
	const result = service.peek(file, box)!;
	t.true('picture' in result && result.from === 'thumbnail');
	t.true('picture' in result && result.picture.kind === 'overlay-rows' && result.picture.lines[0]!.includes('38;2;'), 'drawn in colour');
	t.deepEqual(cdn.requests, [{url: '/job-a/0_2_384_N.webp', cookie: 'cf_clearance=abc', agent: 'mj-tui-test'}]);

	service.close();
});

test('failures are said in words and remembered, not fetched again at once; a challenge page is not taken for a picture', async (t) => {
	const cdn = await startCdn();
	t.teardown(() => cdn.close());
	const service = new PreviewService({archiveDir: os.tmpdir(), choice, cdnBase: cdn.base, userAgent: 'ua'});
	const missing = notDownloaded('missing');
	const challenged = notDownloaded('challenged');
	await ready(service, [missing, challenged]);
	t.deepEqual(service.peek(missing, box), {message: 'not downloaded yet (d downloads it); no thumbnail: HTTP 404'});
	t.regex((service.peek(challenged, box) as {message: string}).message, /Cloudflare's challenge/);
	const asked = cdn.requests.length;
	service.want([{file: missing, box}], () => {});
	t.is(cdn.requests.length, asked, 'a remembered failure is not asked again');

	const offline = new PreviewService({archiveDir: os.tmpdir(), choice, cdnBase: 'http://127.0.0.1:1', userAgent: 'ua'});
	const file = notDownloaded('job-c');
	await ready(offline, [file]);
	t.regex((offline.peek(file, box) as {message: string}).message, /^not downloaded yet \(d downloads it\); no thumbnail: fetch failed/);
	service.close();
	offline.close();
});

test('the latest wish wins: a thumbnail nobody wants any more is aborted and never shown', async (t) => {
	const cdn = await startCdn();
	t.teardown(() => cdn.close());
	const service = new PreviewService({archiveDir: os.tmpdir(), choice, cdnBase: cdn.base, userAgent: 'ua'});
	const slow = notDownloaded('slow');
	service.want([{file: slow, box}], () => {});
	while (!cdn.held.has('/slow/0_0_384_N.webp')) await new Promise((resolve) => setTimeout(resolve, 5));
	const next = notDownloaded('job-d');
	await ready(service, [next]);
	await cdn.held.get('/slow/0_0_384_N.webp')!.closed;
	t.is(service.peek(slow, box), undefined, 'the abandoned picture was not made');
	t.truthy(service.peek(next, box));
	service.close();
});

test('a grid’s pictures are told once, when the last is made (each telling is a whole frame), not one by one', async (t) => {
	const cdn = await startCdn();
	t.teardown(() => cdn.close());
	const service = new PreviewService({archiveDir: os.tmpdir(), choice, cdnBase: cdn.base, userAgent: 'ua', tellWithinMs: 60_000});
	t.teardown(() => service.close());
	// The second picture's thumbnail is held until its request arrives: the first is made by then.
	const files = [notDownloaded('grid'), {...notDownloaded('slow'), index: 1}, notDownloaded('grid', 2), notDownloaded('grid', 3)];
	const tells: number[] = [];
	const told = new Promise<void>((resolve) => {
		service.want(
			files.map((file) => ({file, box})),
			() => {
				tells.push(files.filter((file) => service.peek(file, box)).length);
				resolve();
			},
		);
	});
	for (;;) {
		const held = cdn.held.get('/slow/0_1_384_N.webp');
		if (held) {
			t.truthy(service.peek(files[0]!, box), 'the first picture is made');
			held.release();
			break;
		}
		await new Promise((resolve) => setTimeout(resolve, 5));
	}
	await told;
	t.deepEqual(tells, [4], 'one telling, with all four ready');
});

test('a downloaded file is drawn from disk once; the next ask is answered from the cache', async (t) => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-tui-preview-'));
	t.teardown(() => fs.rmSync(dir, {recursive: true, force: true}));
	fs.mkdirSync(path.join(dir, 'images'));
	await sharp({create: {width: 32, height: 32, channels: 3, background: {r: 0, g: 0, b: 255}}}).png().toFile(path.join(dir, 'images', 'a.png'));
	const service = new PreviewService({archiveDir: dir, choice, cdnBase: 'http://127.0.0.1:1', userAgent: 'ua'});
	const file: PreviewFile = {jobId: 'j', index: 0, path: 'images/a.png', sha256: 'f00d', status: 'done'};
	await ready(service, [file]);
	const result = service.peek(file, box)!;
	t.true('picture' in result && result.from === 'file');
	t.true('picture' in result && result.picture.kind === 'overlay-rows' && result.picture.lines.every((line) => line.includes('38;2;0;0;255;48;2;0;0;255')), 'the blue file');
	fs.rmSync(path.join(dir, 'images', 'a.png'));
	t.is(service.peek(file, box), result, 'served from the cache (the file is gone)');
	const gone = {...file, sha256: 'other'};
	await ready(service, [gone]);
	t.regex((service.peek(gone, box) as {message: string}).message, /^cannot show a\.png: /, 'a file that vanished says so');
	service.close();
});

(process.platform === 'linux' ? test : test.skip)('pictures are decoded at the lowest priority: a key’s frame on a one-core box gets the core first', async (t) => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-tui-preview-'));
	t.teardown(() => fs.rmSync(dir, {recursive: true, force: true}));
	fs.mkdirSync(path.join(dir, 'images'));
	await sharp({create: {width: 256, height: 256, channels: 3, background: {r: 9, g: 90, b: 9}}}).png().toFile(path.join(dir, 'images', 'b.png'));
	const service = new PreviewService({archiveDir: dir, choice, cdnBase: 'http://127.0.0.1:1', userAgent: 'ua'});
	t.teardown(() => service.close());
	await ready(service, [{jobId: 'k', index: 0, path: 'images/b.png', sha256: 'beef', status: 'done'}]);
	const nice = threadsOfThisProcess().filter((thread) => thread.comm === 'libvips worker').map((thread) => thread.nice);
	t.true(nice.length > 0, 'sharp decoded on libvips’ threads');
	t.deepEqual(nice, nice.map(() => 19), 'every one of them at nice 19');
	t.is(os.getPriority(), 0, 'the app itself (its main thread) keeps its priority');
});
