import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import {loadConfig} from '../../../source/core/config/load.js';
import {keySpecs} from '../../../source/core/config/keys.js';
import {starterConfig} from '../../../source/core/config/starter.js';
import {MjError} from '../../../source/core/errors.js';
import {redact} from '../../../source/core/secrets.js';
import {sandbox} from '../../helpers/cli-io.js';

const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJtaWRqb3VybmV5X2lkIjoidXNlci0xMjMifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

async function loadError(options: Parameters<typeof loadConfig>[0]): Promise<MjError> {
	const error = await loadConfig(options).then(
		() => undefined,
		(error: unknown) => error,
	);
	if (!(error instanceof MjError)) throw new Error(`expected an MjError, got ${String(error)}`);
	return error;
}

test('layers: defaults < user file < project file < env < flags, each value with its origin', async t => {
	const box = sandbox();
	const userFile = path.join(box.userConfigDir, 'config.yaml');
	fs.writeFileSync(userFile, 'concurrency: 8\npageSize: 200\nformat: webp\nretries: 7\nlimitRate: 1M\n');
	const projectFile = path.join(box.project, '.mj-tuirc.yaml');
	fs.writeFileSync(projectFile, 'concurrency: 6\npageSize: 300\nretries: 9\n');
	const {config, origins, files} = await loadConfig({
		cwd: box.project,
		env: {...box.env, MJ_TUI_CONCURRENCY: '5', MJ_TUI_RETRIES: '2', MJ_TUI_LIMIT_RATE: '2M'},
		flags: {concurrency: '3'},
	});
	t.deepEqual(files, [userFile, projectFile]);
	t.is(config.concurrency, 3);
	t.deepEqual(origins.concurrency, {source: 'flag', flag: '--concurrency'});
	t.is(config.retries, 2);
	t.deepEqual(origins.retries, {source: 'env', variable: 'MJ_TUI_RETRIES'});
	t.is(config.limitRate, 2 * 1024 * 1024);
	t.is(config.pageSize, 300);
	t.deepEqual(origins.pageSize, {source: 'file', file: projectFile});
	t.is(config.format, 'webp');
	t.deepEqual(origins.format, {source: 'file', file: userFile});
	t.is(config.stallTimeoutMs, 30_000);
	t.deepEqual(origins.stallTimeoutMs, {source: 'default'});
});

test('XDG_CONFIG_HOME wins over ~/.config; other user file names are found', async t => {
	const box = sandbox();
	fs.writeFileSync(path.join(box.userConfigDir, 'config.yaml'), 'retries: 1\n');
	const xdg = path.join(box.root, 'xdg');
	fs.mkdirSync(path.join(xdg, 'mj-tui'), {recursive: true});
	fs.writeFileSync(path.join(xdg, 'mj-tui', '.mj-tuirc'), 'retries: 4\n');
	const {config} = await loadConfig({cwd: box.project, env: {...box.env, XDG_CONFIG_HOME: xdg}});
	t.is(config.retries, 4);
});

test('project config: found from a subfolder, in package.json under "mj-tui", and not above the package.json', async t => {
	const box = sandbox();
	// Above the project: must not be read (the search stops at package.json).
	fs.writeFileSync(path.join(box.root, '.mj-tuirc.json'), '{"retries": 11}');
	fs.writeFileSync(path.join(box.project, 'package.json'), JSON.stringify({name: 'x', 'mj-tui': {pageSize: 42}}));
	const deeper = path.join(box.project, 'a', 'b');
	fs.mkdirSync(deeper, {recursive: true});
	const {config, origins} = await loadConfig({cwd: deeper, env: box.env});
	t.is(config.pageSize, 42);
	t.deepEqual(origins.pageSize, {source: 'file', file: path.join(box.project, 'package.json')});
	t.is(config.retries, 5);
});

