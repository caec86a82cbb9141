/**
 * One downloader per archive, through the installed binary: a second batch
 * (or `verify --repair`) on an archive another mj-tui is downloading into
 * waits briefly, then exits 75 naming the holder; no file is fetched twice,
 * and the archive verifies clean afterwards. The interactive app refuses
 * downloads the same way and keeps browsing and searching.
 */
import {spawn} from 'node:child_process';
import {once} from 'node:events';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import {startStandIn} from '../../fixtures/stand-in.js';
import type {StandIn} from '../../fixtures/types.js';
import {writerClaimKey} from '../../source/core/archive/claims.js';
import {ArchiveStore} from '../../source/core/archive/store.js';
import {defaultConfig} from '../../source/core/config/config.js';
import {createDownloadEngine} from '../../source/core/downloads/engine.js';
import {MjError} from '../../source/core/errors.js';
import {claimArchiveNow} from '../../source/core/archive/claims.js';
import {engineUnderClaim} from '../../source/ui/services.js';
import {builtBin, runBin, sandbox} from '../helpers/cli-io.js';
import {filesUnder, readArchive, stallOneFile, standInEnv, startBin, summaryOf, waitUntil} from '../helpers/stand-in-bin.js';
import {shellPrompt, TmuxTerminal} from '../helpers/ui-tmux.js';
import {cdnPath} from '../helpers/download-setup.js';

const claimHolder = (dir: string) =>
	readArchive(dir, db => db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(writerClaimKey) as string | undefined);
/** Keeps a batch downloading until the test stops it (see stallOneFile); `reached` says when it is well under way. */
function holdDownloading(standIn: StandIn) {
	const stall = stallOneFile(standIn);
	return {env: stall.env, reached: (archive: string) => stall.requested() && claimHolder(archive)?.includes('downloading files') === true && doneFiles(archive) > 0};
}

const doneFiles = (dir: string) => readArchive(dir, db => db.prepare("SELECT count(*) FROM images WHERE status = 'done'").pluck().get() as number) ?? 0;

test('a second batch on an archive being downloaded exits 75 naming the first; no file is fetched twice and verify is clean', async t => {
	const standIn = await startStandIn({jobs: 6, seed: 11, imageBytes: 48 * 1024});
	t.teardown(() => standIn.close());
	const box = sandbox();
	const archive = path.join(box.root, 'archive');
	const env = {...box.env, ...standInEnv(standIn, {MJ_TUI_VIDEOS: 'false'})};

	// The first batch is slowed (and one of its files stalls) so that it is still downloading when the second starts.
	const hold = holdDownloading(standIn);
	const first = startBin(['--batch', '--json', '--archive', archive, '--limit-rate', '64k'], {cwd: box.project, env: {...env, ...hold.env}});
	t.teardown(() => first.child.kill('SIGKILL'));
	await waitUntil(() => hold.reached(archive), 'the first batch to be downloading');

	const second = await runBin(['--batch', '--json', '--archive', archive], {cwd: box.project, env});
	t.is(second.code, 75, second.stderr);
	t.regex(second.stderr, new RegExp(`process ${first.child.pid}\\b`));
	t.regex(second.stderr, /downloading files/);
	t.regex(second.stderr, /since \d{4}-\d\d-\d\dT/);
	const refused = summaryOf(second);
	t.like(refused, {exitCode: 75, downloaded: 0, jobsSeen: 0});
	t.is(first.child.exitCode, null, 'the first batch still runs');
	const repair = await runBin(['verify', '--repair', '--archive', archive], {cwd: box.project, env});
	t.is(repair.code, 75, repair.stderr);
	t.regex(repair.stderr, new RegExp(`process ${first.child.pid}\\b`));

	// Stopped, the first batch gives the claim back; the next run finishes the job.
	first.child.kill('SIGTERM');
	t.is((await first.done).code, 143);
	t.is(claimHolder(archive), undefined);
	const doneBeforeStop = readArchive(archive, db => db.prepare("SELECT url FROM images WHERE status = 'done'").pluck().all() as string[]) ?? [];
	t.true(doneBeforeStop.length > 0);
	const last = await runBin(['--batch', '--json', '--archive', archive], {cwd: box.project, env});
	t.is(last.code, 0, last.stderr);

	const expected = standIn.jobs().flatMap(job => standIn.filePaths(job.id));
	const fullBodies = (file: string) => standIn.requests().filter(request => request.route === 'cdn' && request.path === file && request.status === 200).length;
	for (const url of doneBeforeStop) t.is(fullBodies(cdnPath(url)), 1, `${url} fetched once`);
	const files = filesUnder(path.join(archive, 'images'));
	t.is(files.length, expected.length);
	// A second copy would be named `<name>_<index>_2.png` beside the first.
	t.deepEqual(files.filter(file => /_\d+_\d+\.\w+$/.test(file)), []);
	const rowPaths = readArchive(archive, db => db.prepare("SELECT path FROM images WHERE status = 'done' ORDER BY path").pluck().all() as string[]);
	t.deepEqual(rowPaths, files.map(file => `images/${file}`).sort());
	const verify = await runBin(['verify', '--json', '--archive', archive], {cwd: box.project, env});
	t.is(verify.code, 0, verify.stdout);
	t.like(JSON.parse(verify.stdout.trim().split('\n').at(-1)!), {clean: true, checked: expected.length});
});

