/**
 * Where `export` may write, through the installed binary: a FIFO (or any
 * device) is written to directly and stays what it was (a temp renamed over
 * /dev/null once replaced the device), `--out -` is standard output, and a
 * SIGTERM while a slow reader holds the export back ends with 143.
 */
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import test, {type ExecutionContext} from 'ava';
import {exitProblems, startBin} from '../helpers/bin-run.js';
import {faultScene, requireBuiltBin, type FaultScene} from '../helpers/fault-run.js';

test.before(requireBuiltBin);

/** An archive holding `jobs` synced jobs (no downloads needed to export them). */
async function syncedScene(t: ExecutionContext, jobs: number): Promise<FaultScene> {
	const scene = await faultScene(t, {jobs});
	const synced = await scene.start(['--no-download']).ended;
	t.is(synced.code, 0, synced.stderr);
	return scene;
}

function makeFifo(scene: FaultScene): string {
	const fifo = path.join(scene.box.root, 'out.fifo');
	execFileSync('mkfifo', [fifo]);
	return fifo;
}

const exportTo = (scene: FaultScene, out: string) => startBin(['export', '--format', 'jsonl', '--out', out, '--archive', scene.archive], {cwd: scene.box.project, env: scene.env});

test('export --out <fifo>: every job goes down the pipe, the FIFO stays a FIFO, no temp beside it', async t => {
	const scene = await syncedScene(t, 30);
	const fifo = makeFifo(scene);
	const run = exportTo(scene, fifo);
	const received = await new Promise<string>((resolve, reject) => {
		let text = '';
		fs.createReadStream(fifo, 'utf8').on('data', chunk => (text += chunk)).on('end', () => resolve(text)).on('error', reject);
	});
	const outcome = await run.ended;
	t.deepEqual(exitProblems(outcome, {json: false}), []);
	t.is(outcome.code, 0, outcome.stderr);
	t.is(received.trimEnd().split('\n').length, 30);
	t.true(fs.lstatSync(fifo).isFIFO(), 'the FIFO was not replaced by a regular file');
	t.deepEqual(fs.readdirSync(scene.box.root).filter(name => name.startsWith('out.fifo')), ['out.fifo']);
});

test('export --out -: the jobs on stdout, the report on stderr', async t => {
	const scene = await syncedScene(t, 30);
	const outcome = await exportTo(scene, '-').ended;
	t.is(outcome.code, 0, outcome.stderr);
	const lines = outcome.stdout.trimEnd().split('\n');
	t.is(lines.length, 30);
	for (const line of lines) t.is(typeof (JSON.parse(line) as {id?: unknown}).id, 'string');
	t.regex(outcome.stderr, /Exported 30 jobs to standard output/);
	t.false(fs.existsSync(path.join(scene.box.project, '-')), 'no file named "-"');
});

test('export --out - of a folder format is a usage error (64)', async t => {
	const scene = await syncedScene(t, 3);
	const outcome = await startBin(['export', '--format', 'html', '--out', '-', '--archive', scene.archive], {cwd: scene.box.project, env: scene.env}).ended;
	t.is(outcome.code, 64, outcome.stderr);
	t.regex(outcome.stderr, /--out -/);
});

test('SIGTERM while a stalled reader holds the export back: 143 with "interrupted", the FIFO intact', async t => {
	// Far more than the pipe and the stream buffers hold, so the export waits on the reader.
	const scene = await syncedScene(t, 2000);
	const fifo = makeFifo(scene);
	const run = exportTo(scene, fifo);
	const reader = fs.createReadStream(fifo);
	await new Promise<void>(resolve => reader.once('data', () => {
		reader.pause();
		resolve();
	}));
	run.child.kill('SIGTERM');
	await run.saw(/interrupted by SIGTERM/);
	// The write the reader held back may finish now; the export does not go on.
	reader.resume();
	const outcome = await run.ended;
	t.deepEqual(exitProblems(outcome, {json: false}), [], outcome.stderr);
	t.is(outcome.code, 143, outcome.stderr);
	t.regex(outcome.stderr, /^mj-tui: export: interrupted by SIGTERM/m);
	t.notRegex(outcome.stderr, /internal error|still stopping/);
	t.true(fs.lstatSync(fifo).isFIFO());
});
