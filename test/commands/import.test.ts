import {createHash} from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import sharp from 'sharp';
import {internationalTextChunk, textChunk, writePng} from '../../fixtures/png.js';
import {embedCommand} from '../../source/commands/embed.js';
import {importCommand} from '../../source/commands/import.js';
import {verifyCommand} from '../../source/commands/verify.js';
import {ArchiveStore} from '../../source/core/archive/store.js';
import {defaultConfig, type Config} from '../../source/core/config/config.js';
import type {ImportReport} from '../../source/core/import/folder.js';
import {readFileMetadata} from '../../source/core/metadata/file-metadata.js';
import type {ApiJob} from '../../source/core/job.js';
import {readPngText} from '../../source/core/metadata/png-text.js';
import {readArchiveDb} from '../helpers/archive-db.js';
import {runCommand, syncedArchive} from '../helpers/tools-archive.js';

const ids = Array.from({length: 10}, (_, i) => `${String(i).repeat(8)}-1111-4222-8333-${String(i).repeat(12)}`);
const xmp = (fields: string) =>
	`<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/">${fields}</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`;
const blank = (width = 16, height = 12) => sharp({create: {width, height, channels: 3, background: {r: 200, g: 40, b: 90}}});

function sandbox(): {folder: string; archiveDir: string; config: Config} {
	const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-tui-import-'));
	const folder = path.join(root, 'downloads');
	fs.mkdirSync(path.join(folder, 'nested'), {recursive: true});
	const archiveDir = path.join(root, 'archive');
	return {folder, archiveDir, config: {...defaultConfig, archive: archiveDir, cdnBase: 'https://cdn.example.test'}};
}

/** One file per metadata flavour, each written by an independent writer (the stand-in's PNG encoder, sharp/libvips). */
async function writeFlavours(folder: string): Promise<Record<string, {file: string; id?: string; command?: string}>> {
	const files: Record<string, {file: string; id?: string; command?: string}> = {};
	const put = (name: string, file: string, bytes: Buffer, id?: string, command?: string) => {
		fs.writeFileSync(path.join(folder, file), bytes);
		files[name] = {file, id, command};
	};
	const website = (command: string, id: string, after: boolean) =>
		writePng({width: 20, height: 20, seed: id.charCodeAt(0), textAfterImageData: after, textChunks: [textChunk('Description', `${command} Job ID: ${id}`), textChunk('Author', 'someone'), textChunk('Creation Time', '2025-03-04T05:06:07Z')]});
	put('png text before IDAT', 'website-1.png', website('a lighthouse, oil painting --ar 3:2 --v 7', ids[0]!, false), ids[0], 'a lighthouse, oil painting --ar 3:2 --v 7');
	put('png text after IDAT', 'nested/website-2.png', website('a koi pond from above --v 6.1', ids[1]!, true), ids[1], 'a koi pond from above --v 6.1');
	put(
		'png iTXt after IDAT',
		'unicode.png',
		writePng({width: 20, height: 20, seed: 9, textAfterImageData: true, textChunks: [internationalTextChunk('Description', `ein Bär im Schnee, 雪 --niji 6 Job ID: ${ids[2]}`)]}),
		ids[2],
		'ein Bär im Schnee, 雪 --niji 6',
	);
	put('xmp in png', 'xmp.png', await blank().png().withXmp(xmp(`<dc:description><rdf:Alt><rdf:li xml:lang="x-default">a brass owl --ar 1:1 Job ID: ${ids[3]}</rdf:li></rdf:Alt></dc:description>`)).toBuffer(), ids[3], 'a brass owl --ar 1:1');
	put('xmp in jpeg', 'xmp.jpg', await blank().jpeg().withXmp(xmp(`<dc:title><rdf:Alt><rdf:li xml:lang="x-default">a glass chess set --stylize 250</rdf:li></rdf:Alt></dc:title><dc:identifier>${ids[4]}</dc:identifier>`)).toBuffer(), ids[4], 'a glass chess set --stylize 250');
	put('xmp in webp', 'xmp.webp', await blank().webp().withXmp(xmp(`<dc:description>a cabin in a snowstorm &amp; wolves --chaos 10</dc:description><dc:identifier>urn:mj:${ids[5]}</dc:identifier>`)).toBuffer(), ids[5], 'a cabin in a snowstorm & wolves --chaos 10');
	put('exif UserComment in jpeg', 'exif.jpeg', await blank().jpeg().withExif({IFD2: {UserComment: `a ramen bowl, steam --ar 4:5 Job ID: ${ids[6]}`}}).toBuffer(), ids[6], 'a ramen bowl, steam --ar 4:5');
	put('exif UserComment in webp', 'exif.webp', await blank().webp().withExif({IFD2: {UserComment: `a jellyfish cathedral --v 7 Job ID: ${ids[7]}`}}).toBuffer(), ids[7], 'a jellyfish cathedral --v 7');
	put('uuid in file name', `someone_a_train_on_a_viaduct_${ids[8]}_2.png`, await blank().png().toBuffer(), ids[8]);
	put('no metadata', 'holiday-photo.png', await blank(30, 30).png().toBuffer());
	fs.writeFileSync(path.join(folder, 'notes.png'), 'this is not an image');
	return files;
}

