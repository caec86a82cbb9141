/**
 * The multi-index lookup against a plain scan on the same random data: the
 * same positions and distances for every distance it takes, on uniform hashes
 * and on clustered families (near-copies of a few hundred pictures).
 */
import test from 'ava';
import {flipRandomBits, randomNumbers} from '../../../fixtures/random.js';
import {HashIndex, maxLookupDistance, scanNear} from '../../../source/core/similar/hash-index.js';

function dataset(size: number, seed: number): {hi: Uint32Array; lo: Uint32Array} {
	const next = randomNumbers(seed);
	const hi = new Uint32Array(size);
	const lo = new Uint32Array(size);
	const centres = Array.from({length: 300}, () => [next(), next()] as [number, number]);
	for (let i = 0; i < size; i++) {
		// Half clustered (a family member: its picture with a few bits flipped), half unrelated.
		if (i % 2 === 0) [hi[i], lo[i]] = flipRandomBits(...centres[next() % centres.length], next() % 10, next);
		else [hi[i], lo[i]] = [next(), next()];
	}
	return {hi, lo};
}

test('finds exactly what a scan finds, at every distance it takes', t => {
	const {hi, lo} = dataset(20_000, 7);
	const index = HashIndex.build(hi, lo);
	const next = randomNumbers(99);
	let compared = 0;
	for (let distance = 0; distance <= maxLookupDistance; distance++) {
		for (let q = 0; q < 12; q++) {
			// Queries: stored hashes, near-copies of them, and unrelated ones.
			const position = next() % hi.length;
			const [queryHi, queryLo] = q % 3 === 2 ? [next(), next()] : flipRandomBits(hi[position], lo[position], q % 3 === 1 ? next() % 6 : 0, next);
			const expected = scanNear(hi, lo, queryHi, queryLo, distance);
			t.deepEqual(index.near(queryHi, queryLo, distance), expected, `distance ${distance}, query ${q}`);
			compared += expected.length;
		}
	}
	t.true(compared > 1000, `the queries met ${compared} neighbours, enough to mean something`);
});

test('limit keeps the nearest; a distance out of range is refused', t => {
	const {hi, lo} = dataset(5000, 3);
	const index = HashIndex.build(hi, lo);
	const all = index.near(hi[0], lo[0], 12);
	t.true(all.length > 3);
	t.deepEqual(index.near(hi[0], lo[0], 12, 3), all.slice(0, 3));
	t.is(all[0].distance, 0);
	t.throws(() => index.near(hi[0], lo[0], maxLookupDistance + 1), {instanceOf: RangeError});
	t.throws(() => index.near(hi[0], lo[0], -1), {instanceOf: RangeError});
});

test('an empty index finds nothing', t => {
	t.deepEqual(HashIndex.build(new Uint32Array(0), new Uint32Array(0)).near(1, 2, 8), []);
});
