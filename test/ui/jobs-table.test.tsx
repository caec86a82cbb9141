import test from 'ava';
import chalk from 'chalk';
import React from 'react';
import {Box, Text, useInput} from 'ink';
import {render} from 'ink-testing-library';
import type {Job} from '../../source/core/job.js';
import {BoxedJobRow, JobRow, JobsTable, jobsPosition} from '../../source/ui/jobs-table/jobs-table.js';
import {useJobsTable} from '../../source/ui/jobs-table/use-jobs-table.js';
import {initialJobsTableState, jobsTableReducer, maxLoadedRows, selectedJob} from '../../source/ui/jobs-table/use-jobs-table-state.js';
import {formatJobDate, jobColumns} from '../../source/ui/jobs-table/job-columns.js';
import {formatFilterText, parseFilterText} from '../../source/ui/jobs-table/filter-text.js';
import type {ArchiveSource} from '../../source/ui/archive-source.js';
import {themeFor} from '../../source/ui/theme.js';
import {makeArchive, press, waitForFrame, type TestArchive} from '../helpers/ui-testing.js';
import {hostilePrompts} from '../../fixtures/jobs.js';

const plain = themeFor({NO_COLOR: '1'});

function fakeJob(index: number): Job {
	return {
		id: `job-${index}`,
		enqueuedAt: 1_000_000 - index,
		jobType: 'v7_diffusion',
		eventType: 'diffusion',
		prompt: `prompt ${index}`,
		parameters: {},
		fullCommand: `prompt ${index}`,
		width: 1024,
		height: 1024,
		batchSize: 4,
		parentId: null,
		parentGrid: null,
		rating: null,
		isVideo: false,
		raw: {} as Job['raw'],
		files: {total: 4, done: 0, failed: 0},
	};
}

const page = (from: number, count: number) => Array.from({length: count}, (_, index) => fakeJob(from + index));

test('reducer: moves clamp at the ends and return the same state when nothing changed', (t) => {
	let state = jobsTableReducer(initialJobsTableState(5), {type: 'reset', rows: page(0, 20), offset: 0, total: 20, hasNewer: false, hasOlder: false});
	t.is(jobsTableReducer(state, {type: 'move', delta: -1}), state, 'up at the top changes nothing');
	state = jobsTableReducer(state, {type: 'move', delta: 7});
	t.is(selectedJob(state)?.id, 'job-7');
	t.is(state.top, 3, 'the window follows the cursor by as little as possible');
	const atEnd = jobsTableReducer(state, {type: 'move', delta: 100});
	t.is(selectedJob(atEnd)?.id, 'job-19');
	t.is(jobsTableReducer(atEnd, {type: 'move', delta: 1}), atEnd);
	t.is(jobsTableReducer(atEnd, {type: 'resize', height: 5}), atEnd);
});

test('reducer: a page for a stale anchor is dropped, so fast keys never duplicate rows', (t) => {
	const state = jobsTableReducer(initialJobsTableState(5), {type: 'reset', rows: page(0, 10), offset: 0, total: 30, hasNewer: false, hasOlder: true});
	const appended = jobsTableReducer(state, {type: 'append', anchorId: 'job-9', rows: page(10, 10), hasOlder: true});
	t.is(appended.rows.length, 20);
	t.is(jobsTableReducer(appended, {type: 'append', anchorId: 'job-9', rows: page(10, 10), hasOlder: true}), appended);
});

test('reducer: the loaded slice stays bounded while paging through a long list', (t) => {
	let state = jobsTableReducer(initialJobsTableState(40), {type: 'reset', rows: page(0, 200), offset: 0, total: 1_000_000, hasNewer: false, hasOlder: true});
	for (let step = 0; step < 30; step++) {
		const last = state.rows.at(-1)!;
		const next = Number(last.id.slice(4)) + 1;
		state = jobsTableReducer(state, {type: 'append', anchorId: last.id, rows: page(next, 200), hasOlder: true});
		state = jobsTableReducer(state, {type: 'move', delta: 200});
	}
	t.true(state.rows.length <= maxLoadedRows + 200);
	t.is(selectedJob(state)?.id, `job-${30 * 200}`);
	t.is(state.offset + state.cursor, 30 * 200, 'the absolute position survives trimming');
	t.true(state.hasNewer);
});

test('filter line: parses type, dates and status, and says what is wrong', (t) => {
	const parsed = parseFilterText('type:v7_upscale,v6_diffusion since:2025-01 until:2025-03-31 status:missing');
	if (!('filter' in parsed)) return t.fail(parsed.error);
	t.deepEqual(parsed.filter.types, ['v7_upscale', 'v6_diffusion']);
	t.is(parsed.filter.since, new Date(2025, 0, 1).getTime());
	t.is(parsed.filter.until, new Date(2025, 3, 1).getTime(), 'until includes the whole day typed');
	t.is(formatFilterText(parsed.filter), 'type:v7_upscale,v6_diffusion since:2025-01-01 until:2025-03-31 status:missing');
	const bad = parseFilterText('status:lost');
	t.true('error' in bad && bad.error.includes('complete, missing, failed'));
	t.true('error' in parseFilterText('since:yesterday'));
	t.true('error' in parseFilterText('colour:red'));
});

test('filter line: liked:yes and liked:no keep the liked jobs or the others, and read back as typed', (t) => {
	for (const [text, liked] of [['liked:yes', true], ['liked:no', false]] as const) {
		const parsed = parseFilterText(`type:upscale ${text}`);
		if (!('filter' in parsed)) return t.fail(parsed.error);
		t.is(parsed.filter.liked, liked);
		t.is(formatFilterText(parsed.filter), `type:upscale ${text}`);
	}
	const bad = parseFilterText('liked:maybe');
	t.true('error' in bad && bad.error.includes('yes or no'));
});

