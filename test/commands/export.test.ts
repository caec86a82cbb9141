import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import {exportCommand} from '../../source/commands/export.js';
import {DonePathsWorker} from '../../source/core/archive/done-paths.js';
import {generateJobs, hostilePrompts} from '../../fixtures/jobs.js';
import {ArchiveStore} from '../../source/core/archive/store.js';
import {forgetSecrets, registerSecret} from '../../source/core/secrets.js';
import {stripTerminalControls} from '../../source/core/terminal-text.js';
import type {ApiJob, Job} from '../../source/core/job.js';
import {readArchiveDb} from '../helpers/archive-db.js';
import {runCommand, syncedArchive, type ToolsArchive} from '../helpers/tools-archive.js';

let archive: ToolsArchive;
let jobs: Job[];
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-tui-export-'));
const secret = 'sk-test-0123456789abcdef-secret';

/** Prompts that attack spreadsheets and CSV parsers, added next to the stand-in's own hostile ones. */
const spreadsheetPrompts = [
	'=HYPERLINK("http://evil.example","click me"), a cat',
	'+1+1 "quoted" text, with commas',
	'-2+3 minus first',
	'@SUM(A1:A2) at sign',
	`a prompt that leaks ${secret} by accident`,
	`\u001B[1m=cmd|' /C calc'!A0 behind an escape`,
];

test.before(async () => {
	archive = await syncedArchive(40);
	const template = archive.standIn.jobs()[0]!;
	const extra: ApiJob[] = spreadsheetPrompts.map((prompt, i) => ({
		...template,
		id: `00000000-0000-4000-8000-00000000000${i}`,
		enqueue_time: `2024-01-0${i + 1}T00:00:00+00:00`,
		full_command: `${prompt} --ar 1:1`,
	}));
	archive.store.upsertJobs(extra);
	jobs = [...archive.store.iterateJobs()];
	registerSecret(secret);
});
test.after.always(async () => {
	forgetSecrets();
	await archive?.close();
});

const exportTo = (name: string, argv: string[]) => runCommand(exportCommand, ['--out', path.join(out, name), ...argv], archive.config);
const hostile = [...hostilePrompts.values()];
/** The archived file a dataset row (`images/<job>_<i>.png`) was made from. */
const storedPathOf = (row: {job_id: string; file_name: string}) =>
	readArchiveDb(archive.dir, db => db.prepare(`SELECT path FROM images WHERE job_id = ? AND idx = ? AND variant = 'png'`).pluck().get(row.job_id, Number(/_(\d+)\.png$/.exec(row.file_name)![1]))) as string;

/** Parse with Python's csv module: an independent RFC 4180 reader. */
function readCsv(file: string): string[][] {
	return JSON.parse(execFileSync('python3', ['-c', 'import csv,sys,json; print(json.dumps(list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))))', file], {encoding: 'utf8', maxBuffer: 256 * 1024 * 1024})) as string[][];
}

test('csv: one row per job, quoting survives commas, quotes and newlines, formulas are defused, secrets redacted', async t => {
	const result = await exportTo('jobs.csv', ['--format', 'csv']);
	t.is(result.code, 0, result.error?.message);
	const [header, ...rows] = readCsv(path.join(out, 'jobs.csv'));
	t.deepEqual(header!.slice(0, 6), ['id', 'enqueue_time', 'job_type', 'event_type', 'prompt', 'full_command']);
	t.is(rows.length, jobs.length);
	const column = (name: string) => header!.indexOf(name);
	for (const job of jobs) {
		const row = rows.find(r => r[0] === job.id)!;
		t.truthy(row, job.id);
		const expected = stripTerminalControls(job.prompt).replaceAll(secret, '[redacted]');
		t.is(row[column('prompt')], /^[=+\-@]/.test(expected) ? `'${expected}` : expected);
		const paths = row[column('image_paths')]!.split(';').filter(Boolean);
		t.is(paths.length, job.files.done);
		for (const p of paths) t.true(fs.existsSync(path.join(archive.dir, p)) && !path.isAbsolute(p), p);
	}
	// Terminal escapes are gone (`cat jobs.csv` must not retitle or clear the terminal); the words stay.
	for (const prompt of hostile) t.true(rows.some(row => row[column('prompt')] === stripTerminalControls(prompt).trim()), `hostile prompt without its control sequences: ${JSON.stringify(prompt)}`);
	t.true(rows.some(row => row[column('prompt')] === 'a quiet harbour at dawn, oil painting'), 'ESC ] 0;title BEL removed whole');
	t.true(rows.some(row => row[column('prompt')] === 'red alert neon city skyline, cyberpunk'), 'CSI sequences removed whole');
	const text = fs.readFileSync(path.join(out, 'jobs.csv'), 'utf8');
	t.false(/[\u001B\u0007\u009B\u202E]/.test(text), 'no ESC, BEL, CSI or bidi override in the file');
	t.false(text.includes(secret));
	t.true(rows.some(row => row[column('prompt')] === `'=HYPERLINK("http://evil.example","click me"), a cat`));
	t.true(rows.some(row => row[column('prompt')] === `'=cmd|' /C calc'!A0 behind an escape`), 'the formula guard sees through a leading escape sequence');
});