test('a JS project config (mj-tui.config.mjs) is loaded', async t => {
	const box = sandbox();
	fs.writeFileSync(path.join(box.project, 'mj-tui.config.mjs'), 'export default {concurrency: 2 * 6};\n');
	const {config} = await loadConfig({cwd: box.project, env: box.env});
	t.is(config.concurrency, 12);
});

test('--config names the one file to read instead of the project search; a missing one is a usage error', async t => {
	const box = sandbox();
	fs.writeFileSync(path.join(box.project, '.mj-tuirc.yaml'), 'retries: 9\n');
	const explicit = path.join(box.root, 'other.yml');
	fs.writeFileSync(explicit, 'retries: 3\n');
	const {config, origins} = await loadConfig({cwd: box.project, env: box.env, configFile: explicit});
	t.is(config.retries, 3);
	t.deepEqual(origins.retries, {source: 'file', file: explicit});
	const error = await loadError({cwd: box.project, env: box.env, configFile: path.join(box.root, 'nope.yaml')});
	t.is(error.exitCode, 64);
	t.regex(error.message, /--config .*nope\.yaml: no such file/);
});

test('relative paths: from a file against its folder, from env and flags against the cwd; ~ is home', async t => {
	const box = sandbox();
	fs.writeFileSync(path.join(box.userConfigDir, 'config.yaml'), 'archive: ../../archive-from-user-file\nmetricsFile: ~/metrics.prom\n');
	const fromFile = await loadConfig({cwd: box.project, env: box.env});
	t.is(fromFile.config.archive, path.join(box.home, 'archive-from-user-file'));
	t.is(fromFile.config.metricsFile, path.join(box.home, 'metrics.prom'));
	const fromEnv = await loadConfig({cwd: box.project, env: {...box.env, MJ_TUI_ARCHIVE: 'env-archive'}});
	t.is(fromEnv.config.archive, path.join(box.project, 'env-archive'));
	const fromFlag = await loadConfig({cwd: box.project, env: box.env, flags: {archive: 'flag-archive'}});
	t.is(fromFlag.config.archive, path.join(box.project, 'flag-archive'));
	const byDefault = await loadConfig({cwd: box.project, env: box.env, skipUserConfig: true});
	t.is(byDefault.config.archive, path.join(box.project, 'mj-archive'));
});

test('URLs lose a trailing slash; sizes and durations accept units', async t => {
	const box = sandbox();
	fs.writeFileSync(path.join(box.project, '.mj-tuirc.yml'), 'apiBase: http://127.0.0.1:9/\nlimitRate: 512k\npagePauseMs: 2s\nrequestTimeoutMs: 1m\n');
	const {config} = await loadConfig({cwd: box.project, env: box.env});
	t.is(config.apiBase, 'http://127.0.0.1:9');
	t.is(config.limitRate, 512 * 1024);
	t.is(config.pagePauseMs, 2000);
	t.is(config.requestTimeoutMs, 60_000);
});