function TableHarness({archive, height}: {archive: ArchiveSource; height: number}) {
	const table = useJobsTable(archive, React.useMemo(() => ({}), []), height);
	useInput((input) => {
		if (input === 'j') table.move(1);
		if (input === 'k') table.move(-1);
		if (input === 'd') table.move(height);
		if (input === 'G') table.last();
		if (input === 'g') table.first();
	});
	return (
		<>
			<JobsTable state={table.state} width={100} theme={plain} focused />
			<Text>{jobsPosition(table.state)}</Text>
		</>
	);
}

let archive: TestArchive;
test.before(() => {
	archive = makeArchive(1200);
});
test.after.always(() => archive?.cleanup());

test('table: shows one window of keyset-paged rows and pages through the archive', async (t) => {
	const app = render(<TableHarness archive={archive.store} height={10} />);
	const newest = archive.store.listJobs({limit: 1})[0]!;
	let frame = await waitForFrame(app.lastFrame, (text) => text.includes('of 1,200'));
	t.true(frame.includes('1–10 of 1,200'));
	t.is(frame.split('\n').filter((line) => line.startsWith('›')).length, 1, 'one selected row');
	t.true(frame.includes(newest.prompt.slice(0, 20)) || frame.includes('…'));
	// Page down far past the first keyset page (200 rows) one key at a time.
	for (let step = 0; step < 25; step++) frame = await press(app, 'd');
	t.true(frame.includes('242–251 of 1,200'), frame);
	t.is(frame.split('\n').at(-2)?.startsWith('›'), true, 'the cursor sits on the last visible row');
	frame = await press(app, 'G');
	t.true(frame.includes('1,191–1,200 of 1,200'), frame);
	// The bottom of the list: below every job (jobs without a time come after the oldest dated one).
	const last = archive.store.listJobs({before: {enqueuedAt: null, id: ''}, limit: 1})[0]!;
	const selected = frame.split('\n').find((line) => line.startsWith('›'))!;
	t.true(selected.includes(formatJobDate(last.enqueuedAt)), `the last job is selected: ${selected}`);
	frame = await press(app, 'k');
	frame = await press(app, 'g');
	t.true(frame.includes('1–10 of 1,200'));
	app.unmount();
});

test('table: a hostile prompt draws as text, with no escape bytes in the frame', async (t) => {
	const app = render(<TableHarness archive={archive.store} height={40} />);
	const frame = await waitForFrame(app.lastFrame, (text) => text.includes('quiet harbour'));
	t.false(frame.includes('\u001B'), 'no ESC byte reaches the terminal');
	t.false(frame.includes('\u0007'));
	t.false(frame.includes('pwned\u0007'));
	t.true(frame.includes('red alert'), 'the readable part of an escaped prompt stays');
	t.true(hostilePrompts.size > 0);
	app.unmount();
});

// Serial (so before the other tests of this file) because it turns Ink's colours on for its own frames.
test.serial('table: a row drawn as one line of text has the same cells, styles included, as the row laid out in column boxes', (t) => {
	// No terminal under ava, so chalk (Ink's colours) is off: on for this test, so the styles are compared too.
	const level = chalk.level;
	chalk.level = 3;
	t.teardown(() => {
		chalk.level = level;
	});
	const colours = themeFor({});
	const job = (index: number, overrides: Partial<Job>): Job => ({...fakeJob(index), ...overrides});
	const jobs = [
		job(1, {}),
		job(2, {prompt: 'a very long prompt that goes on and on past the edge of the prompt column, and further still, to be cut with an ellipsis', files: {total: 4, done: 4, failed: 0}}),
		job(3, {enqueuedAt: null, jobType: '', eventType: 'a-long-event-type-name', files: {total: 4, done: 2, failed: 1}}),
		job(4, {prompt: '', fullCommand: 'only a command', files: {total: 0, done: 0, failed: 0}}),
		job(5, {files: {total: 4, done: 1, failed: 0}}),
	];
	let compared = 0;
	let styled = 0;
	for (const width of [40, 69, 90, 140, 200]) {
		const columns = jobColumns(width);
		for (const theme of [plain, colours]) {
			for (const [selected, focused, active] of [[false, false, false], [true, true, false], [true, false, true], [false, true, true]] as const) {
				for (const row of jobs) {
					const props = {job: row, columns, selected, focused, active, theme, width};
					const draw = (element: React.ReactElement) => {
						const tree = <Box width={width} flexDirection="column">{element}</Box>;
						const instance = render(tree);
						// ink-testing-library's terminal is 100 columns: widen it to the table, as the app's terminal is. The
						// resize's own redraw may be throttled; a rerender lays the frame out again at once, at the new width.
						Object.defineProperty(instance.stdout, 'columns', {get: () => width});
						instance.stdout.emit('resize');
						instance.rerender(tree);
						const frame = instance.lastFrame() ?? '';
						instance.unmount();
						return frame;
					};
					const line = draw(<JobRow {...props} />);
					t.is(line, draw(<BoxedJobRow {...props} />), `width ${width}, ${row.id}, selected ${selected}, focused ${focused}, active ${active}`);
					if (line.includes('\u001B[')) styled++;
					compared++;
				}
			}
		}
	}
	t.is(compared, 5 * 2 * 4 * jobs.length);
	// The comparison covers styles: colours and inverse reached the frames.
	t.true(styled > compared / 2, `${styled} of ${compared} rows carried styles`);
});
