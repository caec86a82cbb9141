/**
 * Terms in at least half the prompts ("a", "of", "the" in real archives).
 * FTS5's bm25 clamps the IDF of such a term to 1e-6, so it weighs nothing in
 * the ranking, yet it costs the most to score (its position lists are the
 * longest): ranking "lighthouse on a basalt" takes twice as long as
 * "lighthouse on basalt" at a million jobs. Search as you type leaves these
 * terms out of the ranking expression and checks them against the window's
 * matches instead (see search.ts).
 *
 * Document frequencies come from an fts5vocab table in the connection's temp
 * schema (nothing is written to the archive) and are cached per connection:
 * counting a very common term walks its whole doclist (~15 ms).
 */
import type {StatementCache} from './statements.js';

const documentFrequencies = new WeakMap<StatementCache, Map<string, number>>();

/** The token FTS5's unicode61 tokenizer (remove_diacritics 2) indexes for a quoted single word; undefined for phrases and prefixes. */
function indexedToken(fts: string): string | undefined {
	const word = /^"([\p{L}\p{N}]+)"$/u.exec(fts)?.[1];
	return word?.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '');
}

/** Of these FTS5 terms (quoted strings as the parser writes them), those present in at least half the archived prompts. */
export function commonTerms(statements: StatementCache, terms: readonly string[]): Set<string> {
	const common = new Set<string>();
	const tokens = terms.map(term => [term, indexedToken(term)] as const).filter((entry): entry is readonly [string, string] => entry[1] !== undefined);
	if (tokens.length === 0) {
		return common;
	}

	let cache = documentFrequencies.get(statements);
	if (cache && cache.size > 10_000) {
		// Counts drift as jobs sync in, and typed words pile up: start over now and then.
		cache.clear();
	}

	if (!cache) {
		statements.get('CREATE VIRTUAL TABLE IF NOT EXISTS temp.jobs_fts_terms USING fts5vocab(main, \'jobs_fts\', \'row\')').run();
		cache = new Map();
		documentFrequencies.set(statements, cache);
	}

	const jobs = statements.get('SELECT jobs FROM job_count').pluck().get() as number;
	const frequency = statements.get('SELECT doc FROM temp.jobs_fts_terms WHERE term = ?').pluck();
	for (const [term, token] of tokens) {
		let documents = cache.get(token);
		if (documents === undefined) {
			documents = (frequency.get(token) as number | undefined) ?? 0;
			cache.set(token, documents);
		}

		// bm25's IDF is log((N - n + 0.5) / (n + 0.5)), clamped to 1e-6 when not positive: when 2n >= N.
		if (jobs > 0 && documents * 2 >= jobs) {
			common.add(term);
		}
	}

	return common;
}