const invalidValues: Array<{key: string; yaml: string; allowed: RegExp; got: string}> = [
	{key: 'concurrency', yaml: 'concurrency: 0', allowed: /an integer from 1 to 64/, got: '0'},
	{key: 'concurrency', yaml: 'concurrency: 2.5', allowed: /an integer from 1 to 64/, got: '2.5'},
	{key: 'pageSize', yaml: 'pageSize: "lots"', allowed: /an integer from 1 to 1000/, got: '"lots"'},
	{key: 'retries', yaml: 'retries: 21', allowed: /an integer from 0 to 20/, got: '21'},
	{key: 'apiBase', yaml: 'apiBase: ftp://example.com', allowed: /http:\/\/ or https:\/\/ URL/, got: '"ftp://example.com"'},
	{key: 'cdnBase', yaml: 'cdnBase: not a url', allowed: /http:\/\/ or https:\/\/ URL/, got: '"not a url"'},
	{key: 'limitRate', yaml: 'limitRate: 2 parsecs', allowed: /a size in bytes/, got: '"2 parsecs"'},
	{key: 'format', yaml: 'format: gif', allowed: /one of png, webp/, got: '"gif"'},
	{key: 'naming', yaml: 'naming: "images/{job_id}.png"', allowed: /containing \{ext\}/, got: '"images/{job_id}.png"'},
	{key: 'naming', yaml: 'naming: "../outside/{job_id}.{ext}"', allowed: /without "\.\." segments/, got: '"../outside/{job_id}.{ext}"'},
	{key: 'naming', yaml: 'naming: "/abs/{job_id}.{ext}"', allowed: /a relative path template/, got: '"/abs/{job_id}.{ext}"'},
	{key: 'naming', yaml: 'naming: "{jobid}.{ext}"', allowed: /using only the tokens \{yyyy\} .*\{job_id\}/, got: '"{jobid}.{ext}"'},
	{key: 'naming', yaml: 'naming: ".parts/{job_id}.{ext}"', allowed: /a relative path template/, got: '".parts/{job_id}.{ext}"'},
	{key: 'grids', yaml: 'grids: maybe', allowed: /true or false/, got: '"maybe"'},
	{key: 'pagePauseMs', yaml: 'pagePauseMs: 1h', allowed: /milliseconds from 0 to 600000/, got: '"1h"'},
	{key: 'archive', yaml: 'archive: ""', allowed: /a non-empty path/, got: '""'},
	{key: 'userAgent', yaml: 'userAgent: [a, b]', allowed: /a non-empty string/, got: '["a","b"]'},
];

for (const {key, yaml, allowed, got} of invalidValues) {
	test(`file value error names the file, the key, what is allowed and what was given: ${yaml}`, async t => {
		const box = sandbox();
		const file = path.join(box.project, '.mj-tuirc.yaml');
		fs.writeFileSync(file, `${yaml}\n`);
		const error = await loadError({cwd: box.project, env: box.env});
		t.is(error.exitCode, 78);
		t.true(error.message.includes(`${file}: ${key} must be`), error.message);
		t.regex(error.message, allowed);
		t.true(error.message.includes(`got ${got}`), error.message);
	});
}

test('every problem in a file is reported at once', async t => {
	const box = sandbox();
	const file = path.join(box.userConfigDir, 'config.yaml');
	fs.writeFileSync(file, 'concurrency: 100\nformat: tiff\n');
	const error = await loadError({cwd: box.project, env: box.env});
	t.regex(error.message, /concurrency must be/);
	t.regex(error.message, /format must be/);
});

test('an unknown key is rejected with a did-you-mean and the known keys', async t => {
	const box = sandbox();
	const file = path.join(box.project, '.mj-tuirc.json');
	fs.writeFileSync(file, '{"concurency": 3, "page_size": 10}');
	const error = await loadError({cwd: box.project, env: box.env});
	t.is(error.exitCode, 78);
	t.true(error.message.includes(`${file}: unknown key "concurency"; did you mean "concurrency"?`), error.message);
	t.true(error.message.includes('unknown key "page_size"; did you mean "pageSize"?'), error.message);
	t.regex(error.message, /known keys: archive, apiBase/);
});

test('a file that is not a mapping is rejected naming the file', async t => {
	const box = sandbox();
	const file = path.join(box.project, '.mj-tuirc.yaml');
	fs.writeFileSync(file, '- concurrency\n- 3\n');
	const error = await loadError({cwd: box.project, env: box.env});
	t.is(error.exitCode, 78);
	t.true(error.message.includes(`${file}: the file must hold a mapping of keys to values; got a list`), error.message);
});

test('YAML syntax errors name the file and the line', async t => {
	const box = sandbox();
	const file = path.join(box.userConfigDir, 'config.yaml');
	fs.writeFileSync(file, 'concurrency: 3\npageSize: 10\n  retries: [\n');
	const error = await loadError({cwd: box.project, env: box.env});
	t.is(error.exitCode, 78);
	t.true(error.message.startsWith(`Cannot read config file ${file} at line 3:`), error.message);
});