test('import reads every metadata flavour, links files in place and reports files without metadata', async t => {
	const {folder, archiveDir, config} = sandbox();
	const flavours = await writeFlavours(folder);
	const result = await runCommand(importCommand, [folder, '--json'], config);
	t.is(result.code, 1, 'files without metadata make the exit code 1');
	const report = JSON.parse(result.stdout) as ImportReport;
	t.is(report.scanned, 11);
	t.is(report.linked, 9);
	t.deepEqual(report.noMetadata, ['holiday-photo.png']);
	t.like(report.files.find(file => file.file === 'notes.png'), {outcome: 'unreadable'});
	// Imported files get their perceptual hashes (mj-tui similar) as downloads do.
	t.deepEqual((report as ImportReport & {perceptualHashes: unknown}).perceptualHashes, {hashed: 9, unhashable: 0, unreadable: 0});
	t.is(readArchiveDb(archiveDir, db => db.prepare("SELECT count(*) FROM images i JOIN perceptual_hashes h ON h.image_id = i.id WHERE i.status = 'done' AND h.hash GLOB '[0-9a-f]*'").pluck().get()), 9);

	const store = ArchiveStore.open(archiveDir);
	t.teardown(() => store.close());
	for (const [flavour, expected] of Object.entries(flavours)) {
		if (!expected.id) continue;
		const job = store.getJob(expected.id);
		t.truthy(job, flavour);
		t.is(job!.fullCommand, expected.command ?? '', flavour);
		const image = readArchiveDb(store.dir, db => db.prepare(`SELECT path, sha256, bytes, status FROM images WHERE job_id = ?`).get(expected.id)) as {path: string; sha256: string; bytes: number; status: string};
		const absolute = path.join(folder, expected.file);
		t.is(image.path, absolute, `${flavour}: linked in place by absolute path`);
		const bytes = fs.readFileSync(absolute);
		t.is(image.sha256, createHash('sha256').update(bytes).digest('hex'));
		t.is(image.bytes, bytes.length);
		t.is(image.status, 'done');
	}
	const website = store.getJob(ids[0]!)!;
	t.is(website.enqueuedAt, Date.parse('2025-03-04T05:06:07Z'), 'Creation Time becomes the job time');
	t.is((website.raw.imported_from as {author: string}).author, 'someone');
	t.is(website.parameters.ar, '3:2');
	t.is(readArchiveDb(store.dir, db => db.prepare('SELECT idx FROM images WHERE job_id = ?').pluck().get(ids[8])), 2, 'image index from the file name');
	t.is(readArchiveDb(store.dir, db => db.prepare('SELECT source FROM jobs WHERE id = ?').pluck().get(ids[0])), 'import');

	// Imported files are part of the archive: verify hashes them where they are.
	t.is((await runCommand(verifyCommand, [], config)).code, 0);
	// Importing again finds everything archived already.
	const again = JSON.parse((await runCommand(importCommand, [folder, '--json'], config)).stdout) as ImportReport;
	t.is(again.alreadyArchived, 9);
	t.is(again.jobsCreated, 0);
});

