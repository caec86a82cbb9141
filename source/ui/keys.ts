/**
 * The ONE key table: command → bindings → description → where it applies.
 * The dispatcher, the footer hints, the `?` overlay and docs/tui.md are all
 * generated from it, so a key cannot work without being documented.
 */
import type {Key} from 'ink';

export type Pane = 'jobs' | 'queue' | 'details';
/** Where a binding applies: everywhere, one pane, a text line (search, filter), help, a confirmation, the picture viewer, a message box, or the "more like this" list. */
export type KeyScope = 'global' | Pane | 'search' | 'filter' | 'help' | 'confirm' | 'viewer' | 'message' | 'similar';
/** Scopes that take no global keys: text lines type them; help, confirmations and the overlays answer only their own. */
const ownKeysOnly: readonly KeyScope[] = ['search', 'filter', 'help', 'confirm', 'viewer', 'message', 'similar'];

export type Command =
	| 'quit'
	| 'help'
	| 'next-pane'
	| 'prev-pane'
	| 'sync'
	| 'search'
	| 'download-all'
	| 'up'
	| 'down'
	| 'page-up'
	| 'page-down'
	| 'first'
	| 'last'
	| 'download-job'
	| 'open'
	| 'show-details'
	| 'jump'
	| 'go-parent'
	| 'next-hit'
	| 'prev-hit'
	| 'filter'
	| 'clear-filter'
	| 'retry'
	| 'retry-failed'
	| 'cancel'
	| 'pause'
	| 'pause-all'
	| 'concurrency-up'
	| 'concurrency-down'
	| 'sort-speed'
	| 'sort-eta'
	| 'sort-remaining'
	| 'sort-name'
	| 'sort-state'
	| 'back'
	| 'search-accept'
	| 'search-close'
	| 'search-next'
	| 'search-prev'
	| 'filter-apply'
	| 'filter-cancel'
	| 'delete-char'
	| 'delete-word'
	| 'clear-line'
	| 'help-close'
	| 'confirm-yes'
	| 'confirm-no'
	| 'prev-image'
	| 'next-image'
	| 'view-image'
	| 'viewer-close'
	| 'show-message'
	| 'message-down'
	| 'message-up'
	| 'message-page-down'
	| 'message-page-up'
	| 'message-close'
	| 'more-like-this'
	| 'similar-accept'
	| 'similar-close';

/** One key: a typed character, or a named key from Ink's Key with optional modifiers. */
export type KeySpec = {input: string; ctrl?: boolean} | {key: keyof Key; shift?: boolean; ctrl?: boolean};

export interface KeyBinding {
	command: Command;
	keys: KeySpec[];
	/** How the keys are written in help and the footer, e.g. `j/↓`. */
	label: string;
	description: string;
	scopes: KeyScope[];
	/** Short word for the footer; bindings without one appear only in help. */
	hint?: string;
}

const lists: KeyScope[] = ['jobs', 'queue', 'details', 'similar'];
const textLines: KeyScope[] = ['search', 'filter'];