test('env errors name the variable and the key; flag errors name the flag and are usage errors (64)', async t => {
	const box = sandbox();
	const envError = await loadError({cwd: box.project, env: {...box.env, MJ_TUI_CONCURRENCY: 'many'}});
	t.is(envError.exitCode, 78);
	t.true(envError.message.includes('environment variable MJ_TUI_CONCURRENCY (key concurrency) must be an integer from 1 to 64; got "many"'), envError.message);
	const flagError = await loadError({cwd: box.project, env: box.env, flags: {format: 'gif'}});
	t.is(flagError.exitCode, 64);
	t.true(flagError.message.includes('--format must be one of png, webp; got "gif"'), flagError.message);
	const previewError = await loadError({cwd: box.project, env: box.env, flags: {preview: 'ascii'}});
	t.is(previewError.exitCode, 64);
	t.true(previewError.message.includes('--preview must be one of auto, kitty, iterm, sixel, blocks, off; got "ascii"'), previewError.message);
	const urlError = await loadError({cwd: box.project, env: box.env, flags: {apiBase: 'javascript:alert(1)'}});
	t.regex(urlError.message, /--api-base must be an http:\/\/ or https:\/\/ URL/);
});

test('every config key can be set from the environment as MJ_TUI_<KEY_IN_SNAKE_UPPER>', async t => {
	const box = sandbox();
	const env: NodeJS.ProcessEnv = {...box.env};
	const samples: Record<string, string> = {
		archive: 'a', apiBase: 'http://127.0.0.1:1', cdnBase: 'http://127.0.0.1:2', tokenBase: 'http://127.0.0.1:3', tokenApiKey: 'k',
		userId: 'u', token: jwt, refreshToken: 'refresh-token-value', cookie: 'a=cookie-value-1; b=cookie-value-2', userAgent: 'ua',
		pageSize: '10', pagePauseMs: '0', retries: '1', retryAfterCapMs: '1000', requestTimeoutMs: '2000', concurrency: '2',
		perHostConcurrency: '2', limitRate: '1k', naming: '{job_id}.{ext}', format: 'webp', grids: 'yes', videos: 'no',
		embedMetadata: 'true', sidecars: 'on', setMtime: 'off', perceptualHashes: 'off', likes: 'true', stallTimeoutMs: '5s', metricsFile: 'm.prom', verbose: '1', quiet: '0', json: 'true',
		transport: 'browser', browser: '/usr/bin/chromium', preview: 'sixel',
	};
	t.deepEqual(Object.keys(samples).sort(), keySpecs.map(spec => spec.key).sort(), 'a sample for every key');
	for (const [key, value] of Object.entries(samples)) env[`MJ_TUI_${key.replace(/[A-Z]/g, letter => `_${letter}`).toUpperCase()}`] = value;
	const {origins, config} = await loadConfig({cwd: box.project, env});
	for (const spec of keySpecs) t.is(origins[spec.key].source, 'env', spec.key);
	t.is(config.stallTimeoutMs, 5000);
	t.is(config.grids, true);
	t.is(config.videos, false);
	t.is(config.embedMetadata, true);
	t.is(config.sidecars, true);
	t.is(config.setMtime, false);
	t.is(config.limitRate, 1024);
	t.is(config.preview, 'sixel');
});

test('an unknown MJ_TUI_ variable is a warning with a suggestion; an empty one counts as unset', async t => {
	const box = sandbox();
	const {warnings, config, origins} = await loadConfig({cwd: box.project, env: {...box.env, MJ_TUI_CONCURRENCYY: '3', MJ_TUI_TOKEN: ''}});
	t.deepEqual(warnings, ['ignoring unknown environment variable MJ_TUI_CONCURRENCYY; did you mean MJ_TUI_CONCURRENCY?']);
	t.is(config.token, undefined);
	t.deepEqual(origins.token, {source: 'default'});
});

