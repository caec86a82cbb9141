/**
 * Near-duplicate families through the installed binary, on an archive that
 * `mj-tui --batch` synced and downloaded from the stand-in (whose variations
 * and upscales show their parent's picture slightly changed): hashes made at
 * download, `similar` by job and by file (text and --json), its errors, and
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

test.before(async t => {
	if (!fs.existsSync(builtBin)) t.fail(`${builtBin} is missing: run npm run build (npm test does) first`);
	standIn = await startStandIn({jobs: 40, seed: 5});
	box = sandbox();
	dir = temporaryArchive();
	const batch = await runBin(['--batch', '--json', '--archive', dir], {cwd: box.project, env: {...box.env, ...standInBaseEnv(standIn)}});
	if (batch.code !== 0) t.fail(`set-up batch exited ${batch.code}: ${batch.stderr}`);
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

test.serial('a batch download hashes every image it fetched; videos are recorded as not hashable', t => {
	const rows = readArchiveDb(dir, db => db.prepare(`SELECT i.variant, h.hash, h.unhashable, h.sha256 = i.sha256 AS current FROM images i
		LEFT JOIN perceptual_hashes h ON h.image_id = i.id WHERE i.status = 'done'`).all() as Array<{variant: string; hash: string | null; unhashable: string | null; current: number}>);
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
	t.regex(text.stdout, /^DIST {2}JOB +IMG {2}PATH +PROMPT$/m);
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
	t.regex(distance.stderr, /--max-distance "40": expected a whole number from 0 to 16/);
	t.false(/at .*\.js:\d+/.test(unknown.stderr + missing.stderr + text.stderr), 'no stack trace');
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