test('json and jsonl: every job with its images, hostile prompts byte for byte', async t => {
	t.is((await exportTo('jobs.json', ['--format', 'json'])).code, 0);
	t.is((await exportTo('jobs.jsonl', ['--format', 'jsonl'])).code, 0);
	const array = JSON.parse(fs.readFileSync(path.join(out, 'jobs.json'), 'utf8')) as Array<{id: string; prompt: string; full_command: string; images: Array<{path: string; sha256: string; status: string}>}>;
	const lines = fs.readFileSync(path.join(out, 'jobs.jsonl'), 'utf8').trimEnd().split('\n').map(line => JSON.parse(line) as (typeof array)[number]);
	t.deepEqual(lines, array);
	t.deepEqual(array.map(job => job.id), jobs.map(job => job.id), 'newest first, like the archive');
	for (const prompt of hostile) t.true(array.some(job => job.prompt === prompt.trim()), JSON.stringify(prompt));
	const withImages = array.filter(job => job.images.length > 0);
	t.true(withImages.length >= 40);
	for (const job of withImages) {
		for (const image of job.images) {
			const bytes = fs.readFileSync(path.join(archive.dir, image.path));
			t.is(image.status, 'done');
			t.is(await sha256(bytes), image.sha256);
		}
	}
	t.false(fs.readFileSync(path.join(out, 'jobs.json'), 'utf8').includes(secret));
	t.false(fs.existsSync(path.join(out, 'jobs.json.tmp')));
});

async function sha256(bytes: Buffer): Promise<string> {
	const {createHash} = await import('node:crypto');
	return createHash('sha256').update(bytes).digest('hex');
}

test('a query and filters select what is exported', async t => {
	t.is((await exportTo('fox.jsonl', ['--format', 'jsonl', 'fox', '--type', 'diffusion'])).code, 0);
	const ids = fs.readFileSync(path.join(out, 'fox.jsonl'), 'utf8').trimEnd().split('\n').map(line => (JSON.parse(line) as {id: string}).id).sort();
	const expected = jobs.filter(job => /\bfox\b/i.test(job.prompt) && (job.eventType === 'diffusion' || job.jobType === 'diffusion')).map(job => job.id).sort();
	t.true(expected.length > 0);
	t.deepEqual(ids, expected);
	const inQuery = await exportTo('wide.jsonl', ['--format', 'jsonl', '--', '--ar', '16:9']);
	t.is(inQuery.code, 0);
	const wide = fs.readFileSync(path.join(out, 'wide.jsonl'), 'utf8').trimEnd().split('\n').map(line => JSON.parse(line) as {parameters: {ar?: string}});
	t.true(wide.length > 0 && wide.every(job => job.parameters.ar === '16:9'));
	fs.writeFileSync(path.join(out, 'a-file'), '');
	const blocked = await exportTo('a-file/gallery', ['--format', 'html']);
	t.is(blocked.code, 74);
	t.regex(blocked.error!.message, /cannot write .*a-file\/gallery: (ENOTDIR|EEXIST)/);
	const bad = await exportTo('x.txt', ['--format', 'xml']);
	t.is(bad.code, 64);
	t.regex(bad.error!.message, /--format must be one of csv, json, jsonl, html, dataset/);
});

