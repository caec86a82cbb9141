/**
 * `npm run bench:tui`: the real app (dist/bin/cli.js, the installed command) over an archive of
 * 1,000,000 jobs, in a real tmux terminal of 200x60, driven through a tmux
 * control-mode client so every key is timed against the first output byte
 * the app writes after it. Prints, each next to its goal:
 *   time to first frame, key-to-frame latency for scrolling (j, PgDn) and for
 *   search keystrokes (echo, and until the hits show), peak RSS, CPU while
 *   idle and while 16 transfers run, and bytes written to the terminal per
 *   second while they run. Those run with previews off; then the app starts
 *   again with half-block previews and the scroll is timed while pictures
 *   load (thumbnails from the stand-in's CDN for the newest 200 jobs).
 * BENCH_NODE_FLAGS passes flags to the app's node (e.g. --cpu-prof --heap-prof).
 * `--cpus 1` runs the app and its peer under `taskset -c 0` with a burner
 * spinning the other core (bench/lib/cpus.ts), the small box of issue 14.
 * BENCH_ONLY=scroll,search,downloads,previews picks parts.
 * BENCH_JOBS changes the archive size (default 1,000,000); the archive is
 * built once under the temp dir and reused. Downloads come from the stand-in
 * CDN on 127.0.0.1.
 */
import {execFileSync, spawn, type ChildProcessWithoutNullStreams} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {startStandIn} from '../fixtures/stand-in.js';
import {openArchiveDb} from './lib/archive-db.js';
import {cpuModeFromArgs, pinnedCommand, pinnedPrefix, startBurner} from './lib/cpus.js';
import {ensureSyntheticArchive} from './lib/synthetic-archive.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// BENCH_BINARY: another build of the app (e.g. the previous commit's, built elsewhere) to compare in the same conditions.
const binary = path.resolve(process.env['BENCH_BINARY'] ?? path.join(root, 'dist/bin/cli.js'));
const jobs = Number(process.env['BENCH_JOBS'] ?? 1_000_000);
const cpuMode = cpuModeFromArgs();
const columns = 200;
const rows = 60;
const clockTicks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** BENCH_ONLY=scroll,search,downloads,previews runs only those parts (first frame and idle always run). */
const only = process.env['BENCH_ONLY']?.split(',');
const enabled = (part: string) => !only || only.includes(part);

if (!fs.existsSync(binary)) {
	console.error(`${binary} is missing: run npm run build first`);
	process.exit(1);
}

// ---- Archive -------------------------------------------------------------
const archive = path.join(os.tmpdir(), `mj-tui-bench-tui-${jobs}`);
console.log(`archive: ${jobs.toLocaleString('en-US')} jobs at ${archive}`);
const built = ensureSyntheticArchive(archive, jobs, {onProgress: (n) => n % 100_000 === 0 && process.stdout.write(`  ${n.toLocaleString('en-US')} jobs written\r`)});
console.log(built ? `  built in ${(built.durationMs / 1000).toFixed(1)} s` : '  reused');
{
	// Earlier runs' downloads are forgotten, so `d` has the same work every run.
	const db = openArchiveDb(archive, {writable: true});
	db.exec('DELETE FROM images');
	db.close();
	fs.rmSync(path.join(archive, 'images'), {recursive: true, force: true});
	fs.rmSync(path.join(archive, '.parts'), {recursive: true, force: true});
}

// ---- Terminal --------------------------------------------------------------
/** A tmux server with one 200x60 shell, and a control-mode client that sends keys and reports output with arrival times. */
class Terminal {
	readonly socket = `mj-tui-bench-${process.pid}`;
	readonly outputs: Array<{at: number; bytes: number; text: string}> = [];
	private control!: ChildProcessWithoutNullStreams;
	private pending = '';

