/**
 * Search as you type in the whole app, over a real archive: what the user sees
 * while keys arrive faster than queries answer. Every frame is checked, and
 * every wait is for a frame condition.
 */
import test from 'ava';
import React from 'react';
import {render} from 'ink-testing-library';
import {defaultConfig} from '../../source/core/config/config.js';
import {createDownloadEngine} from '../../source/core/downloads/engine.js';
import {App} from '../../source/ui/app.js';
import type {ArchiveSource} from '../../source/ui/archive-source.js';
import type {TuiServices} from '../../source/ui/services.js';
import {themeFor} from '../../source/ui/theme.js';
import {makeArchive, waitForFrame} from '../helpers/ui-testing.js';

const columns = 120;
const rows = 40;

/**
 * The app over a real archive whose searches are recorded; `during(query)` runs
 * inside each search, as if the user's next keys arrived while the query was
 * still running on a slow box.
 */
function searchRig(t: {teardown(fn: () => unknown): void}, during: (query: string) => void) {
	const archive = makeArchive(300);
	const engine = createDownloadEngine(archive.store, {...defaultConfig, archive: archive.dir});
	t.teardown(async () => {
		await engine.stop({immediate: true});
		archive.cleanup();
	});
	const searched: string[] = [];
	const recording: ArchiveSource = new Proxy(archive.store, {
		get(target, property) {
			if (property === 'search') {
				return (query: string, options: Parameters<ArchiveSource['search']>[1]) => {
					searched.push(query);
					during(query);
					return target.search(query, options);
				};
			}
			const value = Reflect.get(target, property, target) as unknown;
			return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
		},
	});
	const services: TuiServices = {archive: recording, engine, sync: () => Promise.reject(new Error('no sync here')), openImage: (file) => `image: ${file}`};
	const app = render(<App services={services} columns={columns} rows={rows} theme={themeFor({NO_COLOR: '1'})} />);
	Object.defineProperty(app.stdout, 'columns', {get: () => columns});
	app.stdout.emit('resize');
	t.teardown(() => app.unmount());
	return {app, store: archive.store, searched};
}

/** The search line's text and hit count in a frame, when it shows a count. */
function shownHits(frame: string): {text: string; hits: number} | undefined {
	// The line is `/`, the text, the cursor cell, two spaces and the count.
	const match = /^\/(.*?) {3}(\d+)\+? hits/m.exec(frame);
	return match ? {text: match[1]!, hits: Number(match[2])} : undefined;
}

test('keys typed while a query runs leave one query for the newest text; no frame shows an older text\'s hits', async (t) => {
	const typed = 'lighthouse on a basalt';
	let next = 0;
	let rig: ReturnType<typeof searchRig> | undefined;
	// Each query sees the next two keys arrive before it answers (a slow query on a busy core).
	rig = searchRig(t, () => {
		for (let key = 0; key < 2 && next < typed.length; key++) rig!.app.stdin.write(typed[next++]!);
	});
	const {app, store, searched} = rig;
	await waitForFrame(app.lastFrame, (frame) => frame.includes('Enter details'));
	app.stdin.write('/');
	await waitForFrame(app.lastFrame, (frame) => frame.includes('type words'));
	app.stdin.write(typed[next++]!);
	const expected = store.search(typed, {limit: 200, prefixLast: true});
	t.true(expected.length > 0, 'the generated archive holds lighthouses on basalt cliffs');
	const last = await waitForFrame(app.lastFrame, (frame) => shownHits(frame)?.text === typed);
	t.is(shownHits(last)?.hits, expected.length, 'the final count is the archive\'s for the whole text');

	// Latest wins: each query runs for the text as it stood when the one before answered (two keys longer), never for a text already passed.
	const lengths = Array.from({length: Math.ceil(typed.length / 2)}, (_, index) => 1 + 2 * index).filter((length) => length < typed.length);
	t.deepEqual(searched, [...lengths, typed.length].map((length) => typed.slice(0, length)));
	for (const frame of app.frames) {
		const shown = shownHits(frame);
		if (shown) t.is(shown.hits, store.search(shown.text, {limit: 200, prefixLast: true}).length, `frame for "${shown.text}" shows another text's count:\n${frame}`);
	}
});

test('a burst of keys (a paste) costs one query, for the whole text', async (t) => {
	const {app, store, searched} = searchRig(t, () => undefined);
	await waitForFrame(app.lastFrame, (frame) => frame.includes('Enter details'));
	app.stdin.write('/');
	await waitForFrame(app.lastFrame, (frame) => frame.includes('type words'));
	for (const character of 'basalt cliff') app.stdin.write(character);
	const frame = await waitForFrame(app.lastFrame, (text) => shownHits(text)?.text === 'basalt cliff');
	t.is(shownHits(frame)?.hits, store.search('basalt cliff', {limit: 200, prefixLast: true}).length);
	t.deepEqual(searched, ['basalt cliff']);
});