test('the interactive app refuses downloads while another process writes the archive, and still reads it', async t => {
	const standIn = await startStandIn({jobs: 3, seed: 12});
	t.teardown(() => standIn.close());
	const box = sandbox();
	const archive = path.join(box.root, 'archive');
	const synced = await runBin(['--batch', '--no-download', '--archive', archive], {cwd: box.project, env: {...box.env, ...standInEnv(standIn)}});
	t.is(synced.code, 0, synced.stderr);

	// Another live process holds the claim, as a batch in another terminal would.
	const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {stdio: 'ignore'});
	t.teardown(() => other.kill('SIGKILL'));
	await once(other, 'spawn');
	const store = ArchiveStore.open(archive);
	t.teardown(() => store.close());
	store.setMeta(writerClaimKey, JSON.stringify({pid: other.pid, host: os.hostname(), since: Date.now(), doing: 'downloading files'}));

	const engine = createDownloadEngine(store, {...defaultConfig, archive, cdnBase: standIn.cdnBase});
	t.teardown(() => engine.stop({immediate: true}));
	const gated = engineUnderClaim(engine, () => claimArchiveNow(store, 'downloading files in the interactive app'));
	const error = t.throws(() => gated.enqueueMissing(), {instanceOf: MjError});
	t.is(error?.exitCode, 75);
	t.regex(error?.message ?? '', new RegExp(`process ${other.pid}\\b.*downloading files`));
	t.is(gated.snapshot().totals.queued, 0, 'nothing queued');
	t.is(store.listJobs({limit: 10}).length, 3, 'browsing works');
	const word = store.listJobs({limit: 1})[0]!.prompt.split(/\s+/)[0]!;
	t.true(store.search(word).length > 0, 'search works');

	// A claim older than the process that now has its pid was left by a process that died: its pid was reused.
	store.setMeta(writerClaimKey, JSON.stringify({pid: other.pid, host: os.hostname(), since: Date.now() - 600_000, doing: 'downloading files'}));
	t.notThrows(() => claimArchiveNow(store, 'checking').release(), 'a reused pid does not hold the archive');
	store.setMeta(writerClaimKey, JSON.stringify({pid: other.pid, host: os.hostname(), since: Date.now(), doing: 'downloading files'}));

	// Once that process is gone, the same key downloads.
	other.kill('SIGKILL');
	await once(other, 'exit');
	t.true(gated.enqueueMissing() > 0);
	await gated.onIdle();
	t.is(store.totals().imagesDone, store.totals().images);
});

test('a claim from another machine holds the archive while its heartbeat is fresh and lapses after', t => {
	const box = sandbox();
	const store = ArchiveStore.open(path.join(box.root, 'archive'));
	t.teardown(() => store.close());
	const claimFrom = (beatAgoMs: number | undefined) =>
		store.setMeta(writerClaimKey, JSON.stringify({pid: 4242, host: 'nas-other-box', since: Date.now() - 3_600_000, doing: 'downloading files', ...(beatAgoMs === undefined ? {} : {beat: Date.now() - beatAgoMs})}));

	claimFrom(5000);
	const error = t.throws(() => claimArchiveNow(store, 'checking'), {instanceOf: MjError});
	t.is(error?.exitCode, 75);
	t.regex(error?.message ?? '', /process 4242 on nas-other-box/);
	t.regex(error?.hint ?? '', /another machine; its last heartbeat was at/);

	claimFrom(10 * 60_000);
	t.notThrows(() => claimArchiveNow(store, 'checking').release(), 'a heartbeat 10 minutes old: that machine is gone');
	claimFrom(undefined);
	t.notThrows(() => claimArchiveNow(store, 'checking').release(), 'a claim without a heartbeat (an older mj-tui) is taken over as before');
});

