/**
 * Near-duplicate families through the installed binary, on an archive that
 * `mj-tui --batch` synced and downloaded from the stand-in (whose variations
 * and upscales show their parent's picture slightly changed): hashes made at
 * download (or left for verify, and counted), `similar` by job and by file (text and --json), its errors, and
 * `verify` filling in missing hashes once (never an error loop).
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import sharp from 'sharp';
import {startStandIn} from '../../fixtures/stand-in.js';
import type {StandIn} from '../../fixtures/types.js';
import type {StandInJob} from '../../fixtures/jobs.js';
import {archiveDb, readArchiveDb} from '../helpers/archive-db.js';
import {builtBin, runBin, sandbox, type Sandbox} from '../helpers/cli-io.js';
import {standInBaseEnv, temporaryArchive} from '../helpers/mj-setup.js';

interface SimilarLine {distance: number; job_id: string; index: number; variant: string; path: string; hash: string; prompt: string}

let standIn: StandIn;
let box: Sandbox;
let dir: string;
/** The set-up batch's perceptual hashing, from its --json summary. */
let batchHashes: {hashed: number; unhashable: number; unreadable: number; left: number};

test.before(async t => {
	if (!fs.existsSync(builtBin)) t.fail(`${builtBin} is missing: run npm run build (npm test does) first`);
	standIn = await startStandIn({jobs: 40, seed: 5});
	box = sandbox();
	dir = temporaryArchive();
	const batch = await runBin(['--batch', '--json', '--archive', dir], {cwd: box.project, env: {...box.env, ...standInBaseEnv(standIn)}});
	if (batch.code !== 0) t.fail(`set-up batch exited ${batch.code}: ${batch.stderr}`);
	batchHashes = JSON.parse(batch.stdout.trim().split('\n').at(-1)!).perceptualHashes;
});

test.after.always(async () => {
	await standIn?.close();
	if (dir) fs.rmSync(dir, {recursive: true, force: true});
});

const similar = (args: string[]) => runBin(['similar', ...args, '--archive', dir], {cwd: box.project, env: box.env});
const jsonLines = (stdout: string) => stdout.trim().split('\n').filter(Boolean).map(line => JSON.parse(line) as SimilarLine);

/** Jobs made from image `parent_grid` of an archived parent (variations, upscales), by parent image. */
function families(): Map<string, StandInJob[]> {
	const jobs = standIn.jobs();
	const byParentImage = new Map<string, StandInJob[]>();
	for (const job of jobs) {
		if (job.parent_id === null || job.parent_grid === null || !Number.isInteger(Number(job.parent_grid))) continue;
		if (job.job_type.startsWith('vid_') || !jobs.some(parent => parent.id === job.parent_id)) continue;
		const key = `${job.parent_id}/${Number(job.parent_grid)}`;
		byParentImage.set(key, [...byParentImage.get(key) ?? [], job]);
	}
	return byParentImage;
}

test.serial('a batch download hashes the images it fetched or counts those it left, which verify fills in; videos are not hashable', async t => {
	const hashes = () => readArchiveDb(dir, db => db.prepare(`SELECT i.variant, h.hash, h.unhashable, h.sha256 = i.sha256 AS current FROM images i
		LEFT JOIN perceptual_hashes h ON h.image_id = i.id WHERE i.status = 'done'`).all() as Array<{variant: string; hash: string | null; unhashable: string | null; current: number | null}>);
	const afterBatch = hashes();
	t.is(afterBatch.filter(row => row.hash === null && row.unhashable === null).length, batchHashes.left, 'unhashed files = what the summary says it left');
	t.is(afterBatch.filter(row => row.hash !== null).length, batchHashes.hashed);
	if (batchHashes.left > 0) {
		const verify = await runBin(['verify', '--json', '--archive', dir], {cwd: box.project, env: box.env});
		t.is(verify.code, 0, verify.stderr);
		const filled = JSON.parse(verify.stdout.trim().split('\n').at(-1)!).perceptualHashes as {hashed: number; unhashable: number};
		t.is(filled.hashed + filled.unhashable, batchHashes.left);
	}
	const rows = hashes();
	t.true(rows.some(row => row.variant === 'mp4'), 'the stand-in has video jobs');
	for (const row of rows) {
		if (row.variant === 'mp4') t.deepEqual([row.hash, row.unhashable], [null, 'a video']);
		else t.regex(row.hash ?? '', /^[\da-f]{16}$/);
		t.is(row.current, 1);
	}
});

