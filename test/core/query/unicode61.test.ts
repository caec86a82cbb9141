/**
 * The gallery's tokenizer against SQLite's own: every code point behaves as
 * FTS5 unicode61 (remove_diacritics 2) treats it, and whole texts split into
 * the tokens jobs_fts indexes.
 */
import fs from 'node:fs';
import test from 'ava';
import Database from 'better-sqlite3';
import {generateJobs, hostilePrompts} from '../../../fixtures/jobs.js';
import {unicode61Tokens} from '../../../source/core/query/unicode61.js';
import {measureUnicode61, tablePath, tableSource} from '../../../scripts/unicode61-table.js';

test('the checked-in table is what the linked SQLite does for every code point (else: npx tsx scripts/unicode61-table.ts)', t => {
	t.is(fs.readFileSync(tablePath, 'utf8'), tableSource(measureUnicode61()));
});

test('texts split and fold into the tokens FTS5 indexes', t => {
	const texts = [
		...generateJobs(300, 1).map(job => job.full_command),
		...hostilePrompts.values(),
		'ZÜRICH Zürich Zu\u0308rich zurich', 'Straße İstanbul ǅemal ÆØÅ œuvre ﬁne', 'µ ſ Ω ǰ ẞ',
		'naïve façade crème brûlée', 'e\u0301\u0301x a \u0301 b', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𐐀𐐨 🦊fox🦊', 'lone \ud800 surrogate\udc00end',
		'日本語のテキスト、漢字かな', '한국어 텍스트', 'Ελληνικά ΆΈΉ', 'Русский Ёлка', 'under_score dash-word dot.word 16:9 v7.1',
		'\u0000nul\u0007bell\u001b[31m', 'tab\tnew\nline\r\nend', '\u200b\u200d\u2060 zero width', '١٢٣ ٤٥ arabic digits', '\ue000private\uf8ff',
	];
	const db = new Database(':memory:');
	t.teardown(() => db.close());
	db.exec(`CREATE VIRTUAL TABLE docs USING fts5(text, tokenize='unicode61 remove_diacritics 2');
		CREATE VIRTUAL TABLE doc_terms USING fts5vocab(docs, 'instance');`);
	const insert = db.prepare('INSERT INTO docs(rowid, text) VALUES (?, ?)');
	texts.forEach((text, index) => insert.run(index + 1, text));
	const terms = db.prepare('SELECT term FROM doc_terms WHERE doc = ? ORDER BY offset').pluck();
	for (const [index, text] of texts.entries()) t.deepEqual(unicode61Tokens(text), terms.all(index + 1), JSON.stringify(text));
});