export const keyTable: readonly KeyBinding[] = [
	// Lists
	{command: 'down', keys: [{input: 'j'}, {key: 'downArrow'}], label: 'j/↓', description: 'Move down', scopes: lists, hint: 'move'},
	{command: 'up', keys: [{input: 'k'}, {key: 'upArrow'}], label: 'k/↑', description: 'Move up', scopes: lists},
	{command: 'page-down', keys: [{key: 'pageDown'}, {input: 'f', ctrl: true}], label: 'PgDn/^F', description: 'Page down', scopes: lists},
	{command: 'page-up', keys: [{key: 'pageUp'}, {input: 'b', ctrl: true}], label: 'PgUp/^B', description: 'Page up', scopes: lists},
	{command: 'first', keys: [{input: 'g'}, {key: 'home'}], label: 'g/Home', description: 'First row', scopes: lists},
	{command: 'last', keys: [{input: 'G'}, {key: 'end'}], label: 'G/End', description: 'Last row', scopes: lists},
	// Jobs
	{command: 'show-details', keys: [{key: 'return'}], label: 'Enter', description: 'Show the job’s details', scopes: ['jobs'], hint: 'details'},
	{command: 'download-job', keys: [{input: 'd'}], label: 'd', description: 'Download the selected job’s missing images', scopes: ['jobs', 'details'], hint: 'download'},
	{command: 'filter', keys: [{input: 'f'}], label: 'f', description: 'Filter by type, date range, download status', scopes: ['jobs'], hint: 'filter'},
	{command: 'clear-filter', keys: [{input: 'F'}], label: 'F', description: 'Clear the filter', scopes: ['jobs']},
	{command: 'next-hit', keys: [{input: 'n'}], label: 'n', description: 'Next search hit', scopes: ['jobs', 'details']},
	{command: 'prev-hit', keys: [{input: 'N'}], label: 'N', description: 'Previous search hit', scopes: ['jobs', 'details']},
	{command: 'open', keys: [{input: 'o'}], label: 'o', description: 'Open the image (system viewer), or show its path', scopes: ['jobs', 'details'], hint: 'open'},
	// Details: the job's family
	{command: 'jump', keys: [{key: 'return'}], label: 'Enter', description: 'On a family line: go to that job (clears a filter that hides it); on a file: open it', scopes: ['details']},
	{command: 'go-parent', keys: [{input: 'u'}], label: 'u', description: 'Go to the job’s parent (the grid it was made from)', scopes: ['jobs', 'details']},
	{command: 'more-like-this', keys: [{input: 'm'}], label: 'm', description: 'More like this: the archived images that look most like the job’s', scopes: ['jobs', 'details'], hint: 'similar'},
	{command: 'back', keys: [{key: 'escape'}], label: 'Esc', description: 'Back to the jobs', scopes: ['details', 'queue']},
	// Pictures (the details pane's preview, and full screen)
	{command: 'view-image', keys: [{input: 'v'}], label: 'v', description: 'Show the picture full-screen (Esc returns)', scopes: ['jobs', 'details'], hint: 'view'},
	{command: 'prev-image', keys: [{input: '['}], label: '[', description: 'Previous image of the job', scopes: ['jobs', 'details', 'viewer']},
	{command: 'next-image', keys: [{input: ']'}], label: ']', description: 'Next image of the job', scopes: ['jobs', 'details', 'viewer']},
	{command: 'viewer-close', keys: [{key: 'escape'}, {input: 'v'}, {input: 'q'}], label: 'Esc/v/q', description: 'Back from the full-screen picture', scopes: ['viewer'], hint: 'back'},
	// Queue
	{command: 'retry', keys: [{input: 'r'}], label: 'r', description: 'Retry the selected transfer', scopes: ['queue'], hint: 'retry'},
	{command: 'cancel', keys: [{input: 'x'}], label: 'x', description: 'Cancel the selected transfer (asks first; keeps the partial)', scopes: ['queue'], hint: 'cancel'},
	{command: 'pause', keys: [{input: 'p'}], label: 'p', description: 'Pause/resume the selected transfer', scopes: ['queue'], hint: 'pause'},
	{command: 'sort-speed', keys: [{input: 'S'}], label: 'S', description: 'Sort by speed (again: reverse)', scopes: ['queue'], hint: 'sort'},
	{command: 'sort-eta', keys: [{input: 'E'}], label: 'E', description: 'Sort by ETA (again: reverse)', scopes: ['queue'], hint: 'sort'},
	{command: 'sort-remaining', keys: [{input: 'B'}], label: 'B', description: 'Sort by bytes remaining (again: reverse)', scopes: ['queue'], hint: 'sort'},
	{command: 'sort-name', keys: [{input: 'N'}], label: 'N', description: 'Sort by name (again: reverse)', scopes: ['queue'], hint: 'sort'},
	{command: 'sort-state', keys: [{input: 'T'}], label: 'T', description: 'Sort by state (again: reverse)', scopes: ['queue'], hint: 'sort'},
	{command: 'retry-failed', keys: [{input: 'R'}], label: 'R', description: 'Retry every failed transfer', scopes: ['queue'], hint: 'retry all'},
	{command: 'pause-all', keys: [{input: 'P'}], label: 'P', description: 'Pause/resume all transfers', scopes: ['queue'], hint: 'pause all'},
	{command: 'concurrency-up', keys: [{input: '+'}, {input: '='}], label: '+', description: 'More downloads at once', scopes: ['queue'], hint: 'conc'},
	{command: 'concurrency-down', keys: [{input: '-'}], label: '-', description: 'Fewer downloads at once', scopes: ['queue']},
	// Everywhere
	{command: 'search', keys: [{input: '/'}], label: '/', description: 'Search prompts (FTS5; --ar 16:9, --v 7 filter)', scopes: ['global'], hint: 'search'},
	{command: 'sync', keys: [{input: 's'}], label: 's', description: 'Sync now (fetch new jobs)', scopes: ['global'], hint: 'sync'},
	{command: 'download-all', keys: [{input: 'D'}], label: 'D', description: 'Download everything missing', scopes: ['global'], hint: 'all'},
	{command: 'next-pane', keys: [{key: 'tab', shift: false}], label: 'Tab', description: 'Next pane', scopes: ['global'], hint: 'pane'},
	{command: 'prev-pane', keys: [{key: 'tab', shift: true}], label: 'S-Tab', description: 'Previous pane', scopes: ['global']},
	{command: 'help', keys: [{input: '?'}], label: '?', description: 'Help (this list)', scopes: ['global'], hint: 'help'},
	{command: 'quit', keys: [{input: 'q'}, {input: 'c', ctrl: true}], label: 'q/^C', description: 'Quit (transfers stop, partials kept; again: at once)', scopes: ['global'], hint: 'quit'},
	// The search line
	{command: 'search-accept', keys: [{key: 'return'}], label: 'Enter', description: 'Jump to the hit in the jobs pane', scopes: ['search']},
	{command: 'search-next', keys: [{key: 'downArrow'}, {input: 'n', ctrl: true}], label: '↓/^N', description: 'Next hit', scopes: ['search']},
	{command: 'search-prev', keys: [{key: 'upArrow'}, {input: 'p', ctrl: true}], label: '↑/^P', description: 'Previous hit', scopes: ['search']},
	{command: 'search-close', keys: [{key: 'escape'}], label: 'Esc', description: 'Close the search line (n/N still step through hits)', scopes: ['search']},
	// The filter line
	{command: 'filter-apply', keys: [{key: 'return'}], label: 'Enter', description: 'Apply the filter (an empty line clears it)', scopes: ['filter']},
	{command: 'filter-cancel', keys: [{key: 'escape'}], label: 'Esc', description: 'Close the filter line, keeping the filter as it was', scopes: ['filter']},
	// Editing either text line; other keys type
	{command: 'delete-char', keys: [{key: 'backspace'}, {key: 'delete'}], label: 'Bksp', description: 'Delete the last character', scopes: textLines},
	{command: 'delete-word', keys: [{input: 'w', ctrl: true}], label: '^W', description: 'Delete the last word', scopes: textLines},
	{command: 'clear-line', keys: [{input: 'u', ctrl: true}], label: '^U', description: 'Clear the line', scopes: textLines},
	// Help
	{command: 'help-close', keys: [{input: '?'}, {key: 'escape'}, {input: 'q'}], label: '?/Esc/q', description: 'Close help', scopes: ['help']},
	{command: 'show-message', keys: [{input: '!'}], label: '!', description: 'Show the last error in full (a message box)', scopes: ['global']},
	// Message box
	{command: 'message-down', keys: [{input: 'j'}, {key: 'downArrow'}], label: 'j/↓', description: 'Scroll down a line', scopes: ['message'], hint: 'scroll'},
	{command: 'message-up', keys: [{input: 'k'}, {key: 'upArrow'}], label: 'k/↑', description: 'Scroll up a line', scopes: ['message']},
	{command: 'message-page-down', keys: [{key: 'pageDown'}, {input: ' '}], label: 'PgDn/Space', description: 'Scroll down a page', scopes: ['message']},
	{command: 'message-page-up', keys: [{key: 'pageUp'}], label: 'PgUp', description: 'Scroll up a page', scopes: ['message']},
	{command: 'message-close', keys: [{key: 'escape'}, {key: 'return'}, {input: 'q'}], label: 'Esc/Enter', description: 'Close the message', scopes: ['message'], hint: 'close'},
	// The "more like this" list
	{command: 'similar-accept', keys: [{key: 'return'}], label: 'Enter', description: 'Jump to that image’s job and its details', scopes: ['similar']},
	{command: 'similar-close', keys: [{key: 'escape'}, {input: 'm'}, {input: 'q'}], label: 'Esc/m/q', description: 'Close the list', scopes: ['similar']},
	// Confirmations
	{command: 'confirm-yes', keys: [{input: 'y'}, {input: 'Y'}], label: 'y', description: 'Confirm', scopes: ['confirm']},
	{command: 'confirm-no', keys: [{input: 'n'}, {input: 'N'}, {key: 'escape'}], label: 'n/Esc', description: 'Keep things as they are', scopes: ['confirm']},
];