test.serial('similar <job> lists the variations and upscales of its image, nearest first (--json and text)', async t => {
	const groups = [...families()];
	t.true(groups.length >= 3, `families in the stand-in: ${groups.length}`);
	for (const [key, children] of groups) {
		const [parentId, grid] = key.split('/');
		const result = await similar([parentId, '--image', grid, '--json']);
		t.is(result.code, 0, result.stderr);
		const lines = jsonLines(result.stdout);
		const distances = lines.map(line => line.distance);
		t.deepEqual(distances, [...distances].sort((a, b) => a - b), 'nearest first');
		t.true(distances.every(distance => distance <= 10));
		t.false(lines.some(line => line.job_id === parentId && line.index === Number(grid)), 'not the image asked about');
		for (const child of children) {
			const found = lines.filter(line => line.job_id === child.id);
			t.is(found.length, child.batch_size, `every image of ${child.event_type} ${child.id} is near its parent's image ${grid}`);
			t.true(found.every(line => fs.existsSync(path.join(dir, line.path))));
		}
	}
	const [key, children] = groups[0];
	const text = await similar([key.split('/')[0], '--image', key.split('/')[1]]);
	t.is(text.code, 0);
	t.regex(text.stdout, /^DIST {2}JOB +IMG {2}PROMPT +PATH$/m);
	t.regex(text.stdout, new RegExp(`^ +\\d+ {2}${children[0].id} +\\d `, 'm'));
});

test.serial('similar <file> hashes a file from outside the archive: a re-encoded copy finds its original', async t => {
	const [, children] = [...families()][0];
	const child = children[0];
	const original = readArchiveDb(dir, db => db.prepare("SELECT path FROM images WHERE job_id = ? AND idx = 0 AND variant = 'png'").pluck().get(child.id) as string);
	const copy = path.join(box.root, 'found on the web.jpg');
	await sharp(path.join(dir, original)).resize({width: 300}).jpeg({quality: 70}).toFile(copy);
	const result = await similar([copy, '--json', '--max-distance', '8']);
	t.is(result.code, 0, result.stderr);
	const lines = jsonLines(result.stdout);
	const match = lines.find(line => line.job_id === child.id && line.index === 0);
	t.truthy(match, result.stdout);
	t.true(match!.distance <= 6, `distance ${match?.distance}`);
	t.true(lines[0].distance <= match!.distance);
});

test.serial('clear errors: unknown job 65, missing file 66, not an image 65, bad distance 64', async t => {
	const unknown = await similar(['00000000-0000-4000-8000-000000000000']);
	t.is(unknown.code, 65);
	t.regex(unknown.stderr, /no job "00000000-0000-4000-8000-000000000000" in the archive/);
	const missing = await similar([path.join(box.root, 'nowhere.png')]);
	t.is(missing.code, 66);
	t.regex(missing.stderr, /cannot read .*nowhere\.png: no such file/);
	const notImage = path.join(box.root, 'notes.png');
	fs.writeFileSync(notImage, 'just some text, named like a picture\n');
	const text = await similar([notImage]);
	t.is(text.code, 65);
	t.regex(text.stderr, /notes\.png is not an image mj-tui can read/);
	const distance = await similar([notImage, '--max-distance', '40']);
	t.is(distance.code, 64);
	t.regex(distance.stderr, /--max-distance "40": expected a whole number from 0 to 16 \(bits of 64 that may differ\)/);
	t.false(/at .*\.js:\d+/.test(unknown.stderr + missing.stderr + text.stderr), 'no stack trace');
});

