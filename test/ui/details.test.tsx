/**
 * The details pane through the whole app (ink-testing-library): a real
 * archive of the stand-in's generated jobs, whose families come from
 * parent_id. The Family section shows the parent and the children, Enter
 * goes to a relative, `u` to the parent (through a filter that hides it);
 * every file of a grid is reachable at 80x24 with no blank gap above the files.
 */
import test from 'ava';
import React from 'react';
import {render} from 'ink-testing-library';
import {defaultConfig} from '../../source/core/config/config.js';
import {createDownloadEngine} from '../../source/core/downloads/engine.js';
import type {ApiJob} from '../../source/core/job.js';
import {App} from '../../source/ui/app.js';
import type {TuiServices} from '../../source/ui/services.js';
import {themeFor} from '../../source/ui/theme.js';
import {keys, makeArchive, press, waitForFrame, type TestArchive} from '../helpers/ui-testing.js';

const plain = themeFor({NO_COLOR: '1'});
const missingParent = '00000000-dead-4000-8000-00000000beef';
const orphan: ApiJob = {id: 'ffffffff-0000-4000-8000-0000000000a1', enqueue_time: '2030-01-01T00:00:00Z', full_command: 'an orphaned upscale --v 7', job_type: 'v7_upscale', event_type: 'upscale', parent_id: missingParent, parent_grid: 3, batch_size: 1};

let archive: TestArchive;
test.before(() => {
	archive = makeArchive(80, [orphan]);
});
test.after.always(() => archive?.cleanup());

/** The app over the test archive at a terminal size; unmounted (and its engine stopped) when the test ends. */
function renderApp(t: {teardown(fn: () => unknown): void}, columns: number, rows: number) {
	const engine = createDownloadEngine(archive.store, {...defaultConfig, archive: archive.dir});
	const services: TuiServices = {
		archive: archive.store,
		engine,
		sync: () => Promise.reject(new Error('no sync in this test')),
		openImage: (absolutePath) => `image: ${absolutePath}`,
	};
	const app = render(<App services={services} columns={columns} rows={rows} theme={plain} />);
	Object.defineProperty(app.stdout, 'columns', {get: () => columns});
	app.stdout.emit('resize');
	t.teardown(async () => {
		app.unmount();
		await engine.stop();
	});
	return app;
}

type Rendered = ReturnType<typeof renderApp>;

/** Move the jobs table's cursor onto `jobId` with j, one key at a time. */
async function select(app: Rendered, jobId: string) {
	const order = archive.store.listJobs({limit: 200}).map((job) => job.id);
	const position = order.indexOf(jobId);
	let frame = await waitForFrame(app.lastFrame, (text) => text.includes(`of ${order.length}`));
	for (let step = 0; step < position; step++) frame = await press(app, 'j');
	return frame;
}

/** The frame's line for the shown job: `Job     <id> · <date>`. */
const shownJob = (frame: string) => /^Job +(\S+)/m.exec(frame)?.[1];

/** A generated grid (batch 4) that has a parent and children: the Family section has both kinds of line. */
function middleGrid() {
	const jobs = archive.jobs;
	const hasChildren = (id: string) => jobs.some((job) => job.parent_id === id);
	const found = jobs.find((job) => typeof job.parent_id === 'string' && job.batch_size === 4 && hasChildren(job.id) && jobs.some((other) => other.id === job.parent_id));
	if (!found) throw new Error('the generated jobs hold no grid with both a parent and children');
	return found;
}

/** Give the job four downloaded files, as the engine would have recorded them. */
function downloadedFiles(jobId: string) {
	const planned = [0, 1, 2, 3].map((idx) => ({jobId, idx, variant: 'png', url: `https://cdn.example/${jobId}/0_${idx}.png`, path: `images/2026/11/a-long-folder-name-for-this-test/${jobId}_${idx}.png`}));
	archive.store.images.insert(planned);
	const rows = archive.store.images.ofJob(jobId);
	archive.store.images.markDone(rows.map((row) => ({id: row.id, path: row.path!, bytes: 1000 + row.index, sha256: `${row.index}`.repeat(64), duplicateOf: null})));
}

