/**
 * Real signals to the built binary in batch mode (`--demo --batch`, downloads
 * stalled by a fault so the run is mid-transfer): the first SIGINT/SIGTERM
 * stops cleanly with 130/143 and the JSON summary; a second signal ends the
 * process at once.
 */
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import {builtBin, repoRoot, sandbox} from '../helpers/cli-io.js';

test.before(t => {
	if (!fs.existsSync(builtBin)) t.fail(`${builtBin} is missing: run npm run build (npm test does) first`);
});

function stalledDemo() {
	const box = sandbox();
	const child = spawn(process.execPath, [builtBin, '--demo', '--batch', '--json'], {
		cwd: box.project,
		env: {
			PATH: process.env.PATH,
			...box.env,
			MJ_TUI_DEMO_JOBS: '20',
			MJ_TUI_PAGE_PAUSE_MS: '0',
			MJ_TUI_DEMO_FAULTS: JSON.stringify([{kind: 'stall', ms: 120_000, route: 'cdn'}]),
		},
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', chunk => (stdout += chunk));
	const downloading = new Promise<void>(resolve => {
		child.stderr.on('data', chunk => {
			stderr += chunk;
			if (stderr.includes('downloads: every missing file')) resolve();
		});
	});
	const exited = new Promise<number | null>(resolve => child.on('close', code => resolve(code)));
	return {child, downloading, exited, output: () => ({stdout, stderr})};
}

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
	test(`${signal} during downloads: clean stop, exit ${code}, the JSON summary still printed`, async t => {
		const run = stalledDemo();
		await run.downloading;
		run.child.kill(signal);
		t.is(await run.exited, code, run.output().stderr);
		const summary = JSON.parse(run.output().stdout.trim().split('\n').at(-1)!) as {interrupted: boolean; exitCode: number};
		t.like(summary, {interrupted: true, exitCode: code});
	});
}

/** A child whose clean stop hangs, hooked to signals as the bin is. */
function stuckRun() {
	const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'test', 'helpers', 'signal-child.ts')], {stdio: ['ignore', 'pipe', 'pipe']});
	let stdout = '';
	let stderr = '';
	const waiters: Array<[string, () => void]> = [];
	child.stdout.on('data', chunk => {
		stdout += chunk;
		for (const [text, resolve] of waiters) if (stdout.includes(text)) resolve();
	});
	child.stderr.on('data', chunk => (stderr += chunk));
	const saw = (text: string) => new Promise<void>(resolve => (stdout.includes(text) ? resolve() : waiters.push([text, resolve])));
	const exited = new Promise<number | null>(resolve => child.on('close', code => resolve(code)));
	return {child, saw, exited, stderr: () => stderr};
}

test('a second SIGINT ends a stuck stop at once, without waiting for the deadline', async t => {
	const run = stuckRun();
	await run.saw('ready');
	run.child.kill('SIGINT');
	await run.saw('aborted');
	run.child.kill('SIGINT');
	t.is(await run.exited, 130);
	t.false(run.stderr().includes('still stopping'), run.stderr());
});

test('a stop that hangs is ended by the 2 s deadline with a message', async t => {
	const run = stuckRun();
	await run.saw('ready');
	run.child.kill('SIGTERM');
	t.is(await run.exited, 143);
	t.regex(run.stderr(), /^mj-tui: still stopping after 2 s; exiting now/m);
});