function matches(spec: KeySpec, input: string, key: Key): boolean {
	if ('input' in spec) {
		if (spec.ctrl) return key.ctrl && input === spec.input;
		return !key.ctrl && !key.meta && input === spec.input;
	}
	if (!key[spec.key]) return false;
	if (spec.shift !== undefined && key.shift !== spec.shift) return false;
	return spec.ctrl === undefined || key.ctrl === spec.ctrl;
}

/** The command a key runs in `scope`, falling back to global bindings (except in text lines, help and confirmations). */
export function commandFor(input: string, key: Key, scope: KeyScope): Command | undefined {
	const own = keyTable.find((binding) => binding.scopes.includes(scope) && binding.keys.some((spec) => matches(spec, input, key)));
	if (own || ownKeysOnly.includes(scope)) return own?.command;
	return keyTable.find((binding) => binding.scopes.includes('global') && binding.keys.some((spec) => matches(spec, input, key)))?.command;
}

/** Footer hints for a pane: its own bindings first, then the global ones; bindings sharing a hint become one (`S/E/B/N/T sort`). */
export function hintsFor(scope: KeyScope): Array<{label: string; hint: string}> {
	const own = keyTable.filter((binding) => binding.hint && binding.scopes.includes(scope));
	const global = ownKeysOnly.includes(scope) ? [] : keyTable.filter((binding) => binding.hint && binding.scopes.includes('global'));
	const hints: Array<{label: string; hint: string}> = [];
	for (const binding of [...own, ...global]) {
		const same = hints.find((hint) => hint.hint === binding.hint);
		if (same) same.label += `/${binding.label}`;
		else hints.push({label: binding.label, hint: binding.hint!});
	}
	return hints;
}

