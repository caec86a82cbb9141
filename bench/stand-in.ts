/**
 * Is the stand-in fast enough to stay out of the other benchmarks? Lists
 * 100,000 jobs (page_size 1000, serial fetch) and fetches 200 files of 1 MiB
 * (8 in flight, cold then cached), against the stand-in and against a bare
 * node:http peer that serves the same bytes prepared in advance (the ceiling
 * for this machine and client). Prints medians and stand-in/peer ratios.
 *
 * Run: npx tsx bench/stand-in.ts [--jobs 100000] [--files 200] [--runs 3]
 */
import {createServer} from 'node:http';
import type {AddressInfo} from 'node:net';
import {parseArgs} from 'node:util';
import {startStandIn} from '../fixtures/stand-in.js';

const {values} = parseArgs({options: {jobs: {type: 'string'}, files: {type: 'string'}, runs: {type: 'string'}}});
const jobCount = Number(values.jobs ?? 100_000);
const fileCount = Number(values.files ?? 200);
const runs = Number(values.runs ?? 3);
const fileBytes = 1024 * 1024;

function median(samples: number[]): number {
	const sorted = [...samples].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
}

async function listAll(apiBase: string, userId: string, headers: Record<string, string>): Promise<number> {
	let cursor: string | undefined;
	let jobs = 0;
	for (;;) {
		const url = `${apiBase}/api/imagine?user_id=${userId}&page_size=1000${cursor === undefined ? '' : `&cursor=${cursor}`}`;
		const page = JSON.parse(await (await fetch(url, {headers})).text()) as {data: unknown[]; cursor: string};
		if (page.data.length === 0) return jobs;
		jobs += page.data.length;
		cursor = page.cursor;
	}
}

async function fetchAll(urls: string[], inFlight = 8): Promise<number> {
	let next = 0;
	let bytes = 0;
	await Promise.all(
		Array.from({length: inFlight}, async () => {
			while (next < urls.length) {
				const url = urls[next++];
				bytes += (await (await fetch(url)).arrayBuffer()).byteLength;
			}
		}),
	);
	return bytes;
}

async function timed(run: () => Promise<unknown>): Promise<number> {
	const started = performance.now();
	await run();
	return performance.now() - started;
}

const setupStarted = performance.now();
const standIn = await startStandIn({jobs: jobCount, imageBytes: fileBytes, cacheBytes: (fileCount + 16) * fileBytes});
console.log(`stand-in with ${jobCount} jobs ready in ${Math.round(performance.now() - setupStarted)} ms`);
const jobs = standIn.jobs();
const headers = {cookie: `__Host-Midjourney.AuthUserTokenV3_i=${standIn.token}`, 'x-csrf-protection': '1'};

// The peer: the same pages and a file of the same size, prepared before timing, served by bare node:http.
const pages = new Map<string, string>();
for (let offset = 0, cursor = ''; offset <= jobs.length; offset += 1000) {
	const next = String(offset + 1000);
	pages.set(cursor, JSON.stringify({data: jobs.slice(offset, offset + 1000), cursor: next, checkpoint: 'peer'}));
	cursor = next;
}

const peerFile = standIn.fileBytes(`/${jobs[0].id}/0_0.png`);
const peer = createServer((req, res) => {
	const url = new URL(req.url ?? '/', 'http://peer');
	const body = url.pathname === '/api/imagine' ? pages.get(url.searchParams.get('cursor') ?? '') ?? '{"data":[]}' : peerFile;
	res.writeHead(200, {'content-length': Buffer.byteLength(body)});
	res.end(body);
});
await new Promise<void>((resolve) => {
	peer.listen(0, '127.0.0.1', resolve);
});
const peerBase = `http://127.0.0.1:${(peer.address() as AddressInfo).port}`;

const listing = {standIn: [] as number[], peer: [] as number[]};
for (let run = 0; run < runs; run++) {
	listing.standIn.push(await timed(async () => listAll(standIn.apiBase, standIn.userId, headers)));
	listing.peer.push(await timed(async () => listAll(peerBase, standIn.userId, headers)));
}

const imageJobs = jobs.slice(1, fileCount + 1);
const urls = imageJobs.map((job) => `${standIn.cdnBase}/${job.id}/0_0.png`);
const cold = await timed(async () => fetchAll(urls));
const cdn = {standIn: [] as number[], peer: [] as number[]};
for (let run = 0; run < runs; run++) {
	cdn.standIn.push(await timed(async () => fetchAll(urls)));
	cdn.peer.push(await timed(async () => fetchAll(urls.map((_, i) => `${peerBase}/file/${i}`))));
}

const mib = (fileCount * fileBytes) / (1024 * 1024);
const listingMs = median(listing.standIn);
const peerListingMs = median(listing.peer);
console.log(`listing ${jobCount} jobs, page_size 1000, serial fetch: stand-in ${Math.round(listingMs)} ms (${Math.round(jobCount / (listingMs / 1000))} jobs/s), peer ${Math.round(peerListingMs)} ms; peer/stand-in time ratio ${(peerListingMs / listingMs).toFixed(2)}`);
console.log(`CDN ${fileCount} x 1 MiB, 8 in flight: cold (generated) ${Math.round(cold)} ms = ${(mib / (cold / 1000)).toFixed(0)} MiB/s`);
console.log(
	`CDN cached: stand-in ${(mib / (median(cdn.standIn) / 1000)).toFixed(0)} MiB/s, peer ${(mib / (median(cdn.peer) / 1000)).toFixed(0)} MiB/s; stand-in/peer ${(median(cdn.peer) / median(cdn.standIn)).toFixed(2)}`,
);
console.log(`(medians of ${runs} runs; client and servers share this process)`);
await standIn.close();
peer.close();
