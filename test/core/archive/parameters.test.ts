import test from 'ava';
import {aspectRatioOf, modelVersionOf, numericParameterOf, parseFullCommand} from '../../../source/core/archive/parameters.js';

const cases: Array<[string, string, Record<string, string | true>]> = [
	['no parameters', 'a lighthouse on a basalt cliff', {}],
	['typical', 'a red fox in snow --ar 16:9 --v 7 --stylize 250', {ar: '16:9', v: '7', stylize: '250'}],
	['multi-word value runs to the next parameter', 'city street --no cars, trees, people --tile --v 6.1', {no: 'cars, trees, people', tile: true, v: '6.1'}],
	['flag at the end', 'seamless moss texture --tile', {tile: true}],
	['niji with and without value', 'anime girl --niji 6 --ar 2:3', {niji: '6', ar: '2:3'}],
	['bare niji', 'anime cat --niji', {niji: true}],
	['style reference URL kept whole', 'portrait --sref https://s.mj.run/abc--def?x=1 https://example.com/b.png --sw 100', {sref: 'https://s.mj.run/abc--def?x=1 https://example.com/b.png', sw: '100'}],
	['personalize flag', 'a cozy cabin --p --v 7', {p: true, v: '7'}],
	['aliases normalised', 'x --aspect 3:2 --s 50 --c 10 --version 5.2 --q .5 --w 250 --r 2', {ar: '3:2', stylize: '50', chaos: '10', v: '5.2', quality: '0.5', weird: '250', repeat: '2'}],
	['--raw is --style raw', 'x --raw --v 7', {style: 'raw', v: '7'}],
	['--style RAW reads as raw', 'x --style RAW', {style: 'raw'}],
	['--profile is --p, codes kept', 'x --profile ylfuc2p abc123', {p: 'ylfuc2p abc123'}],
	['--v 7.0 is --v 7, --v 8.1 stays', 'x --v 7.0 --hd', {v: '7', hd: true}],
	['--niji 6.0 is --niji 6', 'x --niji 6.0', {niji: '6'}],
	['numbers in their plain form', 'x --stylize 0250 --iw 1.50 --sw 050 --sv 4 --cw 100 --ow 25 --exp 5 --quality 1.0', {stylize: '250', iw: '1.5', sw: '50', sv: '4', cw: '100', ow: '25', exp: '5', quality: '1'}],
	['several --sref codes and URLs, one list', 'x --sref 3725990145   https://s.mj.run/abc --sw 50', {sref: '3725990145 https://s.mj.run/abc', sw: '50'}],
	['--oref and --cref with weights', 'x --oref https://s.mj.run/o --ow 100 --cref https://s.mj.run/c --cw 0', {oref: 'https://s.mj.run/o', ow: '100', cref: 'https://s.mj.run/c', cw: '0'}],
	['video parameters', 'x --motion High --video 1 --loop --draft', {motion: 'high', video: '1', loop: true, draft: true}],
	['upper-case names', 'x --AR 1:1 --V 7', {ar: '1:1', v: '7'}],
	['em dash from iOS autocorrect', 'sunset over dunes —ar 21:9 —v 7', {ar: '21:9', v: '7'}],
	['last repeat wins', 'x --v 6 --v 7', {v: '7'}],
	['--no repeats accumulate', 'x --no cars --no trees', {no: 'cars, trees'}],
	['only parameters', '--ar 1:1 --v 7', {ar: '1:1', v: '7'}],
	['style raw', 'x --style raw --stylize 0', {style: 'raw', stylize: '0'}],
];

for (const [title, command, parameters] of cases) {
	test(`parses parameters: ${title}`, t => {
		t.deepEqual(parseFullCommand(command).parameters, parameters);
	});
}

test('prompt text is the command without its parameters', t => {
	t.is(parseFullCommand('a red fox in snow --ar 16:9 --v 7').prompt, 'a red fox in snow');
	t.is(parseFullCommand('  a red fox  ').prompt, 'a red fox');
	t.is(parseFullCommand('--ar 1:1 --v 7').prompt, '');
	t.is(parseFullCommand('').prompt, '');
});

test('double dashes inside words, URLs and weights are prompt text, not parameters', t => {
	const command = 'a cat::2 dog::-0.5 well--known https://s.mj.run/x--y.png café —— ok';
	t.deepEqual(parseFullCommand(command), {prompt: command, parameters: {}});
});

test('image-prompt URLs before the text are kept apart from the prompt; `::` weights stay in it', t => {
	t.deepEqual(parseFullCommand('https://s.mj.run/x--y.png <https://cdn.example/b.png> a cat::2 dog::-0.5 --iw 2 --no fur'), {
		prompt: 'a cat::2 dog::-0.5',
		parameters: {image_prompts: 'https://s.mj.run/x--y.png https://cdn.example/b.png', iw: '2', no: 'fur'},
	});
});

test('unicode, emoji and multi-line prompts survive intact', t => {
	const parsed = parseFullCommand('東京の夜景 🌃 neon, «ciné» noir\nsecond line --ar 9:16 --niji 6');
	t.is(parsed.prompt, '東京の夜景 🌃 neon, «ciné» noir\nsecond line');
	t.deepEqual(parsed.parameters, {ar: '9:16', niji: '6'});
});

test('a lone dash or an em dash followed by a space stays in the prompt', t => {
	t.deepEqual(parseFullCommand('before — after - more -- --v 7'), {prompt: 'before — after - more --', parameters: {v: '7'}});
});

test('model version comes from --niji, then --v, then job_type', t => {
	t.is(modelVersionOf({niji: '6', v: '7'}, 'v7_diffusion'), 'niji 6');
	t.is(modelVersionOf({niji: true}, 'v7_diffusion'), 'niji');
	t.is(modelVersionOf({v: '6.1'}, 'v7_diffusion'), '6.1');
	t.is(modelVersionOf({}, 'v7_diffusion'), '7');
	t.is(modelVersionOf({}, 'v6.1_upscale_subtle'), '6.1');
	t.is(modelVersionOf({}, 'niji6_diffusion'), 'niji 6');
	t.is(modelVersionOf({}, 'vid_1.1_i2v_480'), null);
	t.is(modelVersionOf({v: true}, ''), null);
	t.is(modelVersionOf({}, 'v8-1_hd_diffusion'), '8.1');
	t.is(modelVersionOf({}, 'v7_raw_diffusion'), '7');
	t.is(modelVersionOf({}, null), null);
});

test('aspect ratio comes from --ar as written, else from the reduced dimensions', t => {
	t.is(aspectRatioOf({ar: '16:9'}, 1024, 1024), '16:9');
	t.is(aspectRatioOf({}, 1456, 816), '91:51');
	t.is(aspectRatioOf({}, 1024, 1024), '1:1');
	t.is(aspectRatioOf({}, 1920, 1080), '16:9');
	t.is(aspectRatioOf({}, null, 1080), null);
	t.is(aspectRatioOf({ar: true}, 0, 0), null);
});

test('numeric parameters read their first word, and nothing else', t => {
	t.is(numericParameterOf({stylize: '250'}, 'stylize'), 250);
	t.is(numericParameterOf({quality: '.5'}, 'quality'), 0.5);
	t.is(numericParameterOf({chaos: '10 extra'}, 'chaos'), 10);
	t.is(numericParameterOf({weird: 'lots'}, 'weird'), null);
	t.is(numericParameterOf({stylize: true}, 'stylize'), null);
	t.is(numericParameterOf({}, 'stylize'), null);
});