test.serial('the index cache: a second similar answers the same from it; a torn cache or a changed table is never trusted', async t => {
	const [key, children] = [...families()][0]!;
	const [parentId, grid] = key.split('/');
	const ask = async () => {
		const result = await similar([parentId, '--image', grid, '--json']);
		t.is(result.code, 0, result.stderr);
		return jsonLines(result.stdout);
	};
	const first = await ask();
	const cache = path.join(dir, '.cache', 'similar-index.bin');
	t.true(fs.existsSync(cache), 'the first lookup wrote the index cache');
	t.deepEqual(await ask(), first);
	// Torn (a crash of another tool, a full disk): ignored, the table read again, the cache written whole.
	const whole = fs.statSync(cache).size;
	fs.truncateSync(cache, whole - 3);
	t.deepEqual(await ask(), first);
	t.is(fs.statSync(cache).size, whole);
	// The table changes under the cache: a child's hashes go; it must drop out of the answer.
	const child = children[0]!;
	const db = archiveDb(t, dir, {writable: true});
	const removed = db.prepare('SELECT h.image_id AS id, h.hash, h.unhashable, h.sha256, h.hashed_at FROM perceptual_hashes h JOIN images i ON i.id = h.image_id WHERE i.job_id = ?').all(child.id) as Array<{id: number; hash: string; unhashable: null; sha256: string; hashed_at: number}>;
	t.true(removed.length > 0);
	db.prepare('DELETE FROM perceptual_hashes WHERE image_id IN (SELECT id FROM images WHERE job_id = ?)').run(child.id);
	const without = await ask();
	t.false(without.some(line => line.job_id === child.id), 'a job whose hashes are gone is not listed from a stale cache');
	const restore = db.prepare('INSERT INTO perceptual_hashes (image_id, hash, unhashable, sha256, hashed_at) VALUES (?, ?, ?, ?, ?)');
	for (const row of removed) restore.run(row.id, row.hash, row.unhashable, row.sha256, row.hashed_at);
	t.deepEqual(await ask(), first);
});

test.serial('verify computes the hashes files lack, once: a second run has nothing left to do', async t => {
	const db = archiveDb(t, dir, {writable: true});
	const before = db.prepare('SELECT image_id, hash FROM perceptual_hashes WHERE hash IS NOT NULL ORDER BY image_id LIMIT 5').all() as Array<{image_id: number; hash: string}>;
	const remove = db.prepare('DELETE FROM perceptual_hashes WHERE image_id = ?');
	for (const row of before) remove.run(row.image_id);
	const first = await runBin(['verify', '--json', '--archive', dir], {cwd: box.project, env: box.env});
	t.is(first.code, 0, first.stderr);
	t.deepEqual(JSON.parse(first.stdout.trim().split('\n').at(-1)!).perceptualHashes, {hashed: 5, unhashable: 0, unreadable: 0});
	const after = db.prepare(`SELECT image_id, hash FROM perceptual_hashes WHERE image_id IN (${before.map(row => row.image_id).join(',')}) ORDER BY image_id`).all();
	t.deepEqual(after, before);
	const second = await runBin(['verify', '--archive', dir], {cwd: box.project, env: box.env});
	t.is(second.code, 0);
	t.notRegex(second.stdout, /Perceptual hashes/);
});

/** Hamming distance of two hex hashes, computed here independently of the product's code. */
function bitsApart(a: string, b: string): number {
	let x = BigInt(`0x${a}`) ^ BigInt(`0x${b}`);
	let bits = 0;
	for (; x > 0n; x >>= 1n) bits += Number(x & 1n);
	return bits;
}

/** Families by brute force over every pair (a check of the index, not a use of it). */
function familiesByScan(hashes: Array<{id: number; hash: string}>, maxDistance: number): number[][] {
	const parent = new Map(hashes.map(row => [row.id, row.id]));
	const root = (id: number): number => (parent.get(id) === id ? id : root(parent.get(id)!));
	for (let i = 0; i < hashes.length; i++) {
		for (let j = i + 1; j < hashes.length; j++) {
			if (bitsApart(hashes[i].hash, hashes[j].hash) <= maxDistance) parent.set(root(hashes[j].id), root(hashes[i].id));
		}
	}
	const groups = new Map<number, number[]>();
	for (const {id} of hashes) groups.set(root(id), [...groups.get(root(id)) ?? [], id]);
	return [...groups.values()].filter(group => group.length > 1);
}

