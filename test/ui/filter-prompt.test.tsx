/**
 * The filter line at 80x24 through the whole app (ink-testing-library, a real
 * archive and engine): a pasted line keeps its spaces; a type no job has is
 * named in the notice with the nearest real type; an unknown filter word is
 * reported in the status line, where a long typed line cannot cut it off.
 */
import test from 'ava';
import {renderAppOnArchive} from '../helpers/app-on-archive.js';
import {keys, waitForFrame} from '../helpers/ui-testing.js';

function app80x24(t: {teardown(fn: () => unknown): void}) {
	return renderAppOnArchive(t, {columns: 80, rows: 24, jobs: 30});
}

/** The frame's lines, last first: the footer, then the status line. */
const fromBottom = (frame: string) => frame.split('\n').filter((line) => line.trim()).reverse();

test('a pasted filter keeps its spaces and applies as two words', async (t) => {
	const {app, archive} = app80x24(t);
	await waitForFrame(app.lastFrame, (text) => text.includes('of 30'));
	const type = archive.store.listJobs({limit: 1})[0]!.jobType!;
	const matching = archive.store.countJobs({types: [type]});
	app.stdin.write('f');
	await waitForFrame(app.lastFrame, (text) => text.includes('Enter applies'));
	// A paste arrives in reads of whatever size the terminal (or SSH) hands over: here split right after a space.
	app.stdin.write(`type:${type} `);
	await waitForFrame(app.lastFrame, (text) => text.includes(`filter: type:${type}`));
	app.stdin.write('since:2000');
	await waitForFrame(app.lastFrame, (text) => text.includes(`filter: type:${type} since:2000`));
	app.stdin.write(keys.enter);
	// The jobs pane's title names the filter in force once it applies.
	const frame = await waitForFrame(app.lastFrame, (text) => text.includes(`of ${matching} · filter: type:${type} since:2000`));
	t.true(matching < 30, 'the type narrowed the list');
	t.false(frame.includes('unknown filter'), frame);
});

test('a type no job has is named in the notice, with the nearest real type', async (t) => {
	const {app, archive} = app80x24(t);
	await waitForFrame(app.lastFrame, (text) => text.includes('of 30'));
	const type = archive.store.listJobs({limit: 1})[0]!.jobType!;
	const typo = `${type.slice(0, -1)}x`;
	app.stdin.write('f');
	await waitForFrame(app.lastFrame, (text) => text.includes('Enter applies'));
	app.stdin.write(`type:${typo}`);
	await waitForFrame(app.lastFrame, (text) => text.includes(`filter: type:${typo}`));
	app.stdin.write(keys.enter);
	const frame = await waitForFrame(app.lastFrame, (text) => text.includes('no job has type'));
	t.true(fromBottom(frame)[0]!.includes(`type: no job has type ${typo}; did you mean`), frame);
});

test('an unknown filter word is reported in the status line, the typed line stays open', async (t) => {
	const {app} = app80x24(t);
	await waitForFrame(app.lastFrame, (text) => text.includes('of 30'));
	app.stdin.write('f');
	await waitForFrame(app.lastFrame, (text) => text.includes('Enter applies'));
	app.stdin.write('status:missing since:2024-01 colour:red-and-a-rather-long-value-that-fills-the-line');
	await waitForFrame(app.lastFrame, (text) => text.includes('colour:red'));
	app.stdin.write(keys.enter);
	const frame = await waitForFrame(app.lastFrame, (text) => text.includes('unknown filter'));
	const [footer, status] = fromBottom(frame);
	t.true(status!.startsWith('“colour”: unknown filter'), status);
	t.true(footer!.startsWith('filter: status:missing'), footer);
});