/** What a command does where it applies; dispatch looks the command up here (pane hooks export these). */
export type CommandHandlers = Partial<Record<Command, () => void>>;

/** Help sections, in the order they are shown. */
export const helpSections: ReadonlyArray<{title: string; scope: KeyScope}> = [
	{title: 'Everywhere', scope: 'global'},
	{title: 'Jobs', scope: 'jobs'},
	{title: 'Queue', scope: 'queue'},
	{title: 'Details', scope: 'details'},
	{title: 'Search line', scope: 'search'},
	{title: 'Filter line', scope: 'filter'},
	{title: 'Full-screen picture', scope: 'viewer'},
	{title: 'More like this', scope: 'similar'},
	{title: 'Help', scope: 'help'},
	{title: 'Confirmations', scope: 'confirm'},
	{title: 'Message box', scope: 'message'},
];

/** Bindings listed under one help section. */
export function bindingsIn(scope: KeyScope): KeyBinding[] {
	return keyTable.filter((binding) => binding.scopes.includes(scope));
}

const noKey: Key = {
	upArrow: false,
	downArrow: false,
	leftArrow: false,
	rightArrow: false,
	pageDown: false,
	pageUp: false,
	home: false,
	end: false,
	return: false,
	escape: false,
	ctrl: false,
	shift: false,
	tab: false,
	backspace: false,
	delete: false,
	meta: false,
	super: false,
	hyper: false,
	capsLock: false,
	numLock: false,
};

/** The Key Ink would report for one plain character typed on its own (for keys that arrived in one read). */
export function keyOf(character: string): Key {
	return {...noKey, tab: character === '\t', return: character === '\r', shift: character !== character.toLowerCase()};
}