test('--copy puts files into the archive named like downloads; later metadata enriches a bare job; API data is never downgraded', async t => {
	const {folder, archiveDir, config} = sandbox();
	const store = ArchiveStore.open(archiveDir);
	t.teardown(() => store.close());
	const apiJob: ApiJob = {id: ids[9]!, enqueue_time: '2025-05-06T07:08:09+00:00', full_command: 'the API prompt --v 7', job_type: 'v7_diffusion', event_type: 'diffusion', parent_id: null, parent_grid: null, batch_size: 4, width: 64, height: 64, rating: null, published: false, shown: true, user_hidden: false};
	store.upsertJobs([apiJob], 'api');
	fs.writeFileSync(path.join(folder, 'api-job.png'), writePng({width: 8, height: 8, seed: 3, textAfterImageData: false, textChunks: [textChunk('Description', `a different prompt Job ID: ${ids[9]}`)]}));
	fs.writeFileSync(path.join(folder, `bare_${ids[8]}_0.png`), await blank().png().toBuffer());

	const first = JSON.parse((await runCommand(importCommand, [folder, '--copy', '--json'], config)).stdout) as ImportReport;
	t.is(first.copied, 2);
	t.is(store.getJob(ids[9]!)!.fullCommand, 'the API prompt --v 7', 'the API row is untouched');
	const copied = readArchiveDb(store.dir, db => db.prepare(`SELECT path FROM images WHERE job_id = ?`).pluck().get(ids[9])) as string;
	t.is(copied, `images/2025/05/2025-05-06_${ids[9]}_0.png`);
	t.deepEqual(fs.readFileSync(path.join(archiveDir, copied)), fs.readFileSync(path.join(folder, 'api-job.png')));
	t.is(store.getJob(ids[8]!)!.fullCommand, '');

	fs.mkdirSync(path.join(folder, 'later'));
	fs.writeFileSync(path.join(folder, 'later', 'more.png'), writePng({width: 8, height: 8, seed: 4, textAfterImageData: true, textChunks: [textChunk('Description', `a train on a viaduct --ar 2:1 Job ID: ${ids[8]}`)]}));
	fs.renameSync(path.join(folder, 'later', 'more.png'), path.join(folder, 'later', `x_${ids[8]}_1.png`));
	const second = JSON.parse((await runCommand(importCommand, [path.join(folder, 'later'), '--json'], config)).stdout) as ImportReport;
	t.is(second.jobsEnriched, 1);
	t.is(store.getJob(ids[8]!)!.fullCommand, 'a train on a viaduct --ar 2:1');
	t.is((await runCommand(verifyCommand, [], config)).code, 0);
});

test('import --responses ingests /api/imagine pages from a HAR or a JSON file, validated like API pages', async t => {
	const {archiveDir, config} = sandbox();
	const root = path.dirname(archiveDir);
	const job = (id: string, command: string): ApiJob => ({id, enqueue_time: '2025-06-01T10:00:00+00:00', full_command: command, job_type: 'v7_diffusion', event_type: 'diffusion', parent_id: null, parent_grid: null, batch_size: 4, width: 1024, height: 1024, rating: null, published: false, shown: true, user_hidden: false, a_new_field: {kept: true}});
	const pageOne = {data: [job(ids[0]!, 'a fox --ar 1:1'), job(ids[1]!, 'an owl')], cursor: 'c1'};
	const pageTwo = {data: [job(ids[2]!, 'a <script>alert(1)</script> cat')], cursor: null};
	const har = {log: {version: '1.2', entries: [
		{request: {url: 'https://www.midjourney.com/api/imagine?user_id=u&page_size=2'}, response: {status: 200, content: {mimeType: 'application/json', text: JSON.stringify(pageOne)}}},
		{request: {url: 'https://www.midjourney.com/api/imagine?user_id=u&cursor=c1'}, response: {status: 200, content: {mimeType: 'application/json', encoding: 'base64', text: Buffer.from(JSON.stringify(pageTwo)).toString('base64')}}},
		{request: {url: 'https://www.midjourney.com/api/user-mutable-state'}, response: {status: 200, content: {text: '{}'}}},
	]}};
	fs.writeFileSync(path.join(root, 'session.har'), JSON.stringify(har));
	const result = await runCommand(importCommand, ['--responses', path.join(root, 'session.har'), '--json'], config);
	t.is(result.code, 0, result.error?.message);
	t.like(JSON.parse(result.stdout), {pages: 2, skippedEntries: 1, jobs: 3, inserted: 3});
	const store = ArchiveStore.open(archiveDir);
	t.teardown(() => store.close());
	t.deepEqual(store.getJob(ids[0]!)!.raw.a_new_field, {kept: true});
	t.is(readArchiveDb(store.dir, db => db.prepare('SELECT source FROM jobs WHERE id = ?').pluck().get(ids[2])), 'responses');

	fs.writeFileSync(path.join(root, 'pages.json'), JSON.stringify([pageOne, {data: [job(ids[3]!, 'a whale')]}]));
	t.like(JSON.parse((await runCommand(importCommand, ['--responses', path.join(root, 'pages.json'), '--json'], config)).stdout), {pages: 2, inserted: 1, unchanged: 2});

	// One job without an id is skipped and counted; its page's other jobs are stored.
	fs.writeFileSync(path.join(root, 'odd.json'), JSON.stringify([{data: [job(ids[5]!, 'kept'), {full_command: 'no id here'}]}]));
	const odd = await runCommand(importCommand, ['--responses', path.join(root, 'odd.json'), '--json'], config);
	t.is(odd.code, 0, odd.error?.message);
	t.like(JSON.parse(odd.stdout), {jobs: 1, inserted: 1, oddities: {'no string id (skipped: a job needs one to be stored)': 1}});
	t.is(store.getJob(ids[5]!)?.prompt, 'kept');

	fs.writeFileSync(path.join(root, 'bad.json'), JSON.stringify([{data: [job(ids[4]!, 'fine')]}, {data: {jobs: [job(ids[6]!, 'lost')]}}]));
	const bad = await runCommand(importCommand, ['--responses', path.join(root, 'bad.json')], config);
	t.is(bad.code, 65);
	t.regex(bad.error!.message, /bad\.json: \[1\]: "data" is an object, expected an array of jobs/);
	t.is(store.getJob(ids[4]!), undefined, 'one bad page stores nothing');

	fs.writeFileSync(path.join(root, 'broken.har'), '{"log": {"entries": [');
	t.is((await runCommand(importCommand, ['--responses', path.join(root, 'broken.har')], config)).code, 65);
});

