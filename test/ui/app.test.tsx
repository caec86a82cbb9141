/**
 * The whole app through ink-testing-library: a real archive, the real download
 * engine and sync against the stand-in on 127.0.0.1. One key per write; every
 * wait is for a frame condition.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import React from 'react';
import {render} from 'ink-testing-library';
import {startStandIn} from '../../fixtures/stand-in.js';
import type {StandIn} from '../../fixtures/types.js';
import {ArchiveStore} from '../../source/core/archive/store.js';
import {defaultConfig, type Config} from '../../source/core/config/config.js';
import {createDownloadEngine} from '../../source/core/downloads/engine.js';
import type {DownloadEngine} from '../../source/core/downloads/types.js';
import {MidjourneyClient} from '../../source/core/midjourney/client.js';
import {syncJobs} from '../../source/core/sync.js';
import {App} from '../../source/ui/app.js';
import {keyTable} from '../../source/ui/keys.js';
import type {TuiServices} from '../../source/ui/services.js';
import {themeFor} from '../../source/ui/theme.js';
import {keys, waitForFrame} from '../helpers/ui-testing.js';
import {standInConfigValues} from '../../source/demo.js';

const plain = themeFor({NO_COLOR: '1'});

interface Rig {
	standIn: StandIn;
	store: ArchiveStore;
	engine: DownloadEngine;
	services: TuiServices;
	opened: string[];
	close(): Promise<void>;
}

async function rig(jobs = 40, tuning: Partial<Config> = {}, imageBytes?: number): Promise<Rig> {
	const standIn = await startStandIn({jobs, imageBytes});
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-tui-app-'));
	const config: Config = {
		...defaultConfig,
		...standInConfigValues(standIn),
		archive: dir,
		pagePauseMs: 0,
		retries: 0,
		concurrency: 2,
		stallTimeoutMs: 60_000,
		...tuning,
	};
	const store = ArchiveStore.open(dir);
	const engine = createDownloadEngine(store, config);
	const client = new MidjourneyClient(config);
	const opened: string[] = [];
	const services: TuiServices = {
		archive: store,
		engine,
		sync: ({signal, onProgress}) => syncJobs(store, client, {signal, onProgress, pageSize: 25}),
		openImage(absolutePath) {
			opened.push(absolutePath);
			return `image: ${absolutePath}`;
		},
	};
	return {
		standIn,
		store,
		engine,
		services,
		opened,
		async close() {
			await engine.stop();
			await client.close();
			store.close();
			await standIn.close();
			fs.rmSync(dir, {recursive: true, force: true});
		},
	};
}

/** Render at a terminal size (ink-testing-library's stdout is 100 wide; Ink reads the width from it). */
function renderApp(services: TuiServices, columns: number, rows: number) {
	const app = render(<App services={services} columns={columns} rows={rows} theme={plain} />);
	Object.defineProperty(app.stdout, 'columns', {get: () => columns});
	app.stdout.emit('resize');
	return app;
}

type Rendered = ReturnType<typeof renderApp>;

async function typeText(app: Rendered, text: string) {
	for (const character of text) app.stdin.write(character);
}

/** Width of a line in cells (box-drawing and arrows are single width). */
const cells = (line: string) => [...line].length;

async function syncFirst(app: Rendered, jobs: number) {
	app.stdin.write('s');
	return waitForFrame(app.lastFrame, (frame) => frame.includes(`of ${jobs}`) && frame.includes('synced'), 15_000);
}

test('80x24: sync fills the table, the frame fits rows-1 and 80 columns, Tab walks the panes', async (t) => {
	const r = await rig(40);
	t.teardown(() => r.close());
	const app = renderApp(r.services, 80, 24);
	let frame = await waitForFrame(app.lastFrame, (text) => text.includes('No jobs here yet'));
	frame = await syncFirst(app, 40);
	t.true(frame.includes('synced +40 new'), frame);
	const lines = frame.split('\n');
	t.true(lines.length <= 23, `frame is ${lines.length} lines high`);
	for (const line of lines) t.true(cells(line) <= 80, `line wider than 80: ${line}`);
	t.false(frame.includes('\u001B'), 'hostile prompts among the jobs draw no escape bytes');
	t.true(frame.includes('red alert neon city skyline'), 'the escaped prompt is shown as its text');

	app.stdin.write(keys.tab);
	frame = await waitForFrame(app.lastFrame, (text) => text.includes('Params'));
	t.true(frame.includes('Files'));
	app.stdin.write(keys.tab);
	frame = await waitForFrame(app.lastFrame, (text) => text.includes('Nothing queued'));
	t.regex(frame, /S\/E\/B\/N\/T sort  \? help  q\/\^C quit/, 'the queue footer lists its sort keys, and help and quit still fit');
	app.stdin.write(keys.shiftTab);
	frame = await waitForFrame(app.lastFrame, (text) => text.includes('Params'));
	app.stdin.write(keys.escape);
	await waitForFrame(app.lastFrame, (text) => text.includes('Enter details'));
	app.unmount();
});

