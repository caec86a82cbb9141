import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import {runCli} from '../../source/cli/run-cli.js';
import {globalFlags, flagToken} from '../../source/args/flags.js';
import {captureIo, repoRoot, sandbox} from '../helpers/cli-io.js';

const packageVersion = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {version: string}).version;

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
	const box = sandbox();
	const io = captureIo({cwd: box.project, env: {...box.env, ...env}});
	const code = await runCli(argv, io);
	return {code, out: io.out(), err: io.err(), box};
}

test('--help lists every global flag and the subcommands, on stdout, exit 0', async t => {
	const {code, out, err} = await run(['--help']);
	t.is(code, 0);
	t.is(err, '');
	t.regex(out, /^Usage$/m);
	for (const name of Object.keys(globalFlags)) t.true(out.includes(name === 'download' ? '--no-download' : flagToken(name)), name);
	t.regex(out, /^ {2}config +config show/m);
	t.is((await run(['-h'])).out, out);
});

test('--version prints the package version', async t => {
	const {code, out} = await run(['--version']);
	t.is(code, 0);
	t.is(out, `${packageVersion}\n`);
});

test('an unknown flag is exit 64 naming the flag, with a suggestion, and nothing on stdout', async t => {
	const {code, out, err} = await run(['--batch', '--concurrencyy', '3']);
	t.is(code, 64);
	t.is(out, '');
	t.is(err.split('\n')[0], 'mj-tui: Unknown flag for mj-tui: --concurrencyy (did you mean --concurrency?)');
});

test('an unknown subcommand is exit 64 with the list of commands', async t => {
	const {code, err} = await run(['confg']);
	t.is(code, 64);
	t.regex(err, /^mj-tui: Unknown command "confg"; did you mean "config"\? \(commands: [a-z, ]*config[a-z, ]*\)$/m);
});

const badValues: Array<[string[], RegExp]> = [
	[['--batch', '--since', 'yesterday'], /--since must be a date like 2025-01-01/],
	[['--batch', '--until', '2025-13-45'], /--until must be a date/],
	[['--batch', '--since', '2025-02-01', '--until', '2025-01-01'], /--since 2025-02-01 is after --until 2025-01-01/],
	[['--batch', '--limit', '0'], /--limit must be a whole number of jobs, at least 1; got "0"/],
	[['--batch', '--type', ''], /--type needs a job type/],
	[['--batch', '--concurrency', 'lots'], /--concurrency must be an integer from 1 to 64; got "lots"/],
	[['--batch', '--format', 'gif'], /^mj-tui: Invalid flag value: --format must be one of png, webp; got "gif"/],
	[['--batch', '--limit-rate', 'fast'], /--limit-rate must be a size in bytes/],
	[['--batch', '--archive', 'a', '--archive', 'b'], /--archive can only be set once/],
	[['--batch', '--archive'], /--archive must be a non-empty path; got ""/],
	[['--urls', 'missing.txt'], /--urls missing\.txt: no such file/],
	[['--batch', '--no-download', '--urls', 'x'], /--urls and --no-download together would do nothing/],
	[['config', 'show', '--batch'], /--batch and --urls run mj-tui itself/],
];

for (const [argv, message] of badValues) {
	test(`bad value → exit 64 saying what and where: ${argv.join(' ')}`, async t => {
		const {code, err, out} = await run(argv);
		t.is(code, 64, err);
		t.regex(err, message);
		t.regex(err, /^mj-tui: /);
		t.is(out, '');
	});
}

test('the interactive app without a terminal is a usage error pointing at --batch', async t => {
	const {code, err} = await run([]);
	t.is(code, 64);
	t.regex(err, /^mj-tui: The interactive app needs a terminal on stdin and stdout\n {2}hint: Use --batch/);
});

test('a bad config file is exit 78 with the message and hint, and no stack trace', async t => {
	const box = sandbox();
	fs.writeFileSync(path.join(box.project, '.mj-tuirc.yaml'), 'concurrency: 1000\n');
	const io = captureIo({cwd: box.project, env: box.env});
	t.is(await runCli(['--batch'], io), 78);
	t.regex(io.err(), /^mj-tui: Invalid configuration: .*\.mj-tuirc\.yaml: concurrency must be an integer from 1 to 64; got 1000\n {2}hint: /);
	t.notRegex(io.err(), /^\s+at /m);
});

test('terminal escapes in user input never reach the terminal through an error', async t => {
	const hostile = '\u001B]0;pwned\u0007\u001B[2Jwipe';
	const {code, err} = await run([hostile]);
	t.is(code, 64);
	t.false(err.includes('\u001B'), JSON.stringify(err));
	t.false(err.includes('\u0007'));
	t.regex(err, /Unknown command "wipe"/);
});

