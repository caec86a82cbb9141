/**
 * The interactive app hashes what it downloads (perceptual hashes for
 * `similar`, families and `--dedupe`), in the background as batch runs do:
 * the real binary in real tmux downloads the demo's files with `D`, and
 * while it keeps running every downloaded image gets its hash in the archive;
 * quitting then ends at once, with exit 0.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import {archiveDb} from '../helpers/archive-db.js';
import {builtBin} from '../helpers/cli-io.js';
import {shellPrompt, TmuxTerminal} from '../helpers/ui-tmux.js';

const jobs = 6;

test('files downloaded in the app get their perceptual hashes while it runs; quit still exits 0 at once', async (t) => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-tui-e2e-hashes-'));
	const terminal = await TmuxTerminal.start(120, 30);
	t.teardown(async () => {
		await terminal.kill();
		fs.rmSync(dir, {recursive: true, force: true});
	});
	await terminal.command(`cd ${dir} && env -u FORCE_COLOR -u NO_COLOR -u CI -u CONTINUOUS_INTEGRATION TZ=UTC MJ_TUI_DEMO_JOBS=${jobs} node ${builtBin} --demo --archive ${dir}/archive --preview off`);
	await terminal.waitFor((screen) => screen.includes('sync idle'), 'the app to start');
	await terminal.press('s', (text) => text.includes(`synced +${jobs} new`), 'the first sync');
	await terminal.press('D', (text) => /queued [\d,]+ missing files/.test(text), 'downloads to start');
	const screen = await terminal.waitFor((text) => /Queue 0 active · 0 queued/.test(text) && /\b([1-9]\d*)\/\1 files\b/.test(text), 'every file downloaded', 60_000);
	const files = Number(/\b([1-9]\d*)\/\1 files\b/.exec(screen)![1]);
	t.true(files >= jobs, `the demo's files: ${files}`);

	// Read what the running app stored, as another process would (the app holds the archive open).
	const db = archiveDb(t, path.join(dir, 'archive'));
	const hashed = () =>
		db.prepare("SELECT count(*) AS n FROM images i JOIN perceptual_hashes h ON h.image_id = i.id WHERE i.status = 'done' AND i.variant = 'png' AND h.hash IS NOT NULL").get() as {n: number};
	const pngs = (db.prepare("SELECT count(*) AS n FROM images WHERE status = 'done' AND variant = 'png'").get() as {n: number}).n;
	t.true(pngs > 0);
	for (const deadline = Date.now() + 60_000; hashed().n < pngs && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 100));
	t.is(hashed().n, pngs, 'every downloaded image has its hash, made while the app runs');

	await terminal.key('q');
	await terminal.waitFor((text) => text.trimEnd().endsWith(shellPrompt.trim()), 'the shell prompt', 10_000);
	await terminal.command('echo "exit=$?"');
	await terminal.waitFor((text) => text.includes('exit=0'), 'exit code 0');
});