test('embed writes the full command and job id into archived PNGs, atomically, and the archive follows', async t => {
	const archive = await syncedArchive(10);
	t.teardown(archive.close);
	const {store, config} = archive;
	// The API changed three prompts since download: their files now carry stale text.
	const changed = archive.standIn.jobs().filter(job => job.batch_size === 4).slice(0, 3).map(job => ({...job, full_command: `${job.full_command} --stylize 999`}));
	store.upsertJobs(changed);
	const rows = readArchiveDb(store.dir, db => db.prepare(`SELECT id, job_id, path, sha256 FROM images WHERE status = 'done' AND variant = 'png'`).all()) as Array<{id: number; job_id: string; path: string; sha256: string}>;
	const stale = rows.filter(row => changed.some(job => job.id === row.job_id));
	const before = await sharp(path.join(archive.dir, stale[0]!.path)).raw().toBuffer();

	const result = await runCommand(embedCommand, ['--json'], config);
	t.is(result.code, 0);
	t.deepEqual(JSON.parse(result.stdout), {embedded: stale.length, unchanged: rows.length - stale.length, failed: []});
	for (const row of stale) {
		const file = path.join(archive.dir, row.path);
		const bytes = fs.readFileSync(file);
		const job = store.getJob(row.job_id)!;
		const descriptions = readPngText(bytes).filter(entry => entry.keyword === 'Description');
		t.deepEqual(descriptions.map(entry => entry.text), [`${job.fullCommand} Job ID: ${job.id}`], 'one Description, replaced not added');
		t.like(readFileMetadata(bytes, file), {jobId: job.id, fullCommand: job.fullCommand});
		const xmpText = (await sharp(bytes).metadata()).xmp?.toString('utf8') ?? '';
		t.true(xmpText.includes(`<dc:identifier>${job.id}</dc:identifier>`));
		const recorded = readArchiveDb(store.dir, db => db.prepare('SELECT sha256 FROM images WHERE id = ?').pluck().get(row.id));
		t.is(recorded, createHash('sha256').update(bytes).digest('hex'));
		t.not(recorded, row.sha256);
	}
	// Buffer.equals: ava's deepEqual on megabytes of pixels takes seconds.
	t.true((await sharp(path.join(archive.dir, stale[0]!.path)).raw().toBuffer()).equals(before), 'pixels untouched');
	t.deepEqual(fs.readdirSync(path.dirname(path.join(archive.dir, stale[0]!.path))).filter(name => name.endsWith('.tmp')), []);
	t.is((await runCommand(verifyCommand, [], config)).code, 0, 'the archive records the rewritten files');
	t.like(JSON.parse((await runCommand(embedCommand, ['--json'], config)).stdout), {embedded: 0, unchanged: rows.length});
});

test('import of something that is not a folder is a usage error and creates no archive', async t => {
	const {folder, archiveDir, config} = sandbox();
	const result = await runCommand(importCommand, [path.join(folder, 'missing')], config);
	t.is(result.code, 64);
	t.regex(result.error!.message, /missing is not a folder/);
	t.false(fs.existsSync(path.join(archiveDir, 'archive.db')));
});
