/**
 * The HTML gallery speaks mj-tui's query language, through the installed
 * binary: a stand-in account synced and downloaded by `mj-tui --batch`,
 * exported by `mj-tui export --format html` (whose gallery.js carries the
 * search engine the bundle inlined), opened from file:// in chromium. The
 * issue's queries show exactly the cards a reader expects, the same jobs
 * `mj-tui search` finds.
 */
import fs from 'node:fs';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import test from 'ava';
import {chromium} from 'playwright-core';
import {runBinTo} from '../helpers/bin-run.js';
import {assertRun, faultScene, finish, requireBuiltBin} from '../helpers/fault-run.js';

// The page function below runs in chromium; this is the DOM shape it uses (the project compiles without the DOM lib).
declare const document: {
	querySelector(selector: string): {textContent: string | null} | null;
	querySelectorAll(selector: string): ArrayLike<{dataset: Record<string, string>}>;
};

test.before(requireBuiltBin);

interface GalleryEntry {
	id: string;
	prompt: string;
	images: unknown[];
}

/** Where a word starts: after the start or a character FTS5 treats as a separator (ASCII-wise enough for these prompts). */
const wordStart = (word: string) => new RegExp(`(^|[^\\p{L}\\p{N}])${word}`, 'iu');
const word = (text: string) => new RegExp(`(^|[^\\p{L}\\p{N}])${text}($|[^\\p{L}\\p{N}])`, 'iu');

/** The queries of issue 13 §5 with what a reader expects them to find, as typed in the box (the last word a prefix). */
const expectations: Array<[query: string, expected: (prompt: string) => boolean]> = [
	['"basalt cliff"', prompt => /basalt[^\p{L}\p{N}]+cliff/iu.test(prompt)],
	['lighthouse -isometric', prompt => word('lighthouse').test(prompt) && !wordStart('isometric').test(prompt)],
	['lighthouse OR fox', prompt => word('lighthouse').test(prompt) || wordStart('fox').test(prompt)],
	['light*', prompt => wordStart('light').test(prompt)],
	['zurich', prompt => wordStart('z[uü]rich').test(prompt)],
];

test('the exported gallery finds what mj-tui search finds for phrases, exclusions, OR, prefixes and accents', async t => {
	const scene = await faultScene(t, {jobs: 40});
	const synced = await finish(scene, scene.start());
	assertRun(t, synced, 0);
	const out = path.join(scene.box.root, 'gallery');
	const exported = await runBinTo(['export', '--format', 'html', '--out', out, '--archive', scene.archive], {cwd: scene.box.project, env: scene.env});
	t.is(exported.code, 0, exported.stderr);

	// The page's own data block: the jobs and images it shows.
	const html = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
	const data = JSON.parse(/<script type="application\/json" id="gallery-data">([\s\S]*?)<\/script>/.exec(html)![1]!) as {jobs: GalleryEntry[]};
	const totalImages = data.jobs.reduce((sum, job) => sum + job.images.length, 0);
	// The stand-in's prompts make each query select: a lighthouse that is isometric, basalt and cliff apart, ZÜRICH.
	t.true(data.jobs.some(job => word('lighthouse').test(job.prompt) && word('isometric').test(job.prompt)));
	t.true(data.jobs.some(job => word('basalt').test(job.prompt) && word('cliff').test(job.prompt) && !/basalt cliff/i.test(job.prompt)));
	t.true(data.jobs.some(job => job.prompt.includes('ZÜRICH')));

	const browser = await chromium.launch({
		executablePath: '/usr/bin/chromium',
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
	});
	t.teardown(async () => browser.close());
	const page = await browser.newPage({viewport: {width: 1280, height: 900}});
	const errors: string[] = [];
	page.on('pageerror', error => errors.push(error.message));
	page.on('console', message => {
		if (message.type() === 'error') errors.push(message.text());
	});
	await page.goto(pathToFileURL(path.join(out, 'index.html')).href);
	await page.waitForSelector('body[data-ready="true"]');

	for (const [query, expected] of expectations) {
		const jobs = data.jobs.filter(job => expected(job.prompt));
		const images = jobs.reduce((sum, job) => sum + job.images.length, 0);
		t.true(jobs.length > 0 && images < totalImages, `${query}: the archive has some jobs to find and some to leave`);
		t.true(images <= 120, 'every card fits the first page');
		await page.fill('#search', query);
		await page.waitForFunction(text => document.querySelector('#count')?.textContent === text, `${images} of ${totalImages} images`);
		const shown = await page.evaluate(() => Array.from(document.querySelectorAll('#grid .tile'), tile => tile.dataset.job!));
		t.deepEqual([...new Set(shown)].sort(), jobs.map(job => job.id).sort(), query);
		t.is(shown.length, images, `${query}: every image of those jobs`);

		const searched = await runBinTo(['search', '--json', '--limit', '1000', '--archive', scene.archive, query], {cwd: scene.box.project, env: scene.env});
		t.is(searched.code, 0, searched.stderr);
		const cliIds = searched.stdout.trim().split('\n').filter(Boolean).map(line => (JSON.parse(line) as {id: string}).id);
		t.deepEqual(cliIds.filter(id => jobs.some(job => job.id === id)).sort(), jobs.map(job => job.id).sort(), `${query}: mj-tui search finds the same jobs`);
	}

	t.deepEqual(errors, []);
});