test.serial('stats reports near-duplicate families (within 6 bits) and how many files are hashed', async t => {
	const result = await runBin(['stats', '--json', '--archive', dir], {cwd: box.project, env: box.env});
	t.is(result.code, 0, result.stderr);
	const {similar: summary} = JSON.parse(result.stdout) as {similar: {maxDistance: number; counted: boolean; families: number; images: number; largest: number; hashes: {hashed: number; unhashable: number; missing: number}}};
	const hashes = readArchiveDb(dir, db => db.prepare('SELECT image_id AS id, hash FROM perceptual_hashes WHERE hash IS NOT NULL').all() as Array<{id: number; hash: string}>);
	const expected = familiesByScan(hashes, 6);
	t.true(expected.length >= 3);
	t.deepEqual(summary, {
		maxDistance: 6,
		counted: true,
		families: expected.length,
		images: expected.reduce((sum, group) => sum + group.length, 0),
		largest: Math.max(...expected.map(group => group.length)),
		hashes: {
			hashed: hashes.length,
			unhashable: readArchiveDb(dir, db => db.prepare("SELECT count(*) FROM images WHERE variant = 'mp4' AND status = 'done'").pluck().get() as number),
			missing: 0,
		},
	});
	const text = await runBin(['stats', '--archive', dir], {cwd: box.project, env: box.env});
	t.regex(text.stdout, new RegExp(`Near-duplicate families \\(perceptual hash within 6 bits\\): ${expected.length} families holding \\d+ images`));
});

test.serial('export --format dataset --dedupe keeps one image per family (an upscale over its source) and lists the rest in dropped.jsonl', async t => {
	const out = path.join(box.root, 'dataset');
	const full = await runBin(['export', '--format', 'dataset', '--out', path.join(box.root, 'full'), '--json', '--archive', dir], {cwd: box.project, env: box.env});
	t.is(full.code, 0, full.stderr);
	const result = await runBin(['export', '--format', 'dataset', '--out', out, '--dedupe', '--json', '--archive', dir], {cwd: box.project, env: box.env});
	t.is(result.code, 0, result.stderr);
	const fullReport = JSON.parse(full.stdout.trim()) as {dataset: {images: number}};
	const report = JSON.parse(result.stdout.trim()) as {dataset: {images: number; dedupe: {maxDistance: number; families: number; dropped: number; unhashed: number}}};
	t.true(report.dataset.dedupe.dropped > 0);
	t.is(report.dataset.images, fullReport.dataset.images - report.dataset.dedupe.dropped);
	const kept = fs.readFileSync(path.join(out, 'metadata.jsonl'), 'utf8').trim().split('\n').map(line => JSON.parse(line) as {file_name: string; job_id: string; image_index: number});
	const dropped = fs.readFileSync(path.join(out, 'dropped.jsonl'), 'utf8').trim().split('\n').map(line => JSON.parse(line) as {job_id: string; image_index: number; kept: {job_id: string; image_index: number}});
	t.is(dropped.length, report.dataset.dedupe.dropped);
	const keptKeys = new Set(kept.map(row => `${row.job_id}/${row.image_index}`));
	for (const row of dropped) {
		t.false(keptKeys.has(`${row.job_id}/${row.image_index}`), 'a dropped image is not in the dataset');
		t.true(keptKeys.has(`${row.kept.job_id}/${row.kept.image_index}`), 'the member kept in its place is');
		t.false(fs.existsSync(path.join(out, 'images', `${row.job_id}_${row.image_index}.png`)));
	}
	// No two kept images are near-duplicates.
	const hashOf = new Map(readArchiveDb(dir, db => db.prepare("SELECT i.job_id || '/' || i.idx AS key, h.hash FROM images i JOIN perceptual_hashes h ON h.image_id = i.id WHERE h.hash IS NOT NULL").all() as Array<{key: string; hash: string}>).map(row => [row.key, row.hash]));
	const keptHashes = [...keptKeys].map(key => hashOf.get(key)!);
	for (let i = 0; i < keptHashes.length; i++) for (let j = i + 1; j < keptHashes.length; j++) t.true(bitsApart(keptHashes[i], keptHashes[j]) > 6);
	// An upscale (twice the pixels) is kept over the grid image it came from.
	const upscale = [...families().values()].flat().find(job => job.event_type === 'upscale' && job.batch_size === 1);
	t.truthy(upscale, 'the stand-in has an upscale of an archived grid');
	t.true(keptKeys.has(`${upscale!.id}/0`));
	t.false(keptKeys.has(`${upscale!.parent_id}/${Number(upscale!.parent_grid)}`));
	const bad = await runBin(['export', '--format', 'csv', '--out', path.join(box.root, 'x.csv'), '--dedupe', '--archive', dir], {cwd: box.project, env: box.env});
	t.is(bad.code, 64);
	t.regex(bad.stderr, /--dedupe applies to --format dataset, not csv/);
});
