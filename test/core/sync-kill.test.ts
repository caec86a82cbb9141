import {spawn} from 'node:child_process';
import {once} from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import test, {type ExecutionContext} from 'ava';
import {startStandIn} from '../../fixtures/stand-in.js';
import type {StandIn} from '../../fixtures/types.js';
import {ArchiveStore} from '../../source/core/archive/store.js';
import {MidjourneyClient} from '../../source/core/midjourney/client.js';
import {completeMetaKey, syncJobs} from '../../source/core/sync.js';
import {readArchiveDb} from '../helpers/archive-db.js';
import {builtBin, repoRoot} from '../helpers/cli-io.js';
import {standInConfig, temporaryArchive} from '../helpers/mj-setup.js';

const childScript = path.join(repoRoot, 'test', 'helpers', 'sync-child.ts');
/** The built CLI (`npm test` builds it before the tests run). */
const cliScript = builtBin;

/** The MJ_TUI_* variables that point mj-tui (or the child helper) at the stand-in, 50 jobs a page. */
function standInEnv(standIn: StandIn, pagePauseMs: number): Record<string, string> {
	return {
		MJ_TUI_API_BASE: standIn.apiBase,
		MJ_TUI_TOKEN_BASE: standIn.tokenBase,
		MJ_TUI_TOKEN_API_KEY: standIn.tokenApiKey,
		MJ_TUI_TOKEN: standIn.token,
		MJ_TUI_REFRESH_TOKEN: standIn.refreshToken,
		MJ_TUI_PAGE_SIZE: '50',
		MJ_TUI_PAGE_PAUSE_MS: String(pagePauseMs),
	};
}

/** Run the sync in a child process and SIGKILL it once it has printed `page <afterPage>` (a small page pause keeps it from finishing first on a busy machine). Returns the last page it reported. */
async function syncAndKill(standIn: StandIn, archive: string, afterPage: number, pagePauseMs = 25): Promise<number> {
	const child = spawn(process.execPath, ['--import=tsx', childScript], {
		env: {...process.env, ...standInEnv(standIn, pagePauseMs), MJ_TUI_ARCHIVE: archive},
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	let lastPage = 0;
	let buffered = '';
	child.stdout.setEncoding('utf8');
	child.stdout.on('data', (chunk: string) => {
		buffered += chunk;
		for (const match of buffered.matchAll(/page (\d+)\n/g)) lastPage = Number(match[1]);
		if (lastPage >= afterPage && child.exitCode === null) child.kill('SIGKILL');
	});
	const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
	if (signal !== 'SIGKILL') throw new Error(`the child sync ended by itself (code ${code}) before page ${afterPage}`);
	return lastPage;
}

/** The archive holds exactly the listing's jobs with their raw JSON, and the walk is complete. */
function assertArchiveHolds(t: ExecutionContext, archive: string, standIn: StandIn) {
	const store = ArchiveStore.open(archive);
	try {
		const archived = [...store.iterateJobs()];
		const upstream = new Set(standIn.jobs().map(job => job.id));
		t.deepEqual(standIn.jobs().filter(job => !store.getJob(job.id)).map(job => job.id), [], 'no job of the listing is missing');
		t.deepEqual(archived.filter(job => !upstream.has(job.id)).map(job => job.id), [], 'no job the listing lacks');
		for (const job of standIn.jobs()) t.deepEqual(store.getJob(job.id)?.raw, job);
		t.is(store.getMeta(completeMetaKey), 'true');
	} finally {
		store.close();
	}
}

async function resume(standIn: StandIn, archive: string) {
	const store = ArchiveStore.open(archive);
	const client = new MidjourneyClient(standInConfig(standIn, {pageSize: 50}));
	try {
		return await syncJobs(store, client, {pagePauseMs: 0});
	} finally {
		await client.close();
		store.close();
	}
}

test('a sync killed with SIGKILL mid-walk is completed by the next run', async t => {
	const standIn = await startStandIn({jobs: 900, seed: 21});
	t.teardown(() => standIn.close());
	const archive = temporaryArchive();
	await syncAndKill(standIn, archive, 3);
	const store = ArchiveStore.open(archive);
	const stored = store.countJobs();
	t.true(stored >= 150 && stored < 900, `stored ${stored}`);
	t.is(readArchiveDb(archive, db => db.prepare("SELECT count(*) FROM sync_runs WHERE status = 'running'").pluck().get() as number), 1, 'the killed run never finished');
	store.close();

	await resume(standIn, archive);
	assertArchiveHolds(t, archive, standIn);
	t.is(readArchiveDb(archive, db => db.prepare("SELECT status FROM sync_runs ORDER BY id").pluck().all().join(',')), 'interrupted,ok');
});

test('repeated kills while new jobs keep arriving still end with exactly the listing', async t => {
	const standIn = await startStandIn({jobs: 1200, seed: 22});
	t.teardown(() => standIn.close());
	const archive = temporaryArchive();
	await syncAndKill(standIn, archive, 4);
	standIn.addJobs(130);
	// Killed again while catching up at the head, before it got back to the unfinished walk.
	await syncAndKill(standIn, archive, 2);
	standIn.addJobs(60);
	await syncAndKill(standIn, archive, 5);
	await resume(standIn, archive);
	assertArchiveHolds(t, archive, standIn);
});

/** Pages the running sync has committed, read from the archive the child writes (0 until it exists). */
function committedPages(archive: string): number {
	try {
		return readArchiveDb(archive, db => db.prepare("SELECT max(pages) FROM sync_runs WHERE status = 'running'").pluck().get() as number | null) ?? 0;
	} catch {
		return 0;
	}
}

/** `mj-tui --batch --no-download` against the stand-in, configured through MJ_TUI_* env only. */
function spawnCli(standIn: StandIn, archive: string, extraArgs: string[] = []) {
	const home = temporaryArchive();
	return spawn(process.execPath, [cliScript, '--batch', '--no-download', '--json', '--archive', archive, ...extraArgs], {
		cwd: home,
		env: {
			PATH: process.env.PATH,
			HOME: home,
			XDG_CONFIG_HOME: path.join(home, '.config'),
			...standInEnv(standIn, 40),
		},
		stdio: ['ignore', 'pipe', 'pipe'],
	});
}

test('the real CLI killed with SIGKILL mid-sync, then run again, ends with exactly the listing', async t => {
	if (!fs.existsSync(cliScript)) return t.fail(`${cliScript} is missing: run \`npm run build\` first (npm test does)`);
	const standIn = await startStandIn({jobs: 1500, seed: 23});
	t.teardown(() => standIn.close());
	const archive = temporaryArchive();

	const child = spawnCli(standIn, archive);
	const exited = once(child, 'exit');
	let pages = 0;
	while (child.exitCode === null && (pages = committedPages(archive)) < 4) await sleep(20);
	child.kill('SIGKILL');
	const [, signal] = (await exited) as [number | null, string | null];
	t.is(signal, 'SIGKILL', 'the CLI was killed mid-sync, not finished');
	t.true(pages >= 4);
	standIn.addJobs(75);

	const again = spawnCli(standIn, archive);
	let stdout = '';
	again.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
	let stderr = '';
	again.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
	const [code] = (await once(again, 'exit')) as [number | null];
	t.is(code, 0, stderr);
	const summary = JSON.parse(stdout.trim().split('\n').at(-1)!) as {jobsNew: number};
	t.true(summary.jobsNew > 0);
	assertArchiveHolds(t, archive, standIn);
});
