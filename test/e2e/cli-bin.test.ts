/**
 * The built executable (dist/, as `npx mj-tui` runs it) in child processes:
 * help, version, exit codes, and no secret in any output on any path.
 * `npm test` builds dist before ava runs.
 */
import {execFile} from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {promisify} from 'node:util';
import test from 'ava';
import {builtBin, repoRoot, runBin, sandbox, type ChildResult} from '../helpers/cli-io.js';

const version = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {version: string}).version;

test.before(t => {
	if (!fs.existsSync(builtBin)) t.fail(`${builtBin} is missing: run npm run build (npm test does) first`);
});

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
	const server = net.createServer();
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as net.AddressInfo;
	await new Promise(resolve => server.close(resolve));
	return port;
}

test('--help and --version from the built binary', async t => {
	const box = sandbox();
	const help = await runBin(['--help'], {cwd: box.project, env: box.env});
	t.is(help.code, 0);
	t.regex(help.stdout, /^Usage$/m);
	t.regex(help.stdout, /--archive <dir> +Archive folder \(default \.\/mj-archive\)/);
	const shown = await runBin(['--version'], {cwd: box.project, env: box.env});
	t.is(shown.code, 0);
	t.is(shown.stdout, `${version}\n`);
});

test('bad flag and unknown command exit 64 from the binary', async t => {
	const box = sandbox();
	const flag = await runBin(['--batch', '--bogus'], {cwd: box.project, env: box.env});
	t.is(flag.code, 64);
	t.regex(flag.stderr, /^mj-tui: Unknown flag for mj-tui: --bogus/);
	const command = await runBin(['frobnicate'], {cwd: box.project, env: box.env});
	t.is(command.code, 64);
	t.regex(command.stderr, /Unknown command "frobnicate".*\(commands: .*config/);
});

test('without a terminal the interactive app refuses with 64, pointing at --batch', async t => {
	const box = sandbox();
	const result = await runBin([], {cwd: box.project, env: box.env});
	t.is(result.code, 64);
	t.regex(result.stderr, /needs a terminal/);
});

test('secrets never appear in any output: help, config show, bad flags, and a failing run with --verbose', async t => {
	const box = sandbox();
	const token = 'eyJhbGciOiJIUzI1NiJ9.eyJtaWRqb3VybmV5X2lkIjoiYmluLXRlc3QtdXNlciIsImV4cCI6NDEwMjQ0NDgwMH0.YmluLXRlc3Qtc2lnbmF0dXJlLTAwMQ';
	const refresh = 'AMf-vB-bin-test-refresh-token-0001';
	const clearance = 'cf-clearance-bin-test-0001';
	const fileSecret = 'AMf-vB-refresh-token-in-a-file-0002';
	fs.writeFileSync(path.join(box.userConfigDir, 'config.yaml'), `refreshToken: ${fileSecret}\n`, {mode: 0o600});
	const port = await closedPort();
	const env = {
		...box.env,
		MJ_TUI_TOKEN: token,
		MJ_TUI_REFRESH_TOKEN: refresh,
		MJ_TUI_COOKIE: `cf_clearance=${clearance}; __Host-Midjourney.AuthUserTokenV3_i=${token}`,
		MJ_TUI_RETRIES: '0',
		MJ_TUI_API_BASE: `http://127.0.0.1:${port}`,
		MJ_TUI_TOKEN_BASE: `http://127.0.0.1:${port}`,
		MJ_TUI_TOKEN_API_KEY: 'key',
	};
	const runs: Array<[string[], ChildResult]> = [];
	for (const args of [
		['--help'],
		['config', 'show', '--verbose'],
		['config', 'show', '--json'],
		['--verbose', '--bogus'],
		['--batch', '--verbose', '--archive', 'a1'],
		['--batch', '--json', '--verbose', '--archive', 'a2'],
		['--batch', '--archive', 'a3', '--user-id', token],
	]) runs.push([args, await runBin(args, {cwd: box.project, env})]);

	const pieces = [token, ...token.split('.'), refresh, clearance, fileSecret];
	for (const [args, result] of runs) {
		for (const piece of pieces) {
			t.false(result.stdout.includes(piece), `${args.join(' ')}: stdout shows ${piece}`);
			t.false(result.stderr.includes(piece), `${args.join(' ')}: stderr shows ${piece}`);
		}
	}
	const [, verboseBatch] = runs[4]!;
	t.is(verboseBatch.code, 69, verboseBatch.stderr);
	t.regex(verboseBatch.stderr, /^mj-tui: Could not get listing page 1/m);
	t.regex(verboseBatch.stderr, /^\s+at /m, '--verbose shows the stack');
	const [, jsonBatch] = runs[5]!;
	const summary = JSON.parse(jsonBatch.stdout.trim().split('\n').at(-1)!) as {exitCode: number; errors: Array<{exitCode: number}>};
	t.is(summary.exitCode, 69);
	t.is(summary.errors[0]!.exitCode, 69);
	const [, plainBatch] = runs[6]!;
	t.is(plainBatch.code, 69);
	t.notRegex(plainBatch.stderr, /^\s+at /m, 'no stack trace without --verbose');
	t.regex(runs[1]![1].stdout, /^token +\[redacted\] +env MJ_TUI_TOKEN$/m);
});

/** Relative module specifiers a compiled file imports statically (not `import(...)`). */
function staticImports(file: string): string[] {
	const text = fs.readFileSync(file, 'utf8');
	// tsc writes 'x'; esbuild writes "x", and bare `import "x";` for a chunk run for its effects.
	return [...text.matchAll(/^(?:import|export)\s(?:[^;]*?from\s+)?['"]([^'"]+)['"]/gms)].map(match => match[1]!);
}

/** Every file the entries load statically (following relative imports), and the packages they import. */
function staticallyLoaded(entries: string[]): {files: Set<string>; packages: Set<string>} {
	const files = new Set<string>();
	const packages = new Set<string>();
	const queue = [...entries];
	while (queue.length > 0) {
		const file = queue.pop()!;
		if (files.has(file)) continue;
		files.add(file);
		for (const specifier of staticImports(file)) {
			if (specifier.startsWith('.')) queue.push(path.resolve(path.dirname(file), specifier));
			else packages.add(specifier.split('/')[0]!);
		}
	}
	return {files, packages};
}

test('batch mode and the CLI entry never load Ink or React: no static import path reaches them', t => {
	const {files, packages} = staticallyLoaded(['cli.js', 'batch/run.js', 'demo.js'].map(file => path.join(repoRoot, 'dist', 'source', file)));
	t.true(files.size > 10, 'the walk followed the imports');
	t.false(packages.has('ink'), [...packages].join(', '));
	t.false(packages.has('react'));
	t.false([...files].some(file => file.includes(`${path.sep}ui${path.sep}`)), 'no UI module');
});

test('the bundled command keeps Ink and React in chunks it loads only for the interactive app', t => {
	const loadedAtStart = [...staticallyLoaded([builtBin]).files].map(file => fs.readFileSync(file, 'utf8')).join('\n');
	t.true(loadedAtStart.includes('runCli'), 'the walk reached the CLI');
	t.false(loadedAtStart.includes('ink-root'), 'no Ink renderer');
	t.false(loadedAtStart.includes('react-reconciler'), 'no React reconciler');
	const chunks = path.join(repoRoot, 'dist', 'bin', 'chunks');
	const all = fs.readdirSync(chunks).map(file => fs.readFileSync(path.join(chunks, file), 'utf8')).join('\n');
	t.true(all.includes('ink-root'), 'Ink is in the bundle, in a chunk loaded on demand');
	// The app always runs React's production build: the development builds are ~1 MB that every first frame would parse.
	t.true(all.includes('react-reconciler.production'), 'the reconciler is in the bundle');
	t.false(all.includes('react-reconciler.development'), "React's development build is left out");
});

test('npx mj-tui runs the bin from the checkout', async t => {
	// npx links the checkout into its cache as a `file:` package and would run its `prepare` (a rebuild of dist/ while other tests run it): no scripts.
	const {stdout} = await promisify(execFile)('npx', ['--no-install', 'mj-tui', '--version'], {cwd: repoRoot, env: {...process.env, npm_config_ignore_scripts: 'true'}});
	t.is(stdout, `${version}\n`);
});