test('a running batch renews its claim\'s heartbeat', async t => {
	const standIn = await startStandIn({jobs: 4, seed: 14, imageBytes: 48 * 1024});
	t.teardown(() => standIn.close());
	const box = sandbox();
	const archive = path.join(box.root, 'archive');
	const hold = holdDownloading(standIn);
	const batch = startBin(['--batch', '--archive', archive], {cwd: box.project, env: {...box.env, ...standInEnv(standIn, {MJ_TUI_VIDEOS: 'false'}), ...hold.env, MJ_TUI_CLAIM_BEAT_MS: '50'}});
	t.teardown(() => batch.child.kill('SIGKILL'));
	await waitUntil(() => hold.reached(archive) || batch.child.exitCode !== null, 'the batch to be downloading');
	const first = JSON.parse(claimHolder(archive)!) as {beat: number; pid: number};
	t.is(first.pid, batch.child.pid!);
	await waitUntil(() => (JSON.parse(claimHolder(archive) ?? '{"beat":0}') as {beat: number}).beat > first.beat || batch.child.exitCode !== null, 'a newer heartbeat');
	t.is(batch.child.exitCode, null, batch.output());
	batch.child.kill('SIGTERM');
	t.is((await batch.done).code, 143);
	t.is(claimHolder(archive), undefined, 'the claim is released at the end');
});

test('the interactive app (real binary, real tmux) beside a running batch: browses and searches, refuses D naming the batch, downloads once it is gone', async t => {
	const standIn = await startStandIn({jobs: 6, seed: 13, imageBytes: 48 * 1024});
	t.teardown(() => standIn.close());
	const box = sandbox();
	const archive = path.join(box.root, 'archive');
	const env = {...box.env, ...standInEnv(standIn, {MJ_TUI_VIDEOS: 'false'})};
	const hold = holdDownloading(standIn);
	const batch = startBin(['--batch', '--archive', archive, '--limit-rate', '32k'], {cwd: box.project, env: {...env, ...hold.env}});
	t.teardown(() => batch.child.kill('SIGKILL'));
	await waitUntil(() => hold.reached(archive), 'the batch to be downloading');

	const terminal = await TmuxTerminal.start(200, 40);
	t.teardown(() => terminal.kill());
	const variables = Object.entries(env).map(([key, value]) => `${key}='${value}'`).join(' ');
	await terminal.command(`env -u FORCE_COLOR -u NO_COLOR -u CI ${variables} node ${builtBin} --archive ${archive}`);
	await terminal.waitFor(screen => screen.includes('sync idle') && / of 6\b/.test(screen), 'the app to list the synced jobs');

	let screen = await terminal.press('D', text => text.includes('is in use by another mj-tui'), 'the refusal');
	t.regex(screen, new RegExp(`process ${batch.child.pid}\\b`));
	t.regex(screen, /downloading files/);
	t.is(batch.child.exitCode, null, 'the batch runs on');
	const word = standIn.jobs()[0]!.full_command.split(/\s+/).find(part => /^[a-z]{4,}$/i.test(part))!;
	await terminal.key('/');
	await terminal.type(word);
	screen = await terminal.waitFor(text => new RegExp(`/${word} +\\d+ hits?`).test(text), 'search hits while read-only');
	await terminal.key('Escape');

	batch.child.kill('SIGTERM');
	t.is((await batch.done).code, 143);
	screen = await terminal.press('D', text => /queued [\d,]+ missing files/.test(text), 'downloads to start once the batch is gone');
	await terminal.waitFor(() => doneFiles(archive) === standIn.jobs().flatMap(job => standIn.filePaths(job.id)).filter(file => file.endsWith('.png') && !file.includes('grid')).length, 'every file downloaded', 60_000);
	await terminal.press('q', text => text.includes(shellPrompt.trim()), 'the shell back');
	// The prompt above shows once the app leaves the alternate screen; the claim is given back as the process ends
	// (a command typed before then would go to the app, so the pane's running command is asked instead).
	for (const deadline = Date.now() + 30_000; (await terminal.format('#{pane_current_command}')).trim() === 'node'; ) {
		if (Date.now() > deadline) throw new Error('the app did not end within 30 s of q');
		await new Promise(resolve => setTimeout(resolve, 50));
	}
	t.is(claimHolder(archive), undefined, 'quitting gives the claim back');
	t.deepEqual(filesUnder(path.join(archive, 'images')).filter(file => /_\d+_\d+\.\w+$/.test(file)), [], 'no second copies');
});
