import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import {keyTableMarkdown} from '../../source/ui/help/key-table-markdown.js';
import {commandFor, hintsFor, keyTable} from '../../source/ui/keys.js';
import {footerText} from '../../source/ui/status-line/footer.js';
import {repoRoot} from '../helpers/cli-io.js';
import {keys} from '../helpers/ui-testing.js';

const noKey = {upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false, super: false, hyper: false, capsLock: false, numLock: false};

test('docs/tui.md lists exactly the key table', (t) => {
	const doc = fs.readFileSync(path.join(repoRoot, 'docs', 'tui.md'), 'utf8');
	const listed = /<!-- keys:start -->\n([\s\S]*?)\n<!-- keys:end -->/.exec(doc)?.[1];
	t.is(listed?.trim(), keyTableMarkdown().trim(), 'regenerate the list in docs/tui.md from keys.ts');
});

test('one key never means two things in the same place', (t) => {
	const scopes = ['global', 'jobs', 'queue', 'details', 'search', 'confirm', 'similar'] as const;
	for (const scope of scopes) {
		const seen = new Map<string, string>();
		for (const binding of keyTable.filter((entry) => entry.scopes.includes(scope))) {
			for (const spec of binding.keys) {
				const id = JSON.stringify(spec);
				t.false(seen.has(id), `${id} is bound to ${seen.get(id)} and ${binding.command} in ${scope}`);
				seen.set(id, binding.command);
			}
		}
	}
});

test('pane keys win over global ones; the search line and confirmations take no global keys', (t) => {
	t.is(commandFor('N', {...noKey, shift: true}, 'queue'), 'sort-name');
	t.is(commandFor('N', {...noKey, shift: true}, 'jobs'), 'prev-hit');
	t.is(commandFor('s', noKey, 'queue'), 'sync', 'global keys work in every pane');
	t.is(commandFor('q', noKey, 'search'), undefined, 'q types into the search line');
	t.is(commandFor('', {...noKey, tab: true, shift: true}, 'jobs'), 'prev-pane');
	t.is(commandFor('c', {...noKey, ctrl: true}, 'details'), 'quit');
	t.is(keys.tab, '\t');
});

test('text lines, help and confirmations answer only their own keys; the line editor keys are in the table', (t) => {
	t.is(commandFor('q', noKey, 'filter'), undefined, 'q types into the filter line');
	t.is(commandFor('', {...noKey, escape: true}, 'filter'), 'filter-cancel');
	t.is(commandFor('\r', {...noKey, return: true}, 'filter'), 'filter-apply');
	for (const scope of ['search', 'filter'] as const) {
		t.is(commandFor('u', {...noKey, ctrl: true}, scope), 'clear-line');
		t.is(commandFor('w', {...noKey, ctrl: true}, scope), 'delete-word');
		t.is(commandFor('', {...noKey, backspace: true}, scope), 'delete-char');
		t.is(commandFor('', {...noKey, delete: true}, scope), 'delete-char');
	}
	t.is(commandFor('q', noKey, 'help'), 'help-close', 'q closes help rather than quitting');
	t.is(commandFor('', {...noKey, escape: true}, 'help'), 'help-close');
	t.is(commandFor('s', noKey, 'help'), undefined, 'no sync from under the help overlay');
	t.is(commandFor('u', {...noKey, ctrl: true}, 'jobs'), undefined, 'the line editor keys do nothing in a pane');
	t.deepEqual(hintsFor('filter'), [], 'the filter line shows its own hint, not global ones');
});

test('the footer shows the focused pane’s hints first and fits the width', (t) => {
	const queue = footerText('queue', 80);
	t.true(queue.length <= 80);
	t.true(queue.startsWith('j/↓ move  r retry'));
	t.true(hintsFor('queue').some((hint) => hint.label === 'S/E/B/N/T' && hint.hint === 'sort'), 'the five sort keys share one hint');
	t.false(footerText('jobs', 200).includes('retry'), 'queue keys are not offered in the jobs pane');
});

test('at 80 columns every pane’s footer still ends with ? help and q quit', (t) => {
	for (const scope of ['jobs', 'details', 'queue'] as const) {
		const footer = footerText(scope, 80);
		t.true(footer.length <= 80, footer);
		t.true(footer.endsWith('? help  q/^C quit'), `${scope}: ${footer}`);
	}
	t.true(footerText('jobs', 200).includes('s sync'), 'a wide footer still shows the rest');
});
