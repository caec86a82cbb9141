/**
 * `mj-tui clean`: stale partials go, partials a pending file still waits for
 * stay (unless older than --older-than), temps of ended processes go, and the
 * report adds up.
 */
import {spawn} from 'node:child_process';
import {once} from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import {cleanCommand} from '../../source/commands/clean.js';
import {createDownloadEngine} from '../../source/core/downloads/engine.js';
import {MjError} from '../../source/core/errors.js';
import {archiveDb} from '../helpers/archive-db.js';
import {captureIo} from '../helpers/cli-io.js';
import {downloadFixture, imageRows, listParts} from '../helpers/download-setup.js';

async function clean(fixture: Awaited<ReturnType<typeof downloadFixture>>, argv: string[]) {
	const io = captureIo({cwd: fixture.dir, env: {}});
	const code = await cleanCommand.run({io, config: fixture.config, argv: [...argv, '--archive', fixture.dir], signal: new AbortController().signal});
	return {code, out: io.out()};
}

test('clean --parts removes partials nothing waits for, keeps the others, and reports the space', async (t) => {
	const fixture = await downloadFixture(t, {jobs: 2});
	const db = archiveDb(t, fixture.dir, {writable: true});
	const rows = () => imageRows(fixture.store);
	const engine = createDownloadEngine(fixture.store, fixture.config);
	engine.enqueueMissing();
	await engine.onIdle();
	await engine.stop();
	const done = rows()[0];
	const parts = path.join(fixture.dir, '.parts');
	fs.mkdirSync(parts, {recursive: true});
	// A pending file with a fresh partial, one with an old partial, a finished file's leftover, and an orphan.
	const [stillPending, oldPending] = rows().slice(1, 3);
	for (const [row, name, size] of [[stillPending!, 'fresh.part', 1000], [oldPending!, 'old.part', 3000], [done!, 'leftover.part', 5000]] as const) {
		fs.writeFileSync(path.join(parts, name), Buffer.alloc(size));
		db.prepare("UPDATE images SET part_path = ?, status = ? WHERE id = ?").run(`.parts/${name}`, row === done ? 'done' : 'pending', row.id);
	}
	fs.writeFileSync(path.join(parts, 'orphan.part'), Buffer.alloc(7000));
	const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000);
	fs.utimesSync(path.join(parts, 'old.part'), tenDaysAgo, tenDaysAgo);

	const dry = await clean(fixture, ['--parts', '--dry-run']);
	t.is(dry.code, 0);
	t.is(listParts(fixture.dir).length, 4, 'a dry run removes nothing');

	const first = await clean(fixture, ['--parts']);
	t.is(first.code, 0);
	t.regex(first.out, /Removed 2 partials, 11\.7 KiB reclaimed\./);
	t.deepEqual(listParts(fixture.dir).sort(), ['fresh.part', 'old.part']);

	const io = captureIo({cwd: fixture.dir, env: {}});
	t.is(await cleanCommand.run({io, config: fixture.config, argv: ['--parts', '--older-than', '7d', '--json', '--archive', fixture.dir], signal: new AbortController().signal}), 0);
	const report = JSON.parse(io.out()) as {removed: number; bytes: number; files: Array<{path: string; reason: string}>};
	t.is(report.removed, 1);
	t.is(report.bytes, 3000);
	t.deepEqual(report.files.map((f) => [f.path, f.reason]), [['.parts/old.part', 'older than the limit']]);
	t.deepEqual(listParts(fixture.dir), ['fresh.part']);
	t.is(imageRows(fixture.store).find((r) => r.id === oldPending!.id)!.part_path, null, 'the archive forgets the removed partial');
});

test('plain clean removes stale partials and temps both; a bad duration is a usage error', async (t) => {
	const fixture = await downloadFixture(t, {jobs: 1});
	const dead = spawn(process.execPath, ['-e', ''], {stdio: 'ignore'});
	await once(dead, 'exit');
	fs.mkdirSync(path.join(fixture.dir, '.parts'), {recursive: true});
	fs.writeFileSync(path.join(fixture.dir, '.parts', 'orphan.part'), Buffer.alloc(100));
	fs.mkdirSync(path.join(fixture.dir, 'images'), {recursive: true});
	fs.writeFileSync(path.join(fixture.dir, 'images', `a.png.mj-tui-import-${dead.pid}.tmp`), Buffer.alloc(200));
	const both = await clean(fixture, []);
	t.is(both.code, 0);
	t.regex(both.out, /removed \.parts\/orphan\.part .*no pending file/);
	t.regex(both.out, /removed images\/a\.png\.mj-tui-import-\d+\.tmp .*interrupted import/);
	t.regex(both.out, /Removed 2 files, 300 B reclaimed\./);
	t.deepEqual(listParts(fixture.dir), []);
	t.false(fs.existsSync(path.join(fixture.dir, 'images', `a.png.mj-tui-import-${dead.pid}.tmp`)));
	const bad = await t.throwsAsync(clean(fixture, ['--parts', '--older-than', 'soon']), {instanceOf: MjError});
	t.is(bad!.exitCode, 64);
	t.regex(bad!.message, /--older-than "soon"/);
});
