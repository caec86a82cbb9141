import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import {runCli} from '../../source/cli/run-cli.js';
import {starterConfig} from '../../source/core/config/starter.js';
import {captureIo, sandbox} from '../helpers/cli-io.js';

const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJtaWRqb3VybmV5X2lkIjoiY29uZmlnLXNob3cifQ.Y29uZmlnLXNob3ctc2lnbmF0dXJl';
const refresh = 'AMf-vB-config-show-refresh-token-0042';

test('config show: merged values with their origins, secrets as [redacted]', async t => {
	const box = sandbox();
	const userFile = path.join(box.userConfigDir, 'config.yaml');
	fs.writeFileSync(userFile, `refreshToken: ${refresh}\nconcurrency: 7\n`, {mode: 0o600});
	const io = captureIo({cwd: box.project, env: {...box.env, MJ_TUI_TOKEN: jwt, MJ_TUI_LIMIT_RATE: '2M'}});
	const code = await runCli(['--archive', 'here', 'config', 'show'], io);
	t.is(code, 0, io.err());
	const out = io.out();
	t.true(out.includes(`Config files read: ${userFile}`));
	t.regex(out, /^token +\[redacted\] +env MJ_TUI_TOKEN$/m);
	t.regex(out, new RegExp(`^refreshToken +\\[redacted\\] +file ${userFile}$`, 'm'));
	t.regex(out, new RegExp(`^concurrency +7 +file ${userFile}$`, 'm'));
	t.regex(out, /^limitRate +2097152 +env MJ_TUI_LIMIT_RATE$/m);
	t.regex(out, new RegExp(`^archive +${path.join(box.project, 'here')} +flag --archive$`, 'm'));
	t.regex(out, /^cookie +\(unset\) +default$/m);
	for (const piece of [jwt, ...jwt.split('.'), refresh]) {
		t.false(out.includes(piece), `secret piece ${piece} leaked`);
		t.false(io.err().includes(piece));
	}
});

test('config show --json (the global flag after the subcommand) is one JSON object with values and origins', async t => {
	const box = sandbox();
	const io = captureIo({cwd: box.project, env: {...box.env, MJ_TUI_TOKEN: jwt}});
	t.is(await runCli(['config', 'show', '--json', '--concurrency', '9'], io), 0, io.err());
	const shown = JSON.parse(io.out()) as {files: string[]; values: Record<string, {value: unknown; origin: string}>};
	t.deepEqual(shown.files, []);
	t.deepEqual(shown.values.token, {value: '[redacted]', origin: 'env MJ_TUI_TOKEN'});
	t.deepEqual(shown.values.concurrency, {value: 9, origin: 'flag --concurrency'});
	t.deepEqual(shown.values.json, {value: true, origin: 'flag --json'});
	t.deepEqual(shown.values.userId, {value: null, origin: 'default'});
});

test('config show reports an invalid config with exit 78', async t => {
	const box = sandbox();
	fs.writeFileSync(path.join(box.project, '.mj-tuirc.yaml'), 'format: gif\n');
	const io = captureIo({cwd: box.project, env: box.env});
	t.is(await runCli(['config', 'show'], io), 78);
	t.regex(io.err(), /^mj-tui: Invalid configuration: .*\.mj-tuirc\.yaml: format must be one of png, webp; got "gif"/m);
});

test('config init writes the commented starter file at the user location with mode 0600 and refuses to overwrite', async t => {
	const box = sandbox();
	const file = path.join(box.userConfigDir, 'config.yaml');
	const io = captureIo({cwd: box.project, env: box.env});
	t.is(await runCli(['config', 'init'], io), 0, io.err());
	t.is(fs.readFileSync(file, 'utf8'), starterConfig());
	t.is(fs.statSync(file).mode & 0o777, 0o600);
	t.true(io.out().includes(`Wrote ${file} (mode 0600)`));

	fs.writeFileSync(file, 'concurrency: 3\n');
	const again = captureIo({cwd: box.project, env: box.env});
	t.is(await runCli(['config', 'init'], again), 64);
	t.regex(again.err(), /exists already; not overwriting it/);
	t.regex(again.err(), /hint: Add --force/);
	t.is(fs.readFileSync(file, 'utf8'), 'concurrency: 3\n', 'the existing file is untouched');

	// --force replaces it and narrows a loose mode to 0600.
	fs.chmodSync(file, 0o644);
	const forced = captureIo({cwd: box.project, env: box.env});
	t.is(await runCli(['config', 'init', '--force'], forced), 0, forced.err());
	t.is(fs.readFileSync(file, 'utf8'), starterConfig());
	t.is(fs.statSync(file).mode & 0o777, 0o600);
});

test('config init --path writes elsewhere (creating folders), honours XDG_CONFIG_HOME, and works while the current config is broken', async t => {
	const box = sandbox();
	fs.writeFileSync(path.join(box.userConfigDir, 'config.yaml'), 'concurrency: [\n');
	const target = path.join(box.root, 'new', 'dir', 'mj.yaml');
	const io = captureIo({cwd: box.project, env: box.env});
	t.is(await runCli(['config', 'init', '--path', target], io), 0, io.err());
	t.is(fs.statSync(target).mode & 0o777, 0o600);

	const xdg = path.join(box.root, 'xdg');
	const viaXdg = captureIo({cwd: box.project, env: {...box.env, XDG_CONFIG_HOME: xdg}});
	t.is(await runCli(['config', 'init'], viaXdg), 0, viaXdg.err());
	t.true(fs.existsSync(path.join(xdg, 'mj-tui', 'config.yaml')));
});

test('config: unknown action and unknown flag are usage errors', async t => {
	const box = sandbox();
	const io = captureIo({cwd: box.project, env: box.env});
	t.is(await runCli(['config', 'edit'], io), 64);
	t.regex(io.err(), /unknown action "edit" \(actions: show, init\)/);
	const flagIo = captureIo({cwd: box.project, env: box.env});
	t.is(await runCli(['config', 'init', '--forse'], flagIo), 64);
	t.regex(flagIo.err(), /Unknown flag for mj-tui config: --forse \(did you mean --force\?\)/);
});