test('search: typing finds a known prompt, Enter opens its details, n steps to the next hit', async (t) => {
	const r = await rig(40);
	t.teardown(() => r.close());
	const app = renderApp(r.services, 80, 24);
	await syncFirst(app, 40);
	const target = r.store.search('harbour', {limit: 200, prefixLast: true});
	t.true(target.length >= 2, 'the stand-in has several harbour prompts');
	app.stdin.write('/');
	await waitForFrame(app.lastFrame, (text) => text.includes('type words'));
	// The word being typed counts as a prefix: half a word already finds its jobs.
	await typeText(app, 'harb');
	const partial = r.store.search('harb', {limit: 200, prefixLast: true}).length;
	t.true(partial > 0);
	await waitForFrame(app.lastFrame, (text) => new RegExp(`/harb\\s+${partial} hits`).test(text));
	await typeText(app, 'our');
	let frame = await waitForFrame(app.lastFrame, (text) => new RegExp(`/harbour\\s+${target.length} hits`).test(text));
	app.stdin.write(keys.enter);
	frame = await waitForFrame(app.lastFrame, (text) => text.includes('Params') && text.includes(target[0]!.job.id));
	t.true(frame.includes('harbour'), 'the details show the prompt');
	app.stdin.write(keys.escape);
	await waitForFrame(app.lastFrame, (text) => text.includes('Enter details'));
	app.stdin.write('n');
	frame = await waitForFrame(app.lastFrame, (text) => text.includes(`hit 2 of ${target.length}`));
	const selected = frame.split('\n').find((line) => line.startsWith('›'))!;
	t.true(selected.includes('harbour'), selected);
	app.unmount();
});

test('search: parameter filters narrow the hits; an unbalanced quote is answered, not a crash', async (t) => {
	const r = await rig(60);
	t.teardown(() => r.close());
	const app = renderApp(r.services, 200, 60);
	await syncFirst(app, 60);
	const withV7 = r.store.search('--v 7', {limit: 200}).length;
	t.true(withV7 > 0);
	app.stdin.write('/');
	await typeText(app, '--v 7');
	await waitForFrame(app.lastFrame, (text) => text.includes(`${withV7} hits`));
	for (let index = 0; index < 5; index++) app.stdin.write(keys.backspace);
	await typeText(app, '"unclosed');
	const frame = await waitForFrame(app.lastFrame, (text) => text.includes('/"unclosed') && text.includes(' 0 hits'));
	t.false(/\bat \S+:\d+/.test(frame), 'no stack trace');
	app.unmount();
});