test('secrets are registered the moment they are loaded, even when the value is rejected', async t => {
	const box = sandbox();
	const refresh = 'AMf-vB-refresh-token-from-a-file-0001';
	fs.writeFileSync(path.join(box.userConfigDir, 'config.yaml'), `refreshToken: ${refresh}\n`);
	const cookie = 'cf_clearance=clearance-from-env-0002; other=x';
	await loadConfig({cwd: box.project, env: {...box.env, MJ_TUI_COOKIE: cookie}});
	t.is(redact(`a ${refresh} b`), 'a [redacted] b');
	t.false(redact(cookie).includes('clearance-from-env-0002'));

	// A secret under a misspelt key, next to a value error: neither may show in the message.
	const misspelt = 'refresh-under-a-typo-0003';
	fs.writeFileSync(path.join(box.userConfigDir, 'config.yaml'), `refreshTokn: ${misspelt}\ntoken: [${jwt}]\n`);
	const error = await loadError({cwd: box.project, env: box.env});
	t.false(error.message.includes(misspelt), error.message);
	t.false(error.message.includes(jwt.split('.')[2]!), error.message);
	t.regex(error.message, /token must be a non-empty string; got a list \(value hidden\)/);
});

test('a token in a file others can read draws a warning with the chmod to run', async t => {
	const box = sandbox();
	const file = path.join(box.userConfigDir, 'config.yaml');
	fs.writeFileSync(file, `token: ${jwt}\n`, {mode: 0o644});
	fs.chmodSync(file, 0o644);
	const loose = await loadConfig({cwd: box.project, env: box.env});
	t.deepEqual(loose.warnings, [`${file} holds a token or cookie but is readable by others (mode 0644); run: chmod 600 ${file}`]);
	fs.chmodSync(file, 0o600);
	const tight = await loadConfig({cwd: box.project, env: box.env});
	t.deepEqual(tight.warnings, []);
});

test('verbose and quiet: a higher layer choosing one turns off the other; both in one layer is an error', async t => {
	const box = sandbox();
	fs.writeFileSync(path.join(box.userConfigDir, 'config.yaml'), 'quiet: true\n');
	const {config} = await loadConfig({cwd: box.project, env: box.env, flags: {verbose: true}});
	t.true(config.verbose);
	t.false(config.quiet);
	const error = await loadError({cwd: box.project, env: box.env, flags: {verbose: true, quiet: true}});
	t.is(error.exitCode, 64);
	t.regex(error.message, /verbose \(flag --verbose\) and quiet \(flag --quiet\) are both on/);
});

test('the starter file is valid YAML that changes nothing, and every example in it is a valid value', async t => {
	const box = sandbox();
	const text = starterConfig();
	for (const spec of keySpecs) t.true(text.includes(`# ${spec.key}: `), spec.key);
	const file = path.join(box.userConfigDir, 'config.yaml');
	fs.writeFileSync(file, text);
	const plain = await loadConfig({cwd: box.project, env: box.env});
	const defaults = await loadConfig({cwd: box.project, env: box.env, skipUserConfig: true});
	t.deepEqual(plain.config, defaults.config);
	// Uncomment every example line (but not both verbose and quiet).
	const keyLine = new RegExp(`^# (${keySpecs.map(spec => spec.key).join('|')}): `, 'gm');
	const uncommented = text.replace(keyLine, (line, key: string) => (key === 'quiet' ? line : `${key}: `));
	fs.writeFileSync(file, uncommented);
	const filled = await loadConfig({cwd: box.project, env: box.env});
	for (const spec of keySpecs) if (spec.key !== 'quiet') t.is(filled.origins[spec.key].source, 'file', spec.key);
});