test.serial('80x24: the Family section shows parent and children; Enter goes to a child, u back to the parent; all four files reachable', async (t) => {
	const job = middleGrid();
	downloadedFiles(job.id);
	const children = archive.jobs.filter((other) => other.parent_id === job.id);
	const app = renderApp(t, 80, 24);
	await select(app, job.id);
	let frame = await press(app, keys.tab, (text) => text.includes('Params'));
	t.is(shownJob(frame), job.id);
	t.regex(frame, new RegExp(`Family \\(parent, ${children.length} made from it\\)`));
	t.regex(frame, /^› ↑ parent: (grid|variation|pan|draft grid) · \d{4}-\d\d-\d\d \d\d:\d\d · image #\d/m, 'the parent line, selected first');
	t.is(frame.split('\n').filter((line) => /^ {2}↓ /.test(line)).length, Math.min(children.length, frame.split('\n').filter((line) => line.includes('↓')).length));
	t.regex(frame, /↓ (upscale|variation|pan|video|video extension)( of #\d)? · \d{4}-/);

	// No blank rows between the fields and the scrolling part: prompt lines, then Family right away.
	const lines = frame.split('\n');
	const params = lines.findIndex((line) => line.startsWith('Params'));
	const family = lines.findIndex((line) => line.startsWith('Family'));
	t.true(family > params + 1, 'the prompt sits between Params and Family');
	for (const line of lines.slice(params + 1, family)) t.not(line.trim(), '', `a blank row above the Family section:\n${frame}`);

	// Every file is reachable: walk down to the last one.
	for (let index = 0; index < children.length + 1 + 4 - 1; index++) frame = await press(app, 'j');
	t.regex(frame, /^› #3 png done/m, `the last file is selected:\n${frame}`);
	const shownPaths = frame.split('\n').filter((line) => /_\d\.png/.test(line));
	t.true(shownPaths.some((line) => line.includes(`_3.png`)), 'the last file’s path keeps its end');
	t.true(shownPaths.every((line) => line.includes('images/2026/11/')), 'and its start: paths are shortened in the middle');
	t.true(frame.split('\n').length <= 23, 'the frame stays rows-1 high');
	for (const index of [0, 1, 2]) {
		frame = await press(app, 'k');
		t.regex(frame, new RegExp(`^› #${index === 0 ? 2 : index === 1 ? 1 : 0} png done`, 'm'));
	}
	t.true(frame.includes('_0.png'), 'the first file scrolled back into view');

	// Enter on the first child goes to it; u comes back.
	frame = await press(app, 'g');
	frame = await press(app, 'j', (text) => /^› ↓ /m.test(text));
	const firstChild = children.sort((a, b) => String(a.enqueue_time).localeCompare(String(b.enqueue_time)))[0]!;
	frame = await press(app, keys.enter, (text) => shownJob(text) === firstChild.id);
	t.regex(frame, /^› ↑ parent: /m, 'the child’s own family: its parent is the job we came from');
	frame = await press(app, 'u', (text) => shownJob(text) === job.id);
	t.is(shownJob(frame), job.id);
	frame = await press(app, 'u', (text) => shownJob(text) === job.parent_id);
	t.is(shownJob(frame), job.parent_id as string);
	app.stdin.write(keys.tab);
	app.stdin.write(keys.tab);
	frame = await waitForFrame(app.lastFrame, (text) => /›.*\d{4}-\d\d-\d\d/.test(text) && text.includes('Enter details'));
});

test.serial('a parent not in the archive is named by its id; u says so instead of doing nothing', async (t) => {
	const app = renderApp(t, 80, 24);
	await select(app, orphan.id);
	let frame = await press(app, keys.tab, (text) => text.includes('Params'));
	t.is(shownJob(frame), orphan.id);
	t.regex(frame, new RegExp(`↑ parent ${missingParent} · image #3 · not in archive`));
	t.regex(frame, /Family \(parent, nothing made from it\)/);
	frame = await press(app, keys.enter, (text) => text.includes('not in the archive'));
	t.is(shownJob(frame), orphan.id, 'the details stay on the job');
	frame = await press(app, keys.escape, (text) => text.includes('Enter details'));
	frame = await press(app, 'u', (text) => text.includes('not in the archive'));
	t.regex(frame, /^› .*an orphaned upscale/m, 'the table stays on the job');
});

test.serial('u goes to a parent the jobs filter hides: the filter is cleared and the notice says why', async (t) => {
	const upscales = archive.store.listJobs({filter: {types: ['upscale']}, limit: 200});
	const position = upscales.findIndex((job) => job.parentId !== null && archive.store.getJob(job.parentId) !== undefined);
	const child = upscales[position]!;
	const app = renderApp(t, 80, 24);
	await waitForFrame(app.lastFrame, (text) => text.includes('Enter details'));
	app.stdin.write('f');
	await waitForFrame(app.lastFrame, (text) => text.includes('filter'));
	for (const character of 'type:upscale') app.stdin.write(character);
	await waitForFrame(app.lastFrame, (text) => text.includes('type:upscale'));
	let frame = await press(app, keys.enter, (text) => text.includes(`1–${Math.min(18, upscales.length)} of ${upscales.length}`));
	for (let step = 0; step < position; step++) frame = await press(app, 'j');
	frame = await press(app, keys.tab, (text) => text.includes('Params'));
	t.is(shownJob(frame), child.id);
	// The parent is selected in the unfiltered list.
	frame = await press(app, 'u', (text) => text.includes('filter cleared') && shownJob(text) === child.parentId);
	t.regex(frame, /filter cleared: the parent \S+ is outside it/);
	app.stdin.write(keys.escape);
	frame = await waitForFrame(app.lastFrame, (text) => text.includes('Enter details'));
	t.regex(frame, new RegExp(`of ${archive.jobs.length}`), 'the table lists every job again');
});

test.serial('a liked job says so in the details, with its author; the account’s own and a withdrawn like too; a job never liked has no Liked line', async (t) => {
	const order = archive.store.listJobs({limit: 200}).map((job) => job.id);
	const [others, own, withdrawn, never] = [order[3]!, order[4]!, order[5]!, order[6]!];
	const likedAt = Date.now();
	archive.store.likes.record(
		[
			{jobId: others, authorId: 'u-ada', authorName: 'Ada\nLovelace', authorUsername: 'ada', own: false},
			{jobId: own, authorId: 'u-me', authorName: null, authorUsername: null, own: true},
			{jobId: withdrawn, authorId: 'u-bo', authorName: null, authorUsername: 'bo', own: false},
		],
		likedAt,
	);
	archive.store.likes.markUnseenUnliked(likedAt + 1, likedAt + 2);
	archive.store.likes.record([{jobId: others, authorId: null, authorName: null, authorUsername: null, own: null}, {jobId: own, authorId: null, authorName: null, authorUsername: null, own: null}], likedAt + 3);

	const app = renderApp(t, 140, 40);
	// Jobs and Details side by side: the details' lines end each row.
	const liked = (frame: string) => /\bLiked +(.+?)\s*$/m.exec(frame)?.[1];
	const shownJob = (frame: string) => /\bJob +(\S+)/.exec(frame)?.[1];
	let frame = await select(app, others);
	t.is(shownJob(frame), others);
	t.is(liked(frame), 'yes · by Ada Lovelace (@ada)', 'the author as the likes told it, on one line; an author left out later keeps what was learnt');
	frame = await press(app, 'j');
	t.is(shownJob(frame), own);
	t.is(liked(frame), 'yes · your own job');
	frame = await press(app, 'j');
	t.is(shownJob(frame), withdrawn);
	t.is(liked(frame), 'withdrawn · by @bo', 'a like a full walk no longer found');
	frame = await press(app, 'j');
	t.is(shownJob(frame), never);
	t.is(liked(frame), undefined);
});
