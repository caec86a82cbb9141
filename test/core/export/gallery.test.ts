import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import test from 'ava';
import {chromium, type Browser, type Page} from 'playwright-core';
import {exportCommand} from '../../../source/commands/export.js';
import {hostilePrompts} from '../../../fixtures/jobs.js';
import type {Job} from '../../../source/core/job.js';
import {runCommand, syncedArchive, type ToolsArchive} from '../../helpers/tools-archive.js';

// The page functions below run in chromium; these are the few DOM shapes they use (the project compiles without the DOM lib).
declare const document: {querySelectorAll(selector: string): {length: number}};
interface HTMLImageElement {
	naturalWidth: number;
	decode(): Promise<void>;
}

let archive: ToolsArchive;
let browser: Browser;
let jobs: Job[];
let galleryUrl: string;
const chromiumPath = '/usr/bin/chromium';

test.before(async () => {
	archive = await syncedArchive(40, {likedOthers: 5});
	jobs = [...archive.store.iterateJobs()].filter(job => job.files.done > 0);
	const out = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-tui-gallery-'));
	const result = await runCommand(exportCommand, ['--format', 'html', '--out', path.join(out, 'gallery')], archive.config);
	if (result.code !== 0) throw new Error(result.error?.message ?? result.stderr);
	galleryUrl = pathToFileURL(path.join(out, 'gallery', 'index.html')).href;
	browser = await chromium.launch({
		executablePath: chromiumPath,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
	});
});
test.after.always(async () => {
	await browser?.close();
	await archive?.close();
});

interface Watched {
	page: Page;
	errors: string[];
	dialogs: string[];
}

/** Open the gallery, recording console errors, page errors, failed loads and any dialog (an executed alert). */
async function openGallery(): Promise<Watched> {
	const page = await browser.newPage({viewport: {width: 1280, height: 900}});
	const watched: Watched = {page, errors: [], dialogs: []};
	page.on('console', message => {
		if (message.type() === 'error') watched.errors.push(message.text());
	});
	page.on('pageerror', error => watched.errors.push(error.message));
	page.on('requestfailed', request => watched.errors.push(`failed: ${request.url()}`));
	page.on('dialog', dialog => {
		watched.dialogs.push(dialog.message());
		void dialog.dismiss();
	});
	await page.goto(galleryUrl);
	await page.waitForSelector('body[data-ready="true"]');
	return watched;
}

const imageCount = (list: Job[]) => list.reduce((sum, job) => sum + job.files.done, 0);
const tiles = (page: Page) => page.locator('#grid .tile').count();

test('the gallery loads from file:// without errors, renders in pages and shows real thumbnails', async t => {
	const {page, errors, dialogs} = await openGallery();
	const total = imageCount(jobs);
	t.true(total > 120, 'more images than one page');
	t.is(await page.locator('#count').textContent(), `${total} of ${total} images`);
	t.is(await tiles(page), 120, 'only the first page is rendered');
	t.is(await page.locator('#grid img[loading="lazy"]').count(), 120);
	await page.locator('#grid .tile').first().locator('img').evaluate(img => (img as HTMLImageElement).decode());
	t.true(await page.locator('#grid .tile img').first().evaluate(img => (img as HTMLImageElement).naturalWidth > 0), 'thumbnail decoded');
	await page.locator('#sentinel').scrollIntoViewIfNeeded();
	await page.waitForFunction(expected => document.querySelectorAll('#grid .tile').length === expected, total);
	t.deepEqual(errors, []);
	t.deepEqual(dialogs, []);
	await page.close();
});

