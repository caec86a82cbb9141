/**
 * Where files land: naming templates, hostile job ids and prompts kept inside
 * the archive, collisions, URL lists, duplicate content linked rather than
 * stored twice, metrics, and no secret in anything the engine writes out.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import {defaultConfig} from '../../../source/core/config/config.js';
import {Directories} from '../../../source/core/downloads/directories.js';
import {createDownloadEngine} from '../../../source/core/downloads/engine.js';
import {validateTemplate} from '../../../source/core/downloads/naming.js';
import {runDownloads} from '../../../source/core/downloads/run.js';
import {MjError} from '../../../source/core/errors.js';
import {forgetSecrets, registerSecret} from '../../../source/core/secrets.js';
import {archiveDb} from '../../helpers/archive-db.js';
import {assertAllFilesCorrect, cdnPath, downloadFixture, imageRows, sha256} from '../../helpers/download-setup.js';

function insideArchive(dir: string, relative: string): boolean {
	const absolute = path.resolve(dir, relative);
	return absolute.startsWith(path.resolve(dir) + path.sep) && !relative.split('/').includes('..') && !path.isAbsolute(relative);
}

for (const template of ['../{job_id}.{ext}', 'images/../../{job_id}.{ext}', '/tmp/{job_id}.{ext}', 'C:/x/{job_id}.{ext}', 'a\u0000b/{job_id}.{ext}', 'a\u001b[31m/{job_id}.{ext}', '.parts/{job_id}.{ext}', 'archive.db', 'images/{nope}.{ext}', 'images/con/{job_id}.{ext}', 'images\\{job_id}.{ext}']) {
	test(`naming template ${JSON.stringify(template)} is refused with a config error`, (t) => {
		const error = t.throws(() => validateTemplate(template), {instanceOf: MjError});
		t.is(error!.exitCode, 78);
		t.true(error!.message.includes('naming template') || error!.message.includes('unsafe path'), error!.message);
	});
}

test('the default template and every token render to a path inside the archive', (t) => {
	t.notThrows(() => validateTemplate(defaultConfig.naming));
	t.notThrows(() => validateTemplate('{yyyy}/{mm}/{dd}/{date}_{time}_{type}_{prompt_slug}_{job_id}_{index}.{ext}'));
});

test('hostile job ids and prompts stay inside the archive, whatever the template', async (t) => {
	const fixture = await downloadFixture(t, {jobs: 1});
	const db = archiveDb(t, fixture.dir, {writable: true});
	const base = fixture.standIn.jobs()[0]!;
	const hostile = ['../../etc/passwd', '/etc/shadow', 'a\u0000b', '..', 'CON', 'x/../../y', '\u001b]0;pwned\u0007', 'C:\\Windows\\win.ini'].map((id, i) => ({
		...base,
		id,
		batch_size: 1,
		full_command: ['../../etc', '/root/.ssh/id_rsa', '\u001b[2J prompt', 'nul', '..\\..\\boot.ini', 'normal', '....//....//', ''][i]!,
	}));
	fixture.store.upsertJobs(hostile);
	for (const naming of [defaultConfig.naming, '{prompt_slug}/{job_id}.{ext}', '{type}/{job_id}/{index}.{ext}']) {
		db.prepare('DELETE FROM images').run();
		const engine = createDownloadEngine(fixture.store, {...fixture.config, naming});
		engine.pauseAll();
		engine.enqueueMissing();
		await engine.stop();
		const rows = imageRows(fixture.store);
		t.is(rows.length, 1 * fixture.standIn.filePaths(base.id).length + hostile.length);
		for (const row of rows) {
			t.true(insideArchive(fixture.dir, row.path!), `${naming}: ${JSON.stringify(row.path)} stays inside`);
			t.false(/[\u0000-\u001f]/.test(row.path!), 'no control characters');
		}
		t.is(new Set(rows.map((r) => r.path)).size, rows.length, 'every path unique');
	}
});

test('{prompt_slug} of a prompt like ../../etc downloads into the archive', async (t) => {
	const fixture = await downloadFixture(t, {jobs: 1});
	const job = fixture.standIn.jobs()[0]!;
	fixture.store.upsertJobs([{...job, full_command: '../../etc/passwd --ar 1:1'}]);
	await runDownloads({store: fixture.store, config: {...fixture.config, naming: '{prompt_slug}/{job_id}_{index}.{ext}'}});
	assertAllFilesCorrect(t, fixture);
	for (const row of imageRows(fixture.store)) {
		t.true(row.path!.startsWith('etc-passwd/'), row.path!);
		t.true(insideArchive(fixture.dir, row.path!));
	}
});

test('collisions get a unique suffix, also against files already on disk', async (t) => {
	const fixture = await downloadFixture(t, {jobs: 2});
	const job = fixture.standIn.jobs().find((j) => j.batch_size > 1)!;
	const taken = path.join(fixture.dir, 'flat', `${job.id}.png`);
	fs.mkdirSync(path.dirname(taken), {recursive: true});
	fs.writeFileSync(taken, 'the user put this here');
	await runDownloads({store: fixture.store, config: {...fixture.config, naming: 'flat/{job_id}.{ext}'}});
	assertAllFilesCorrect(t, fixture);
	const paths = imageRows(fixture.store).filter((r) => r.job_id === job.id && r.variant === 'png').map((r) => r.path).sort();
	t.deepEqual(paths, Array.from({length: job.batch_size}, (_, i) => `flat/${job.id}_${i + 2}.png`).sort());
	t.is(fs.readFileSync(taken, 'utf8'), 'the user put this here', 'an existing file is never overwritten');
});

test('--format webp fetches the 2048 WebP rendition', async (t) => {
	const fixture = await downloadFixture(t, {jobs: 1, config: {format: 'webp', videos: false}});
	await runDownloads({store: fixture.store, config: fixture.config});
	const rows = imageRows(fixture.store);
	t.true(rows.length > 0);
	for (const row of rows) {
		t.regex(row.url, /\/0_\d_2048_N\.webp$/);
		t.regex(row.path!, /\.webp$/);
		t.is(row.status, 'done');
		t.is(sha256(fs.readFileSync(path.join(fixture.dir, row.path!))), sha256(await fixture.standIn.fileBytesAsync(cdnPath(row.url))));
	}
});

test('a URL list: comments and blank lines skipped, files named from the URL inside the archive, identical content hard-linked once', async (t) => {
	const fixture = await downloadFixture(t, {jobs: 1});
	const [first, second] = fixture.standIn.filePaths(fixture.standIn.jobs()[0]!.id);
	const list = path.join(fixture.dir, 'list.txt');
	const cdn = fixture.standIn.cdnBase;
	// The fragment makes a second URL (and row) for the very same file.
	fs.writeFileSync(list, [`# my files`, '', `${cdn}${first}`, `  ${cdn}${second}  `, `${cdn}${first}#copy`, `${cdn}/%2e%2e%2f%2e%2e%2fetc/passwd`, ''].join('\n'));
	const summary = await runDownloads({store: fixture.store, config: fixture.config, urlsFile: list});
	t.is(summary.downloaded, 2);
	t.is(summary.skipped, 1, 'the duplicate counts as skipped');
	t.is(summary.failed, 1);
	t.regex(summary.failures[0]!.reason, /404/);
	const rows = imageRows(fixture.store);
	t.is(rows.length, 4);
	for (const row of rows) t.true(insideArchive(fixture.dir, row.path!), row.path!);
	const host = new URL(cdn).host.replace(':', '_');
	const original = rows.find((r) => r.url === `${cdn}${first}`)!;
	const copy = rows.find((r) => r.url === `${cdn}${first}#copy`)!;
	t.is(original.path, `urls/${host}${first}`);
	t.is(copy.duplicate_of, original.id);
	t.is(copy.sha256, original.sha256);
	t.not(copy.path, original.path);
	const a = fs.statSync(path.join(fixture.dir, original.path!));
	const b = fs.statSync(path.join(fixture.dir, copy.path!));
	t.is(a.ino, b.ino, 'hard link: the content is stored once');
	t.is(a.nlink, 2);
	t.is(sha256(fs.readFileSync(path.join(fixture.dir, copy.path!))), sha256(fixture.standIn.fileBytes(first!)));
});

test('a malformed URL list names the file and line', async (t) => {
	const fixture = await downloadFixture(t, {jobs: 1});
	const list = path.join(fixture.dir, 'list.txt');
	fs.writeFileSync(list, `# ok\n${fixture.standIn.cdnBase}/a.png\nnot a url\n`);
	const error = await t.throwsAsync(runDownloads({store: fixture.store, config: fixture.config, urlsFile: list}), {instanceOf: MjError});
	t.is(error!.exitCode, 64);
	t.true(error!.message.startsWith(`${list}:3: not a URL`));
	fs.writeFileSync(list, 'file:///etc/passwd\n');
	const scheme = await t.throwsAsync(runDownloads({store: fixture.store, config: fixture.config, urlsFile: list}), {instanceOf: MjError});
	t.regex(scheme!.message, /:1: only http and https/);
	t.is(imageRows(fixture.store).length, 0, 'nothing planned from a bad list');
});

test('metrics textfile and every output hold no secret', async (t) => {
	const cookie = 'cf_clearance=CfClearanceSecretValue123; __Host-Midjourney.AuthUserTokenV3_i=TokenSecretValue4567890';
	registerSecret(cookie);
	t.teardown(forgetSecrets);
	const fixture = await downloadFixture(t, {jobs: 2});
	const db = archiveDb(t, fixture.dir, {writable: true});
	const ghost = {...fixture.standIn.jobs()[0]!, id: '00000000-0000-4000-8000-00000000beef', batch_size: 1};
	fixture.store.upsertJobs([ghost]);
	const metricsFile = path.join(fixture.dir, 'mj.prom');
	const config = {...fixture.config, cookie, metricsFile};
	const summary = await runDownloads({store: fixture.store, config});
	const metrics = fs.readFileSync(metricsFile, 'utf8');
	t.regex(metrics, new RegExp(`mj_tui_download_files_total\\{outcome="downloaded"\\} ${summary.downloaded}\\n`));
	t.regex(metrics, /mj_tui_download_files_total\{outcome="failed"\} 1\n/);
	t.regex(metrics, /mj_tui_info\{version="\d+\.\d+\.\d+"\} 1/);
	t.regex(metrics, new RegExp(`mj_tui_download_bytes_total ${summary.bytes}\\n`));
	// The CDN refusing access: the error must not carry the cookie either.
	fixture.standIn.setFault({kind: 'unauthorized', route: 'cdn'});
	db.prepare("UPDATE images SET status = 'pending'").run();
	const error = await t.throwsAsync(runDownloads({store: fixture.store, config}));
	const rows = JSON.stringify(imageRows(fixture.store));
	const engine = createDownloadEngine(fixture.store, config);
	const snapshot = JSON.stringify(engine.snapshot());
	await engine.stop();
	for (const text of [metrics, JSON.stringify(summary), String(error), String((error as MjError).hint), rows, snapshot]) {
		t.false(text.includes('CfClearanceSecretValue123'), text.slice(0, 200));
		t.false(text.includes('TokenSecretValue4567890'));
	}
	t.false(fs.readdirSync(fixture.dir).some((name) => name.endsWith('.tmp')), 'metrics written atomically, no temp file left');
});

test('a folder created for a file is made durable in its parent, each level of it', async t => {
	const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-dirs-'));
	fs.mkdirSync(path.join(root, 'images'));
	const synced: string[] = [];
	class Recording extends Directories {
		override async sync(directory: string): Promise<void> {
			synced.push(path.relative(root, directory) || '.');
			return super.sync(directory);
		}
	}
	const directories = new Recording();
	await directories.ensure(path.join(root, 'images', '2026', '11'));
	t.deepEqual(synced.sort(), ['images', 'images/2026'], 'the parents of the two new folders; the existing one is left alone');
	synced.length = 0;
	await directories.ensure(path.join(root, 'images', '2026', '11'));
	await directories.ensure(path.join(root, 'images', '2026', '12'));
	t.deepEqual(synced, ['images/2026'], 'once per new folder');
});
