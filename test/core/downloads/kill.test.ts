/**
 * kill -9 of a real batch download process at several points, then a re-run
 * that completes: every file must be correct, and the stand-in's request log
 * must show that each file was resumed from exactly the partial left on disk
 * (no byte range downloaded twice beyond the partial's tail), and that
 * finished files were never asked for again.
 */
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import test from 'ava';
import {archiveDb} from '../../helpers/archive-db.js';
import {assertAllFilesCorrect, cdnPath, downloadFixture, imageRows, waitFor} from '../../helpers/download-setup.js';

const child = fileURLToPath(new URL('../../helpers/download-child.ts', import.meta.url));

function startChild(dir: string, cdnBase: string, limitRate: number) {
	const process_ = spawn(process.execPath, ['--import', 'tsx', child], {
		env: {...process.env, MJ_TUI_ARCHIVE: dir, MJ_TUI_CDN_BASE: cdnBase, MJ_TUI_LIMIT_RATE: String(limitRate)},
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let output = '';
	process_.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
	process_.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
	const exited = new Promise<number | null>((resolve) => process_.on('exit', (code) => resolve(code)));
	return {process: process_, exited, output: () => output};
}

test('kill -9 at several points, then a re-run completes with no byte fetched twice', async (t) => {
	const fixture = await downloadFixture(t, {jobs: 4, imageBytes: 384 * 1024});
	const {dir, standIn, store} = fixture;
	const db = archiveDb(t, dir);
	// Plan the rows up front so the parent can watch them (the child plans the same rows idempotently).
	const files = standIn.jobs().flatMap((job) => standIn.filePaths(job.id)).length;
	t.true(files >= 8, `${files} files`);

	const doneCount = () => (db.prepare("SELECT COUNT(*) AS n FROM images WHERE status = 'done'").get() as {n: number}).n;
	const anyPartialBytes = () => {
		const parts = path.join(dir, '.parts');
		return fs.existsSync(parts) && fs.readdirSync(parts).some((name) => fs.statSync(path.join(parts, name)).size > 0);
	};
	const killPoints: Array<{what: string; when: () => boolean}> = [
		{what: 'the first bytes are in a partial', when: anyPartialBytes},
		{what: 'a third of the files are done', when: () => doneCount() >= Math.ceil(files / 3)},
		{what: 'two thirds of the files are done', when: () => doneCount() >= Math.ceil((2 * files) / 3) && anyPartialBytes()},
	];

	const kills: Array<{requestsBefore: number; partials: Map<string, number>; done: Set<string>}> = [];
	for (const point of killPoints) {
		const run = startChild(dir, standIn.cdnBase, 1536 * 1024);
		await waitFor(() => point.when() || run.process.exitCode !== null, point.what, 30_000);
		t.is(run.process.exitCode, null, `still running when ${point.what}: ${run.output()}`);
		run.process.kill('SIGKILL');
		await run.exited;
		// What is on disk at the instant of death: the next run must resume exactly from here.
		const partials = new Map<string, number>();
		const done = new Set<string>();
		for (const row of imageRows(store)) {
			if (row.status === 'done') done.add(cdnPath(row.url));
			const part = row.part_path ? path.join(dir, row.part_path) : undefined;
			if (row.status === 'pending' && part && fs.existsSync(part)) partials.set(cdnPath(row.url), fs.statSync(part).size);
		}
		kills.push({requestsBefore: standIn.requests().length, partials, done});
	}
	t.true(kills.some((k) => [...k.partials.values()].some((size) => size > 0)), 'some kill left a partial with data');

	const last = startChild(dir, standIn.cdnBase, 0);
	t.is(await last.exited, 0, last.output());
	t.regex(last.output(), /"failed":0/);
	assertAllFilesCorrect(t, fixture);

	const all = standIn.requests();
	for (const [i, kill] of kills.entries()) {
		const after = all.slice(kill.requestsBefore).filter((r) => r.route === 'cdn');
		for (const done of kill.done) t.false(after.some((r) => r.path === done), `kill ${i}: finished ${done} never fetched again`);
		for (const [file, size] of kill.partials) {
			const next = after.find((r) => r.path === file);
			if (!next) continue;
			t.is(next.range, size > 0 ? `bytes=${size}-` : undefined, `kill ${i}: ${file} resumed from its ${size}-byte partial`);
			// A partial that already held the whole file is confirmed by a 416, nothing sent.
			if (size > 0) t.is(next.status, size === standIn.fileBytes(file).length ? 416 : 206);
		}
	}
});