test('dataset: image + caption pairs, imagefolder metadata, a seeded split by job, copies (hard links only with --link)', async t => {
	const result = await exportTo('ds', ['--format', 'dataset', '--split', '0.6,0.2,0.2', '--seed', '3']);
	t.is(result.code, 0, result.error?.message);
	const dir = path.join(out, 'ds');
	const all = fs.readFileSync(path.join(dir, 'metadata.jsonl'), 'utf8').trimEnd().split('\n').map(line => JSON.parse(line) as {file_name: string; text: string; job_id: string; split: string});
	const pngs = readArchiveDb(archive.dir, db => db.prepare(`SELECT count(*) FROM images WHERE status = 'done' AND variant = 'png'`).pluck().get()) as number;
	t.is(all.length, pngs);
	for (const row of all) {
		const job = jobs.find(j => j.id === row.job_id)!;
		t.is(row.text, job.prompt.trim());
		t.false(row.text.includes('--ar'));
		const image = path.join(dir, row.file_name);
		t.is(fs.readFileSync(image.replace(/\.png$/, '.txt'), 'utf8'), row.text);
		const original = path.join(archive.dir, storedPathOf(row));
		t.not(fs.statSync(image).ino, fs.statSync(original).ino, 'a copy, not a link to the archived file');
		t.deepEqual(fs.readFileSync(image), fs.readFileSync(original));
	}
	// Editing an exported image in place leaves the archive's original as it was.
	const original = path.join(archive.dir, storedPathOf(all[0]!));
	const originalBytes = fs.readFileSync(original);
	fs.appendFileSync(path.join(dir, all[0]!.file_name), 'edited');
	t.deepEqual(fs.readFileSync(original), originalBytes);
	const bySplit = new Map<string, string[]>();
	for (const split of ['train', 'validation', 'test']) {
		const rows = fs.readFileSync(path.join(dir, split, 'metadata.jsonl'), 'utf8').split('\n').filter(Boolean).map(line => JSON.parse(line) as {file_name: string; job_id: string});
		for (const row of rows) t.true(fs.existsSync(path.join(dir, split, row.file_name)));
		bySplit.set(split, rows.map(row => row.job_id));
	}
	t.is([...bySplit.values()].flat().length, all.length);
	t.true(bySplit.get('train')!.length > bySplit.get('test')!.length);
	for (const id of bySplit.get('test')!) t.false(bySplit.get('train')!.includes(id), 'a job never straddles splits');

	// Same seed, same split; another seed moves jobs.
	const linked = await exportTo('ds-again', ['--format', 'dataset', '--split', '0.6,0.2,0.2', '--seed', '3', '--captions-with-params', '--link']);
	t.regex(linked.stdout, new RegExp(`${all.length * 2} hard links, 0 copies`));
	const linkedRow = all[1]!;
	t.is(fs.statSync(path.join(out, 'ds-again', linkedRow.file_name)).ino, fs.statSync(path.join(archive.dir, storedPathOf(linkedRow))).ino, '--link: a hard link to the archived file');
	const again = fs.readFileSync(path.join(out, 'ds-again', 'metadata.jsonl'), 'utf8').trimEnd().split('\n').map(line => JSON.parse(line) as {job_id: string; split: string; text: string});
	t.deepEqual(again.map(row => row.split), all.map(row => row.split));
	t.true(again.every(row => row.text === jobs.find(job => job.id === row.job_id)!.fullCommand.trim()));
	await exportTo('ds-other', ['--format', 'dataset', '--split', '0.6,0.2,0.2', '--seed', '4']);
	const other = fs.readFileSync(path.join(out, 'ds-other', 'metadata.jsonl'), 'utf8').trimEnd().split('\n').map(line => JSON.parse(line) as {split: string});
	t.notDeepEqual(other.map(row => row.split), all.map(row => row.split));

	const badSplit = await exportTo('ds-bad', ['--format', 'dataset', '--split', '0.9,0.2']);
	t.is(badSplit.code, 64);
	t.regex(badSplit.error!.message, /--split "0.9,0.2"/);
});

