/**
 * The search language's two back-ends agree: for every query of the table,
 * the jobs the archive's search finds (FTS5 and SQL on a real archive file)
 * are the jobs the gallery's in-page evaluator finds, run here in Node on the
 * fields the gallery writes into its page, typed whole and as you type.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import {generateJobs, type StandInJob} from '../../../fixtures/jobs.js';
import {ArchiveStore} from '../../../source/core/archive/store.js';
import {galleryJob} from '../../../source/core/export/gallery.js';
import {queryDocument, queryMatcher, type QueryDocument} from '../../../source/core/query/evaluate.js';
import {isEmptyQuery, parseQuery} from '../../../source/core/query/parse.js';

/** Prompts the stand-in lacks that the language must get right alike: decomposed accents, case, near-words. */
const extraCommands = [
	'Zu\u0308rich at night, ZÜRICH tram --ar 16:9 --v 7',
	'a basalt; cliff -- split by punctuation --no Text, people --stylize 0',
	'lighthouses and lightning over cliffs --sref 3725990145 https://s.mj.run/AbC --niji 5',
	'moonlight highlight flight --chaos 100 --v 6.1 --weird 3000 --tile',
	'CAFÉ crème, naïve FAÇADE --q 2 --style RAW --v 8.1 --hd',
	'fox-glove and fox_glove and foxes --p abc --seed 42',
];

let store: ArchiveStore;
let documents: QueryDocument[];
let dir: string;

test.before(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-query-agreement-'));
	store = ArchiveStore.open(dir);
	const extras: StandInJob[] = extraCommands.map((command, index) => ({...generateJobs(1, 9)[0]!, id: `extra-${index}`, full_command: command}));
	const jobs = [...generateJobs(400, 1), ...extras];
	store.upsertJobs(jobs);
	// Every third job liked (the extras' Zürich tram among them), so liked: has both sides to agree on.
	store.likes.record(jobs.filter((_, index) => index % 3 === 0).map(job => ({jobId: job.id, authorId: null, authorName: null, authorUsername: null, own: true})), Date.now());
	documents = [...store.exports.recordPages({})].flat().map(record => queryDocument(galleryJob(record)));
});
test.after.always(() => {
	store?.close();
	if (dir) fs.rmSync(dir, {recursive: true, force: true});
});

const queries = [
	'"basalt cliff"', 'lighthouse -isometric', 'lighthouse OR fox', 'light*', 'zurich', 'ZURICH', 'zürich tram',
	'basalt cliff', '"cliff basalt"', '"basalt cl"*', 'lightho', 'fox', 'fox*', 'fox-glove', 'fox_glove', '"fox glove"',
	'cafe facade', 'CRÈME', 'naive', 'red fox OR snow -cat', 'snow* NOT fox', 'fox OR -cat', '-fox -snow', 'NOT lighthouse',
	'studio ghibli', '"studio ghibli style" OR "oil painting"', 'portrait alert', '<script>', 'パスワード', '桜の木の下で眠る猫', '서울의',
	'--ar 16:9', '\u2014ar 21:9 lighthouse', '--v 7', '--v 6', '--v 8.1', '--niji', '--niji 6', '--niji 5', '--stylize >250',
	'--s <=100', '--stylize =0', '--chaos 10..50', '--chaos', '--weird >=1000', '--q 2', '--quality', '--tile', '--hd',
	'--raw', '--style raw', '--no text', '--no PEOPLE', '--sref https://s.mj.run/abc', '--sref 3725990145', '--p', '--profile',
	'--seed 42', '--motion low', '--video', 'NOT --tile', 'NOT --ar 1:1 fox', 'type:upscale', 'type:variation,pan lighthouse',
	'-type:diffusion', 'NOT type:upscale snow', 'type:v7_diffusion --ar 16:9', 'id:extra-', 'id:extra-1,extra-2', '-id:extra',
	'liked:yes', 'liked:no fox', '-liked:yes lighthouse', 'NOT liked:no', 'zurich liked:yes',
	'lighthouse type:nothing', 'xyzzy', 'cat or dog', '"a dog and', 'fo*x', 'a', 'ab', 'the',
];

function evaluatorIds(text: string, prefixLast: boolean): string[] {
	const query = parseQuery(text, {prefixLast});
	if (isEmptyQuery(query)) return [];
	const matches = queryMatcher(query);
	return documents.filter(matches).map(document => document.job.id).sort();
}

function archiveIds(text: string, prefixLast: boolean): string[] {
	return store.search(text, {limit: 1_000_000, prefixLast, rankWindow: 1_000_000}).map(hit => hit.job.id).sort();
}

for (const prefixLast of [false, true]) {
	test(`archive search and the gallery's evaluator find the same jobs${prefixLast ? ', searching as you type' : ''}`, t => {
		let narrowing = 0;
		for (const text of queries) {
			const found = archiveIds(text, prefixLast);
			t.deepEqual(evaluatorIds(text, prefixLast), found, JSON.stringify(text));
			if (found.length > 0 && found.length < documents.length) narrowing++;
		}

		// The table is only worth something if its queries select: all but the ten that find nothing on purpose
		// ("cliff basalt", xyzzy, ..., and the short words that are no prefix) find some jobs and leave others.
		t.true(narrowing >= queries.length - 10, `${narrowing} of ${queries.length} queries narrowed the archive`);
	});
}

test('the issue\'s queries find what a reader expects in the stand-in\'s prompts', t => {
	const prompts = new Map(documents.map(document => [document.job.id, document.job.prompt]));
	const expect = (text: string, predicate: (prompt: string) => boolean) => {
		const expected = [...prompts].filter(([, prompt]) => predicate(prompt)).map(([id]) => id).sort();
		t.true(expected.length > 0, `${text}: the corpus has matches`);
		t.deepEqual(evaluatorIds(text, false), expected, text);
	};

	// Punctuation separates words as spaces do: `basalt; cliff` is the phrase too.
	expect('"basalt cliff"', prompt => /basalt[^\p{L}\p{N}]+cliff/iu.test(prompt));
	expect('lighthouse -isometric', prompt => /\blighthouse\b/i.test(prompt) && !/isometric/i.test(prompt));
	expect('lighthouse OR fox', prompt => /\b(lighthouse|fox)\b/i.test(prompt));
	expect('light*', prompt => /(^|[^\p{L}\p{N}])light/iu.test(prompt));
	expect('zurich', prompt => /zu\u0308?rich|zürich/iu.test(prompt));
});