test('search and filters narrow the grid', async t => {
	const {page, errors} = await openGallery();
	// Typed in the box, the last word is a prefix: prompts with a word starting with fox (the query language's own tests are in gallery-search).
	const foxes = jobs.filter(job => /(^|[^\p{L}\p{N}])fox/iu.test(job.prompt));
	t.true(foxes.length > 0);
	await page.fill('#search', 'fox');
	await page.waitForFunction(expected => document.querySelectorAll('#grid .tile').length === expected, imageCount(foxes));
	t.regex((await page.locator('#count').textContent())!, new RegExp(`^${imageCount(foxes)} of `));

	await page.fill('#search', '');
	const type = jobs.find(job => job.jobType.includes('upscale'))!.jobType;
	await page.selectOption('#type', type);
	const ofType = jobs.filter(job => job.jobType === type);
	await page.waitForFunction(expected => document.querySelectorAll('#grid .tile').length === expected, imageCount(ofType));

	// The aspect list holds the ratio the archive derives (what --ar filters on): a prompt typed bare is 1:1 by its size.
	await page.selectOption('#type', '');
	await page.selectOption('#aspect', '1:1');
	const square = new Set(archive.store.search('--ar 1:1', {limit: 10_000}).map(hit => hit.job.id));
	const ofAspect = jobs.filter(job => square.has(job.id));
	t.true(ofAspect.some(job => job.parameters.ar === undefined), 'some 1:1 jobs were typed without --ar');
	await page.waitForFunction(expected => document.querySelectorAll('#grid .tile').length === expected, imageCount(ofAspect));
	t.deepEqual(errors, []);
	await page.close();
});

test('the liked filter keeps the liked images; each tile says whether it is liked', async t => {
	const {page, errors} = await openGallery();
	const liked = new Set(archive.store.search('liked:yes', {limit: 1000}).map(hit => hit.job.id));
	const likedJobs = jobs.filter(job => liked.has(job.id));
	t.true(likedJobs.length > 5 && likedJobs.length < jobs.length, 'liked and not liked jobs, other people\'s among the liked');
	await page.selectOption('#liked', 'true');
	await page.waitForFunction(expected => document.querySelectorAll('#grid .tile').length === expected, imageCount(likedJobs));
	t.is(await page.locator('#grid .tile[data-liked="false"]').count(), 0);
	t.regex((await page.locator('#count').textContent())!, new RegExp(`^${imageCount(likedJobs)} of `));
	await page.locator('#grid .tile').first().click();
	t.regex((await page.locator('#lb-params').textContent())!, /likedyes/);
	await page.keyboard.press('Escape');
	await page.selectOption('#liked', 'false');
	const others = jobs.filter(job => !liked.has(job.id));
	await page.waitForFunction(expected => document.querySelectorAll('#grid .tile').length === Math.min(expected, 120), imageCount(others));
	t.is(await page.locator('#grid .tile[data-liked="true"]').count(), 0);
	t.regex((await page.locator('#count').textContent())!, new RegExp(`^${imageCount(others)} of `));
	t.deepEqual(errors, []);
	await page.close();
});

for (const [word, index] of [['tweed', 11], ['bouquet', 17]] as const) {
	test(`a hostile prompt (${JSON.stringify(hostilePrompts.get(index)!.slice(0, 24))}...) shows as text in the lightbox and runs nothing`, async t => {
		const {page, errors, dialogs} = await openGallery();
		const job = jobs.find(candidate => candidate.prompt.includes(word))!;
		t.truthy(job, 'the stand-in job with this hostile prompt is archived');
		await page.fill('#search', word);
		await page.waitForFunction(expected => document.querySelectorAll('#grid .tile').length === expected, job.files.done);
		await page.locator('#grid .tile').first().click();
		await page.waitForSelector('#lightbox:not([hidden])');
		t.is(await page.locator('#lb-prompt').textContent(), job.prompt);
		t.is(await page.locator('#lb-command').textContent(), job.fullCommand);
		t.true((await page.locator('#lb-params').textContent())!.includes(job.id));
		await page.locator('#lb-image').evaluate(img => (img as HTMLImageElement).decode());
		t.true(await page.locator('#lb-image').evaluate(img => (img as HTMLImageElement).naturalWidth > 0), 'the full-size image loads from the archive');
		// Nothing the prompt carried became markup or ran.
		t.is(await page.locator('script').count(), 2);
		t.is(await page.locator('img[src="x"]').count(), 0);
		t.is(await page.evaluate(() => document.querySelectorAll('[onerror]').length), 0);
		await page.keyboard.press('Escape');
		await page.waitForSelector('#lightbox[hidden]', {state: 'attached'});
		t.deepEqual(dialogs, []);
		t.deepEqual(errors, []);
		await page.close();
	});
}