test('html: hostile prompts never appear as markup in the page; thumbnails are made once and cached', async t => {
	const first = await exportTo('gallery', ['--format', 'html', '--json']);
	t.is(first.code, 0, first.error?.message);
	const report = JSON.parse(first.stdout) as {jobs: number; gallery: {images: number; thumbnailsMade: number; thumbnailsCached: number}};
	const html = fs.readFileSync(path.join(out, 'gallery', 'index.html'), 'utf8');
	t.false(html.includes('<script>alert(1)'));
	t.false(html.includes('<img src=x'));
	t.is(html.match(/<script/g)!.length, 2, 'only the data block and gallery.js');
	const distinct = readArchiveDb(archive.dir, db => db.prepare(`SELECT count(DISTINCT sha256) FROM images WHERE status = 'done' AND variant = 'png'`).pluck().get()) as number;
	t.is(report.gallery.thumbnailsMade, distinct);
	t.is(fs.readdirSync(path.join(out, 'gallery', 'thumbs')).length, distinct);
	const second = JSON.parse((await exportTo('gallery', ['--format', 'html', '--json'])).stdout) as typeof report;
	t.is(second.gallery.thumbnailsMade, 0);
	t.is(second.gallery.thumbnailsCached, report.gallery.thumbnailsMade);
});

test('exports larger than one write chunk keep every record whole and redact secrets at any offset', async t => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-tui-export-large-'));
	const store = ArchiveStore.open(dir);
	t.teardown(() => store.close());
	// ~6,000 jobs of a few hundred bytes each: several 256 KiB chunks, with the secret in every 7th prompt.
	const generated = generateJobs(6000, 3).map((job, index) => (index % 7 === 0 ? {...job, full_command: `${secret} ${job.full_command}`} : job));
	store.upsertJobs(generated);
	const config = {...archive.config, archive: dir};
	// json: records start with ",\n", so chunks end mid-record and the tail is carried into the next chunk.
	const file = path.join(out, 'large.json');
	t.is((await runCommand(exportCommand, ['--format', 'json', '--out', file], config)).code, 0);
	const text = fs.readFileSync(file, 'utf8');
	t.true(text.length > 4 * 256 * 1024);
	t.false(text.includes(secret));
	const lines = JSON.parse(text) as Array<{id: string; full_command: string}>;
	t.is(lines.length, generated.length);
	const byId = new Map(generated.map(job => [job.id, job.full_command.replaceAll(secret, '[redacted]')]));
	t.true(lines.every(line => byId.get(line.id) === line.full_command));
	const csvFile = path.join(out, 'large.csv');
	t.is((await runCommand(exportCommand, ['--format', 'csv', '--out', csvFile], config)).code, 0);
	t.is(readCsv(csvFile).length, generated.length + 1);
});

test('csv with a query or filters: the same jobs, order and downloaded paths as jsonl', async t => {
	for (const [name, selection] of [['typed', ['--type', 'diffusion']], ['query', ['fox']], ['limited', ['--limit', '7']]] as const) {
		t.is((await exportTo(`${name}.csv`, ['--format', 'csv', ...selection])).code, 0);
		t.is((await exportTo(`${name}.jsonl`, ['--format', 'jsonl', ...selection])).code, 0);
		const [header, ...rows] = readCsv(path.join(out, `${name}.csv`));
		const expected = fs.readFileSync(path.join(out, `${name}.jsonl`), 'utf8').trimEnd().split('\n').map(line => JSON.parse(line) as {id: string; images: Array<{path: string; status: string}>});
		t.true(expected.length > 0, name);
		t.deepEqual(rows.map(row => row[0]), expected.map(job => job.id), name);
		const paths = header!.indexOf('image_paths');
		t.deepEqual(rows.map(row => row[paths]), expected.map(job => job.images.filter(image => image.status === 'done' && image.path).map(image => image.path).join(';')), name);
	}
});

test('the done-paths worker answers in the order asked and reports a database it cannot open', async t => {
	const worker = archive.store.exports.donePaths();
	t.teardown(() => worker.close());
	const ids = [jobs[2]!.id, 'no-such-job', jobs[0]!.id];
	const [first, second] = await Promise.all([worker.lookup(ids), worker.lookup([jobs[1]!.id])]);
	t.is(first.length, 3);
	t.is(first[1], null);
	t.is(first[0]?.split(';').length ?? 0, jobs[2]!.files.done);
	t.is(second[0]?.split(';').length ?? 0, jobs[1]!.files.done);
	const broken = new DonePathsWorker(path.join(out, 'missing', 'archive.db'));
	await t.throwsAsync(broken.lookup([jobs[0]!.id]), {message: /reading image paths for the export: .*directory does not exist/});
	await t.throwsAsync(broken.lookup([jobs[0]!.id]), {message: /reading image paths/}, 'asked after the worker is gone: fails, never hangs');
	await broken.close();
});