	start(): void {
		this.tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'main', '-x', String(columns), '-y', String(rows), "env PS1='bench$ ' sh");
		this.tmux('set-option', '-g', 'status', 'off');
		this.control = spawn('tmux', ['-L', this.socket, '-C', 'attach', '-t', 'main']);
		this.control.stdout.setEncoding('utf8');
		this.control.stdout.on('data', (chunk: string) => this.read(chunk));
		this.control.stdin.write(`refresh-client -C ${columns}x${rows}\n`);
	}

	tmux(...args: string[]): string {
		return execFileSync('tmux', ['-L', this.socket, ...args]).toString();
	}

	/** %output lines carry the pane's bytes, octal-escaped; record each with its arrival time. */
	private read(chunk: string): void {
		const at = performance.now();
		this.pending += chunk;
		const lines = this.pending.split('\n');
		this.pending = lines.pop()!;
		for (const line of lines) {
			if (!line.startsWith('%output ')) continue;
			const data = line.slice(line.indexOf(' ', 8) + 1);
			const text = data.replace(/\\(\d{3}|\\)/g, (_, code: string) => (code === '\\' ? '\\' : String.fromCharCode(Number.parseInt(code, 8))));
			this.outputs.push({at, bytes: Buffer.byteLength(text, 'latin1'), text});
		}
	}

	/** Send keys through the control client (no process spawn per key). `literal` types text. */
	send(keys: string, literal = false): number {
		const at = performance.now();
		this.control.stdin.write(`send-keys -t main ${literal ? '-l ' : ''}${keys}\n`);
		return at;
	}

	screen(): string {
		return this.tmux('capture-pane', '-p', '-t', 'main');
	}

	async waitForScreen(predicate: (screen: string) => boolean, what: string, timeoutMs = 60_000, pollMs = 5): Promise<number> {
		const deadline = performance.now() + timeoutMs;
		for (;;) {
			if (predicate(this.screen())) return performance.now();
			if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${this.screen()}`);
			await sleep(pollMs);
		}
	}

	/** Time from `since` to the first output at or after it, and (optionally) to the first whose text matches. */
	async outputAfter(since: number, match?: RegExp, timeoutMs = 5000): Promise<number> {
		const deadline = since + timeoutMs;
		for (;;) {
			const hit = this.outputs.find((output) => output.at >= since && (!match || match.test(output.text)));
			if (hit) return hit.at - since;
			if (performance.now() > deadline) throw new Error(`no output${match ? ` matching ${match}` : ''} within ${timeoutMs} ms`);
			await sleep(1);
		}
	}

	stop(): void {
		this.control?.kill();
		try {
			this.tmux('kill-server');
		} catch {}
	}
}

/** CPU ticks of process `pid`, or of its thread `thread` only. */
function cpuTicks(pid: number, thread?: number): number {
	const fields = fs.readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, 'utf8').split(') ')[1]!.split(' ');
	// utime and stime are fields 14 and 15 of stat; after the command name they are the 12th and 13th.
	return Number(fields[11]) + Number(fields[12]);
}

/** Share of one core used by `pid` over `ms`. */
async function cpuShare(pid: number, ms: number): Promise<number> {
	const before = cpuTicks(pid);
	const started = performance.now();
	await sleep(ms);
	const seconds = (performance.now() - started) / 1000;
	return (cpuTicks(pid) - before) / clockTicks / seconds;
}

/** A memory figure of /proc/<pid>/status in bytes: VmHWM (peak), RssAnon (heap and buffers), RssFile (mapped files, the database). */
function memory(pid: number, field: 'VmHWM' | 'RssAnon' | 'RssFile'): number {
	const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
	return match ? Number(match[1]) * 1024 : Number.NaN;
}

const peakRss = (pid: number) => memory(pid, 'VmHWM');

const percentile = (values: number[], p: number) => {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

/**
 * The app again with half-block previews: each `j` selects a job whose
 * pictures are not downloaded, so the details pane asks the CDN for their
 * thumbnails and draws them when they arrive; the key's frame must not wait.
 * Pictures are drawn over the frame in writes of their own (cursor saved
 * first, ESC 7): those are not the key's frame, so the latency is taken to
 * the first output that is not one.
 */
async function scrollWithPreviews(terminal: Terminal, command: string, total: string): Promise<Array<{name: string; value: number; unit: string; goal?: number}>> {
	// A real CDN answers a thumbnail from its cache. The stand-in runs in this process and would make each one
	// on request (a 2 MiB PNG, synchronously, then a WebP), stalling the loop that timestamps the app's frames.
	const warming = performance.now();
	for (const job of standIn.jobs().slice(0, 70)) {
		for (let index = 0; index < job.batch_size; index++) await standIn.fileBytesAsync(`/${job.id}/0_${index}_384_N.webp`);
	}
	console.log(`  thumbnails of 70 jobs made in ${((performance.now() - warming) / 1000).toFixed(1)} s`);
	terminal.tmux('send-keys', '-t', 'main', '-l', command);
	terminal.send('Enter');
	await terminal.waitForScreen((screen) => screen.includes(`of ${total}`) && screen.includes('Files'), 'the first frame with previews');
	const shell = terminal.tmux('display-message', '-p', '-t', 'main', '#{pane_pid}').trim();
	const pid = Number(execFileSync('pgrep', ['-P', shell]).toString().trim().split('\n')[0]);
	await sleep(1500);
	const scroll: number[] = [];
	const started = performance.now();
	const ticks = cpuTicks(pid);
	// The main thread's own share (its task's stat): sharp decodes and scales on libuv's threads, where a key's frame never waits.
	const mainTicks = cpuTicks(pid, pid);
	const sent: number[] = [];
	for (let index = 0; index < 60; index++) {
		sent.push(terminal.send('j'));
		scroll.push(await terminal.outputAfter(sent.at(-1)!, /^(?!\u001B7)/));
		await sleep(110);
	}
	if (process.env['BENCH_TRACE']) {
		traceFirstKeys('previews on', scroll);
		traceSlowKeys(terminal, sent, scroll);
	}
	const cpuPerKey = (cpuTicks(pid) - ticks) / clockTicks / 60;
	const mainCpuPerKey = (cpuTicks(pid, pid) - mainTicks) / clockTicks / 60;
	// Pictures drawn while scrolling: writes carrying half blocks.
	const pictures = terminal.outputs.filter((output) => output.at >= started && output.text.includes('▀')).length;
	terminal.send('q');
	await terminal.waitForScreen((screen) => screen.trimEnd().endsWith('bench$'), 'the shell after quitting', 15_000, 50);
	return [
		{name: 'scroll with previews on: app CPU per j', value: cpuPerKey * 1000, unit: 'ms'},
		{name: '  of it on the main thread', value: mainCpuPerKey * 1000, unit: 'ms'},
		{name: 'scroll with previews on: key→frame j p50', value: percentile(scroll, 50), unit: 'ms'},
		{name: 'scroll with previews on: key→frame j p95', value: percentile(scroll, 95), unit: 'ms', goal: 50},
		{name: '  writes with pictures while scrolling', value: pictures, unit: 'writes'},
	];
}

/** BENCH_TRACE=1: the first six keys' latencies (the app's warm-up shows there). */
function traceFirstKeys(label: string, latency: number[]): void {
	console.log(`  ${label}, first keys: ${latency.slice(0, 6).map((ms) => ms.toFixed(1)).join(' ')} ms`);
}

/** BENCH_TRACE=1: for the five slowest keys, the terminal's outputs from 120 ms before the key to its frame (ms from the key, bytes, P for a picture write). */
function traceSlowKeys(terminal: Terminal, sent: number[], latency: number[]): void {
	const slowest = latency.map((ms, index) => ({ms, index})).sort((a, b) => b.ms - a.ms).slice(0, 5);
	for (const {ms, index} of slowest) {
		const at = sent[index]!;
		const around = terminal.outputs.filter((output) => output.at >= at - 120 && output.at <= at + ms);
		const shown = around.map((output) => `${(output.at - at).toFixed(1)}:${output.bytes}${output.text.startsWith('\u001B7') ? 'P' : ''}`);
		console.log(`  key ${index}: ${ms.toFixed(1)} ms; outputs ${shown.join(' ')}`);
	}
}

// ---- Run -------------------------------------------------------------------
// The cache holds every file the run asks for (the thumbnails warmed below and the PNGs they are made from), as a CDN's edge would.
const standIn = await startStandIn({jobs: 200, imageBytes: 2 * 1024 * 1024, cacheBytes: 1024 * 1024 * 1024});
const terminal = new Terminal();
const stopBurner = startBurner(cpuMode);
const results: Array<{name: string; value: number; unit: string; goal?: number}> = [];
try {
	terminal.start();
	await terminal.waitForScreen((screen) => screen.includes('bench$'), 'the shell');
	const env = `env -u FORCE_COLOR -u CI -u CONTINUOUS_INTEGRATION TZ=UTC MJ_TUI_TOKEN='${standIn.token}' MJ_TUI_REFRESH_TOKEN='${standIn.refreshToken}' MJ_TUI_TOKEN_API_KEY='${standIn.tokenApiKey}' MJ_TUI_PER_HOST_CONCURRENCY=16`;
	const flags = `--preview off --archive ${archive} --api-base ${standIn.apiBase} --cdn-base ${standIn.cdnBase} --token-base ${standIn.tokenBase} --user-id ${standIn.userId} --concurrency 16 --limit-rate 6M`;
	const total = jobs.toLocaleString('en-US');

	// Time to first frame: from pressing Enter on the command line to the table on screen.
	terminal.tmux('send-keys', '-t', 'main', '-l', `${env} ${pinnedPrefix(cpuMode)}node ${process.env['BENCH_NODE_FLAGS'] ?? ''} ${binary} ${flags}`);
	const launched = terminal.send('Enter');
	const shown = await terminal.waitForScreen((screen) => screen.includes(`of ${total}`) && screen.includes('Files'), 'the first frame');
	results.push({name: 'time to first frame', value: shown - launched, unit: 'ms', goal: 700});
	// Peer in the same run: a bare Node that only loads Ink and React (what any Ink app pays before drawing).
	const bare = performance.now();
	execFileSync(...pinnedCommand(cpuMode, 'node', ['--input-type=module', '-e', "await import('ink'); await import('react');"]), {cwd: root, env: {...process.env, NODE_ENV: 'production'}});
	const bareMs = performance.now() - bare;
	results.push({name: '  peer: node loading Ink+React only', value: bareMs, unit: 'ms'});
	results.push({name: '  first frame / peer', value: (shown - launched) / bareMs, unit: 'x', goal: cpuMode.cpus === 1 ? 0.8 : undefined});

	const shell = terminal.tmux('display-message', '-p', '-t', 'main', '#{pane_pid}').trim();
	const pid = Number(execFileSync('pgrep', ['-P', shell]).toString().trim().split('\n')[0]);

	await sleep(1500);
	results.push({name: 'CPU while idle', value: (await cpuShare(pid, 5000)) * 100, unit: '% of a core', goal: 2});
	results.push({name: 'peak RSS idle', value: peakRss(pid) / 1024 / 1024, unit: 'MiB', goal: 200});

	if (enabled('scroll')) {
		// Scrolling: keys spaced wider than a frame (15 fps), so each latency is one key's own.
		// CPU per key as well as wall time: on a machine shared with other work (load above the core count) the wall
		// time measures the queue for the core; the app's own CPU per key is what a free core would need.
		const scrollTicks = cpuTicks(pid);
		const scroll: number[] = [];
		for (let index = 0; index < 60; index++) {
			scroll.push(await terminal.outputAfter(terminal.send('j')));
			await sleep(110);
		}
		if (process.env['BENCH_TRACE']) traceFirstKeys('previews off', scroll);
		const scrollCpu = (cpuTicks(pid) - scrollTicks) / clockTicks / 60;
		const pagingTicks = cpuTicks(pid);
		const paging: number[] = [];
		for (let index = 0; index < 30; index++) {
			paging.push(await terminal.outputAfter(terminal.send('PageDown')));
			await sleep(110);
		}
		paging.push(await terminal.outputAfter(terminal.send('G')));
		await sleep(110);
		paging.push(await terminal.outputAfter(terminal.send('g')));
		await sleep(300);
		const pagingCpu = (cpuTicks(pid) - pagingTicks) / clockTicks / 32;
		results.push({name: 'app CPU per key: j / PgDn,G,g', value: scrollCpu * 1000, unit: `/ ${(pagingCpu * 1000).toFixed(1)} ms`});
		results.push({name: 'key→frame j p50', value: percentile(scroll, 50), unit: 'ms'}, {name: 'key→frame j p95', value: percentile(scroll, 95), unit: 'ms', goal: 50});
		results.push({name: 'key→frame PgDn/G/g p50', value: percentile(paging, 50), unit: 'ms'}, {name: 'key→frame PgDn/G/g p95', value: percentile(paging, 95), unit: 'ms', goal: 50});
	}

	if (enabled('search')) {
		// Search: each keystroke's echo, and the time until its hits are drawn (the query waits for the echo frame, and the hits frame for the pacer's interval).
		terminal.send('/');
		await terminal.waitForScreen((screen) => screen.includes('type words'), 'the search line');
		// Let the search line's own frame reach the control client first: it must not count as the first letter's echo.
		await sleep(200);
		const echo: number[] = [];
		const hits: number[] = [];
		const searchStart = performance.now();
		const searchTicks = cpuTicks(pid);
		// A whole query, one key at a time (28 keys, so p95 is not just the slowest one).
		for (const letter of 'lighthouse on a basalt cliff') {
			const sent = letter === ' ' ? terminal.send('Space') : terminal.send(letter, true);
			if (process.env['BENCH_DEBUG']) console.log(`key ${letter} at ${(sent - searchStart).toFixed(0)}`);
			echo.push(await terminal.outputAfter(sent));
			hits.push(await terminal.outputAfter(sent, / hits/));
			await sleep(50);
		}
		results.push({name: 'app CPU per search keystroke (query incl.)', value: ((cpuTicks(pid) - searchTicks) / clockTicks / 28) * 1000, unit: 'ms'});
		results.push({name: 'search key→frame p50', value: percentile(echo, 50), unit: 'ms'}, {name: 'search key→frame p95', value: percentile(echo, 95), unit: 'ms', goal: 50});
		results.push({name: 'search key→hits p50', value: percentile(hits, 50), unit: 'ms'}, {name: 'search key→hits p95', value: percentile(hits, 95), unit: 'ms', goal: 120});
		if (process.env['BENCH_DEBUG']) for (const output of terminal.outputs.filter(o => o.at >= searchStart)) console.log(`  out at ${(output.at - searchStart).toFixed(0)} ${output.bytes} B ${/ hits/.test(output.text) ? 'hits' : ''} ${JSON.stringify(output.text.slice(0, 60))}`);
		console.log(`search, per key (ms): echo ${echo.map(ms => ms.toFixed(0)).join(' ')}; hits ${hits.map(ms => ms.toFixed(0)).join(' ')}`);
		terminal.send('Escape');
		await terminal.waitForScreen((screen) => screen.includes('Enter details'), 'the jobs pane');
	}

	// The peak so far, so the one below can be told apart from what scrolling and search left.
	results.push({name: 'peak RSS after scrolling and search', value: peakRss(pid) / 1024 / 1024, unit: 'MiB'});

	if (enabled('downloads')) {
		// Downloads: the newest ten jobs' files (2 MiB each), 16 at once under a 6 MiB/s cap.
		terminal.send('g');
		for (let index = 0; index < 10; index++) {
			terminal.send('d');
			await sleep(150);
			terminal.send('j');
			await sleep(150);
		}
		await terminal.waitForScreen((screen) => /Queue 16 active/.test(screen), '16 transfers running', 30_000, 50);
		const windowStart = performance.now();
		const busy = await cpuShare(pid, 3000);
		const windowEnd = performance.now();
		const written = terminal.outputs.filter((output) => output.at >= windowStart && output.at < windowEnd).reduce((sum, output) => sum + output.bytes, 0);
		results.push({name: 'CPU while 16 transfers run', value: busy * 100, unit: '% of a core', goal: cpuMode.cpus === 1 ? 20 : 25});
		results.push({name: 'terminal bytes/s while downloading', value: written / ((windowEnd - windowStart) / 1000), unit: 'B/s'});
		results.push({name: 'peak RSS with 16 transfers', value: peakRss(pid) / 1024 / 1024, unit: 'MiB', goal: 200});
		results.push({name: '  of it now: anonymous / mapped files', value: memory(pid, 'RssAnon') / 1024 / 1024, unit: `/ ${(memory(pid, 'RssFile') / 1024 / 1024).toFixed(1)} MiB`});
	}

	terminal.send('q');
	await terminal.waitForScreen((screen) => screen.trimEnd().endsWith('bench$'), 'the shell after quitting', 15_000, 50);

	if (enabled('previews')) results.push(...(await scrollWithPreviews(terminal, `${env} ${pinnedPrefix(cpuMode)}node ${process.env['BENCH_NODE_FLAGS'] ?? ''} ${binary} ${flags.replace('--preview off', '--preview blocks')}`, total)));
} finally {
	stopBurner();
	terminal.stop();
	await standIn.close();
}

console.log(`\nTUI over ${jobs.toLocaleString('en-US')} jobs, ${columns}x${rows} tmux (Node ${process.version}); ${cpuMode.describe}; load average ${os.loadavg().map((n) => n.toFixed(1)).join(' ')}`);
for (const {name, value, unit, goal} of results) {
	const figure = `${value.toFixed(value < 10 ? 2 : 1)} ${unit}`;
	const against = goal === undefined ? '' : `goal < ${goal} ${unit}  (${(value / goal).toFixed(2)}x of goal${value < goal ? ', met' : ', MISSED'})`;
	console.log(`  ${name.padEnd(40)} ${figure.padEnd(18)} ${against}`);
}