test('--since/--until take dates and date-times; --type splits commas', async t => {
	const {parseRunOptions} = await import('../../source/cli/run-options.js');
	const options = parseRunOptions({since: '2025-01-01', until: '2025-01-31', type: ['upscale,variation', 'v7_diffusion']}, '/');
	t.is(options.since, Date.UTC(2025, 0, 1));
	t.is(options.until, Date.UTC(2025, 1, 1), 'a bare --until date includes that whole day (the bound is exclusive)');
	t.deepEqual(options.types, ['upscale', 'variation', 'v7_diffusion']);
	t.is(parseRunOptions({since: '2025-01-01T12:30:00Z'}, '/').since, Date.UTC(2025, 0, 1, 12, 30));
});

test('unknown MJ_TUI_ variables are warned about on stderr; --quiet silences the warning', async t => {
	const box = sandbox();
	fs.writeFileSync(path.join(box.project, '.mj-tuirc.yaml'), 'format: gif\n');
	const io = captureIo({cwd: box.project, env: {...box.env, MJ_TUI_TOKN: 'x'}});
	await runCli(['config', 'show', '--config', path.join(box.project, 'package.json')], io);
	t.regex(io.err(), /warning: ignoring unknown environment variable MJ_TUI_TOKN; did you mean MJ_TUI_TOKEN\?/);
	const quiet = captureIo({cwd: box.project, env: {...box.env, MJ_TUI_TOKN: 'x'}});
	await runCli(['--quiet', 'config', 'show', '--config', path.join(box.project, 'package.json')], quiet);
	t.is(quiet.err(), '');
});

test('README documents every global flag, every config key with its env variable, and every command', async t => {
	const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
	const {keySpecs, envName} = await import('../../source/core/config/keys.js');
	const {commandEntries} = await import('../../source/commands/index.js');
	for (const name of Object.keys(globalFlags)) {
		const token = name === 'download' ? '--no-download' : flagToken(name);
		t.true(readme.includes(`| \`${token}`) || readme.includes(`\`-h\`, \`${token}\``), `flag ${token}`);
	}
	for (const spec of keySpecs) t.true(readme.includes(`| \`${spec.key}\` | \`${envName(spec.key)}\` |`), `key ${spec.key}`);
	for (const [name] of commandEntries()) t.true(readme.includes(`| \`${name}\` |`), `command ${name}`);
});

test('a subcommand gets its own --help, before or after its name', async t => {
	const after = await run(['config', '--help']);
	const before = await run(['--help', 'config']);
	t.is(after.code, 0);
	t.regex(after.out, /^Usage\n {2}mj-tui config show \[--json\]/);
	t.is(before.out, after.out);
});

test('--flag=value works like --flag value, before and after a subcommand', async t => {
	const {code, out, box} = await run(['--archive=there', 'config', 'show', '--json', '--limit-rate=3M']);
	t.is(code, 0);
	const {values} = JSON.parse(out) as {values: Record<string, {value: unknown; origin: string}>};
	t.deepEqual(values.archive, {value: path.join(box.project, 'there'), origin: 'flag --archive'});
	t.deepEqual(values.limitRate, {value: 3 * 1024 ** 2, origin: 'flag --limit-rate'});
});

test('every flag spelling reads the same: --no-<flag>, camelCase names, =true/=false, a repeated boolean, a negative value, a short group', async t => {
	const shown = async (argv: string[]) => {
		const {code, out, err, box} = await run(['config', 'show', ...argv]);
		t.is(code, 0, err);
		return {values: (JSON.parse(out) as {values: Record<string, {value: unknown; origin: string}>}).values, box};
	};
	t.is((await shown(['--json', '--embedMetadata', '--limitRate', '1M'])).values.embedMetadata.value, true);
	t.is((await shown(['--json', '--limitRate=1M'])).values.limitRate.value, 1024 ** 2);
	t.is((await shown(['--json', '--embed-metadata=true', '--no-embed-metadata'])).values.embedMetadata.value, false);
	t.is((await shown(['--json=false', '--json'])).values.json.value, true, 'a boolean may repeat; the last one wins');
	const {values, box} = await shown(['--json', '--archive', '-5']);
	t.is(values.archive.value, path.join(box.project, '-5'), 'a value flag takes a negative number as its value');
	const {code, out} = await run(['--no-json', 'config', 'show']);
	t.is(code, 0);
	t.regex(out, /^Config files read/, '--no-json before the command turns JSON off');
	const group = await run(['-hx']);
	t.is(group.code, 64);
	t.regex(group.err, /^mj-tui: Unknown flag for mj-tui: -hx$/m, 'a short group is named as typed');
	const yes = await run(['config', 'show', '--json=yes']);
	t.is(yes.code, 64, 'a boolean given a value other than true/false is a usage error, not a silent false');
	t.regex(yes.err, /--json takes no value \(or =true, =false\); got "yes"/);
});
