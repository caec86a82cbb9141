/**
 * `--concurrency N` is what the user gets: the per-host limit (the CDN is
 * one host) follows it unless the user set that limit on its own, and when a
 * limit does cap the number, the snapshot and the progress line say which.
 * Transfers are slowed with the engine's own bandwidth cap so they overlap.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import {downloadLine} from '../../../source/batch/progress.js';
import {loadConfig} from '../../../source/core/config/load.js';
import {createDownloadEngine} from '../../../source/core/downloads/engine.js';
import {perHostSetExplicitly} from '../../../source/core/downloads/snapshots.js';
import type {EngineSnapshot} from '../../../source/core/downloads/types.js';
import {downloadFixture, waitFor} from '../../helpers/download-setup.js';

const slow = {jobs: 3, imageBytes: 256 * 1024};

/** Run the engine until `active` transfers run at once; returns that snapshot and the most ever seen active. */
async function runUntilActive(fixture: Awaited<ReturnType<typeof downloadFixture>>, config: typeof fixture.config, active: number) {
	const engine = createDownloadEngine(fixture.store, config);
	let most = 0;
	const unsubscribe = engine.subscribe((snapshot) => (most = Math.max(most, snapshot.totals.active)));
	engine.enqueueMissing();
	let seen: EngineSnapshot | undefined;
	await waitFor(() => {
		seen = engine.snapshot();
		most = Math.max(most, seen.totals.active);
		return seen.totals.active === active;
	}, `${active} transfers at once`);
	const snapshot = seen!;
	unsubscribe();
	await engine.stop({immediate: true});
	return {snapshot, most};
}

test('--concurrency 8 with the default per-host limit runs 8 transfers on the one CDN host, not 4', async (t) => {
	const fixture = await downloadFixture(t, slow);
	const {snapshot, most} = await runUntilActive(fixture, {...fixture.config, concurrency: 8, limitRate: 256 * 1024}, 8);
	t.is(most, 8);
	t.is(snapshot.perHostConcurrency, 8, 'the per-host limit followed --concurrency');
	t.is(snapshot.effectiveConcurrency, 8);
	t.is(snapshot.limitedBy, null);
	t.notRegex(downloadLine(snapshot), /at once/, 'nothing to explain on the progress line');
});

test('a per-host limit set on its own caps the transfers, and the snapshot and progress line say so', async (t) => {
	const fixture = await downloadFixture(t, slow);
	const {snapshot, most} = await runUntilActive(fixture, {...fixture.config, concurrency: 8, perHostConcurrency: 2, limitRate: 256 * 1024}, 2);
	t.is(most, 2, 'never more than the per-host limit');
	t.is(snapshot.concurrency, 8);
	t.is(snapshot.effectiveConcurrency, 2);
	t.is(snapshot.limitedBy, 'perHostConcurrency');
	t.regex(downloadLine(snapshot), /, 2 of 8 at once \(per-host limit 2\)$/);
});

test('changing the concurrency live moves the per-host limit with it, unless the user set that one', async (t) => {
	const fixture = await downloadFixture(t, slow);
	const engine = createDownloadEngine(fixture.store, {...fixture.config, concurrency: 2, limitRate: 256 * 1024});
	t.teardown(() => engine.stop({immediate: true}));
	engine.enqueueMissing();
	engine.setConcurrency(6);
	await waitFor(() => engine.snapshot().totals.active === 6, '6 transfers at once');
	t.is(engine.snapshot().perHostConcurrency, 6);
	engine.setPerHostConcurrency(3);
	engine.setConcurrency(10);
	const after = engine.snapshot();
	t.is(after.perHostConcurrency, 3, 'a limit the user set stays');
	t.is(after.limitedBy, 'perHostConcurrency');
});

test('whether perHostConcurrency was set comes from where the config came from, not from its value', async (t) => {
	const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-tui-conc-'));
	t.teardown(() => fs.rmSync(cwd, {recursive: true, force: true}));
	const env = {HOME: cwd};
	const byFlag = await loadConfig({cwd, env, flags: {concurrency: '16'}, skipUserConfig: true});
	t.false(perHostSetExplicitly(byFlag.config), 'only --concurrency given: the per-host limit follows it');
	const sameAsDefault = await loadConfig({cwd, env: {...env, MJ_TUI_PER_HOST_CONCURRENCY: '4'}, flags: {concurrency: '16'}, skipUserConfig: true});
	t.true(perHostSetExplicitly(sameAsDefault.config), 'set to 4 on purpose is still set');
});
