/**
 * The guard against Node's silent exit: a process whose loop drains while a
 * registered run still waits reports what was pending and exits 70.
 */
import {spawn} from 'node:child_process';
import path from 'node:path';
import test from 'ava';
import {beginPendingWork, pendingWorkDescriptions} from '../../source/core/pending-work.js';
import {repoRoot} from '../helpers/cli-io.js';

test('a drained loop with a run pending exits 70 and says what was pending, instead of exit 13 and silence', async (t) => {
	const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'test', 'helpers', 'quiet-loop-child.ts')], {
		env: {...process.env, MJ_TUI_CHILD_CASE: 'drained'},
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let stderr = '';
	child.stderr.on('data', (chunk) => (stderr += chunk));
	const code = await new Promise((resolve) => child.on('close', resolve));
	t.is(code, 70);
	t.regex(stderr, /^mj-tui: internal error: the run stopped making progress/m);
	t.regex(stderr, /pending: the download phase \(3 done, 5 held by a host backing off\)/);
	t.regex(stderr, /nothing stored is lost/);
});

test('work leaves the registry when it settles; a failing description does not hide the entry', (t) => {
	const done = beginPendingWork('a sync', () => {
		throw new Error('closed');
	});
	t.true(pendingWorkDescriptions().includes('a sync'));
	done();
	t.false(pendingWorkDescriptions().includes('a sync'));
});