test('a failing sync shows one line in the status line, no stack; the table keeps what it had', async (t) => {
	const r = await rig(5);
	t.teardown(() => r.close());
	const app = renderApp(r.services, 80, 24);
	await syncFirst(app, 5);
	r.standIn.setFault({kind: 'server-error', status: 503, route: 'api'});
	app.stdin.write('s');
	const frame = await waitForFrame(app.lastFrame, (text) => text.includes('sync error:'), 20_000);
	t.true(frame.includes('of 5'), 'archived jobs stay listed');
	t.notRegex(frame, /\bat \S+ \(|node:internal/, 'no stack trace on screen');
	app.unmount();
});

test('200x60: help overlay lists every binding of the key table', async (t) => {
	const r = await rig(5);
	t.teardown(() => r.close());
	const app = renderApp(r.services, 200, 60);
	await waitForFrame(app.lastFrame, (text) => text.includes('Queue'));
	app.stdin.write('?');
	const frame = await waitForFrame(app.lastFrame, (text) => text.includes('Keys ('));
	for (const binding of keyTable) t.true(frame.includes(binding.description), `help lacks: ${binding.description}`);
	t.true(frame.split('\n').length <= 59);
	app.stdin.write('?');
	await waitForFrame(app.lastFrame, (text) => !text.includes('Keys ('));
	app.unmount();
});

test('80x24: help shows the keys everywhere and the focused pane’s first, readable', async (t) => {
	const r = await rig(5);
	t.teardown(() => r.close());
	const app = renderApp(r.services, 80, 24);
	await waitForFrame(app.lastFrame, (text) => text.includes('Tab switches'));
	app.stdin.write(keys.tab);
	app.stdin.write(keys.tab);
	await waitForFrame(app.lastFrame, (text) => text.includes('x cancel'));
	app.stdin.write('?');
	const frame = await waitForFrame(app.lastFrame, (text) => text.includes('Keys ('));
	for (const description of ['Sync now (fetch new jobs)', 'Retry every failed transfer', 'Sort by ETA (again: reverse)', 'Fewer downloads at once']) {
		t.true(frame.includes(description), `help lacks: ${description}`);
	}
	t.true(frame.split('\n').length <= 23);
	app.unmount();
});

test('filter line: f edits the filter with ^U, ^W and Backspace; a bad word is named; Enter applies, Esc keeps, F clears', async (t) => {
	const r = await rig(40);
	t.teardown(() => r.close());
	const app = renderApp(r.services, 200, 60);
	await syncFirst(app, 40);
	const type = r.store.listJobs({limit: 1})[0]!.jobType;
	const matching = r.store.countJobs({types: [type]});
	t.true(matching > 0 && matching < 40, 'the type narrows the list');

	app.stdin.write('f');
	await waitForFrame(app.lastFrame, (text) => text.includes('Enter applies'));
	await typeText(app, 'status:nope');
	app.stdin.write(keys.enter);
	await waitForFrame(app.lastFrame, (text) => text.includes('“status:nope”: status is one of'));
	app.stdin.write(keys.ctrlU);
	await waitForFrame(app.lastFrame, (text) => /filter: +type: since:/.test(text));
	await typeText(app, 'type:zzz extra');
	await waitForFrame(app.lastFrame, (text) => text.includes('filter: type:zzz extra'));
	app.stdin.write(keys.ctrlW);
	await waitForFrame(app.lastFrame, (text) => /filter: type:zzz +type: since:/.test(text));
	for (let index = 0; index < 3; index++) app.stdin.write(keys.backspace);
	await typeText(app, type);
	await waitForFrame(app.lastFrame, (text) => text.includes(`filter: type:${type} `));
	app.stdin.write(keys.enter);
	let frame = await waitForFrame(app.lastFrame, (text) => text.includes(`of ${matching} · filter: type:${type}`) && !text.includes('Enter applies'));
	t.regex(frame, new RegExp(`^filter: type:${type}$`, 'm'), 'the notice says what was applied');

	// Esc closes the line and keeps the filter as it was.
	app.stdin.write('f');
	await waitForFrame(app.lastFrame, (text) => text.includes(`filter: type:${type} `) && text.includes('Enter applies'));
	await typeText(app, ' status:complete');
	app.stdin.write(keys.escape);
	frame = await waitForFrame(app.lastFrame, (text) => !text.includes('Enter applies'));
	t.true(frame.includes(`of ${matching} · filter: type:${type}`));
	t.false(frame.includes('status:complete'));
	app.stdin.write('F');
	frame = await waitForFrame(app.lastFrame, (text) => text.includes('filter cleared') && !text.includes('· filter:') && text.includes('of 40'));
	t.false(frame.includes('Enter applies'));
	app.unmount();
});

test('help closes with ?, Esc or q, and q there does not quit', async (t) => {
	const r = await rig(5);
	t.teardown(() => r.close());
	const app = renderApp(r.services, 200, 60);
	await waitForFrame(app.lastFrame, (text) => text.includes('Queue'));
	for (const close of ['?', keys.escape, 'q']) {
		app.stdin.write('?');
		const frame = await waitForFrame(app.lastFrame, (text) => text.includes('Keys ('));
		for (const description of ['Close help', 'Clear the line', 'Delete the last word', 'Apply the filter']) t.true(frame.includes(description), `help lacks: ${description}`);
		app.stdin.write(close);
		await waitForFrame(app.lastFrame, (text) => !text.includes('Keys (') && text.includes('Enter details'));
	}
	t.false(app.lastFrame()!.includes('Stopping transfers'), 'q closed help, it did not quit');
	app.unmount();
});

test('downloads: d fetches the selected job, the table and details show the files with sha256; o opens one', async (t) => {
	const r = await rig(10);
	t.teardown(() => r.close());
	const app = renderApp(r.services, 200, 60);
	await syncFirst(app, 10);
	app.stdin.write('d');
	let frame = await waitForFrame(app.lastFrame, (text) => /queued \d+ files? of/.test(text));
	// The table follows the engine at once; the details' file list is re-read from the archive every 2 s.
	frame = await waitForFrame(app.lastFrame, (text) => /› .*\d+\/\d+ ✓/.test(text) && text.includes('sha256') && /#0 \S+ done/.test(text), 20_000);
	t.regex(frame, /#0 \S+ done/);
	t.regex(frame, /images\/\d{4}\/\d{2}\//, 'file paths relative to the archive');
	app.stdin.write('o');
	frame = await waitForFrame(app.lastFrame, (text) => text.includes('image: '));
	t.is(r.opened.length, 1);
	t.true(fs.existsSync(r.opened[0]!), 'o hands over a file that exists');
	app.unmount();
});

test('queue: a failed transfer shows its reason; sort keys reverse; cancel asks first; r and R retry', async (t) => {
	const r = await rig(3, {concurrency: 2});
	t.teardown(() => r.close());
	await r.services.sync({signal: new AbortController().signal, onProgress() {}});
	const [first, second] = r.store.listJobs({limit: 2});
	r.standIn.setFault({kind: 'server-error', status: 500, route: 'cdn', pathIncludes: `${first!.id}/0_0`});
	// This file stalls mid-body, so it stays running until it is canceled.
	r.standIn.setFault({kind: 'stall', ms: 60_000, route: 'cdn', pathIncludes: `${second!.id}/0_0`, count: 1});
	const stalled = `${second!.id}_0.png`;
	const app = renderApp(r.services, 200, 60);
	await waitForFrame(app.lastFrame, (text) => text.includes('of 3'));
	app.stdin.write('D');
	app.stdin.write(keys.tab);
	app.stdin.write(keys.tab);
	let frame = await waitForFrame(app.lastFrame, (text) => /failed +images\S+ +✗ HTTP 500/.test(text) && new RegExp(`active +\\S+${stalled}`).test(text), 20_000);
	t.regex(frame, /1 failed/);

	app.stdin.write('E');
	await waitForFrame(app.lastFrame, (text) => text.includes('ETA↑'));
	app.stdin.write('E');
	await waitForFrame(app.lastFrame, (text) => text.includes('ETA↓'));
	app.stdin.write('T');
	frame = await waitForFrame(app.lastFrame, (text) => text.includes('State↑'));
	app.stdin.write('g');
	for (let step = 0; step < 10 && !selectedTransfer(frame).includes(stalled); step++) {
		const before = selectedTransfer(frame);
		app.stdin.write('j');
		frame = await waitForFrame(app.lastFrame, (text) => selectedTransfer(text) !== before);
	}
	t.regex(selectedTransfer(frame), /active/);

	// Cancel asks first: n keeps the transfer, y cancels it (partial kept).
	app.stdin.write('x');
	frame = await waitForFrame(app.lastFrame, (text) => text.includes('y/N') && text.includes(stalled));
	app.stdin.write('n');
	frame = await waitForFrame(app.lastFrame, (text) => !text.includes('y/N'));
	t.regex(selectedTransfer(frame), /active/);
	app.stdin.write('x');
	await waitForFrame(app.lastFrame, (text) => text.includes('y/N'));
	app.stdin.write('y');
	frame = await waitForFrame(app.lastFrame, (text) => new RegExp(`canceled +\\S+${stalled} +canceled \\(partial kept`).test(text), 10_000);

	// r on the canceled row queues it again; R retries the failed one once the fault is gone.
	r.standIn.clearFaults();
	app.stdin.write('G');
	await waitForFrame(app.lastFrame, (text) => /canceled/.test(selectedTransfer(text)));
	app.stdin.write('r');
	frame = await waitForFrame(app.lastFrame, (text) => !new RegExp(`canceled +\\S+${stalled}`).test(text));
	app.stdin.write('R');
	frame = await waitForFrame(app.lastFrame, (text) => /retrying 1 failed transfer\b/.test(text) && !/failed +images/.test(text));
	t.notRegex(frame, /canceled \(partial/);
	app.unmount();
});

/** The queue's selected row (the jobs table marks its row too on wide screens). */
function selectedTransfer(frame: string): string {
	return frame.split('\n').find((line) => /^› +(?:\S )?(?:active|queued|held|paused|failed|canceled) /.test(line)) ?? '';
}
