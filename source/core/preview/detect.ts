/**
 * Which renderer `preview: auto` means here. The terminal is asked (a kitty
 * graphics query, the cell size in pixels, and DA1 last: every terminal
 * answers DA1, so its answer ends the wait early), with a short timeout; the
 * environment (TERM, TERM_PROGRAM, KITTY_WINDOW_ID, WEZTERM_*) fills in what
 * the answers do not say. Inside tmux the answers come from tmux itself:
 * kitty graphics need passthrough, which is not known to work, so tmux gets
 * sixel when it says it draws sixel, else half blocks.
 */
import {defaultCellPixels, type CellPixels, type ColourDepth, type PreviewMode, type RendererChoice} from './renderers.js';

/** What the terminal said about itself. */
export interface TerminalAnswers {
	kittyGraphics: boolean;
	sixel: boolean;
	cell?: CellPixels;
	/** False when nothing came back before the timeout. */
	answered: boolean;
}

export const kittyQuery = '\u001B_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\u001B\\';
const cellSizeQuery = '\u001B[16t';
const primaryAttributesQuery = '\u001B[c';

/** Read what has arrived so far; a complete DA1 answer ends the exchange. */
export function parseAnswers(text: string): TerminalAnswers & {complete: boolean} {
	const da1 = /\u001B\[\?([\d;]*)c/.exec(text);
	const cell = /\u001B\[6;(\d+);(\d+)t/.exec(text);
	const cellPixels = cell && Number(cell[1]) > 0 && Number(cell[2]) > 0 ? {width: Number(cell[2]), height: Number(cell[1])} : undefined;
	return {
		kittyGraphics: /\u001B_Gi=31;OK\u001B\\/.test(text),
		sixel: da1 ? da1[1]!.split(';').includes('4') : false,
		...(cellPixels ? {cell: cellPixels} : {}),
		answered: text.length > 0,
		complete: da1 !== null,
	};
}

/** The stream side of a terminal: raw mode is switched on for the question and back after. */
export interface TerminalInput extends NodeJS.EventEmitter {
	setRawMode?(raw: boolean): unknown;
	isRaw?: boolean;
	resume(): unknown;
	pause(): unknown;
}

/**
 * Ask the terminal on `output` and read its answers from `input` for at most
 * `timeoutMs`. The answers are consumed here, so they never reach the app as keys.
 */
export function queryTerminal(input: TerminalInput, output: {write(text: string): unknown}, timeoutMs = 200): Promise<TerminalAnswers> {
	return new Promise((resolve) => {
		const wasRaw = input.isRaw ?? false;
		input.setRawMode?.(true);
		let text = '';
		const finish = () => {
			clearTimeout(timer);
			input.off('data', onData);
			input.setRawMode?.(wasRaw);
			input.pause();
			const {complete: _complete, ...answers} = parseAnswers(text);
			resolve(answers);
		};
		const onData = (chunk: Buffer | string) => {
			text += chunk.toString();
			if (parseAnswers(text).complete) finish();
		};
		const timer = setTimeout(finish, timeoutMs);
		input.on('data', onData);
		input.resume();
		output.write(kittyQuery + cellSizeQuery + primaryAttributesQuery);
	});
}

/** 24-bit colour when the terminal says so (COLORTERM), inside tmux (which converts for its own terminal), or in terminals known to have it. */
export function colourDepth(env: NodeJS.ProcessEnv): ColourDepth {
	const colourTerm = (env['COLORTERM'] ?? '').toLowerCase();
	if (colourTerm === 'truecolor' || colourTerm === '24bit') return 'truecolor';
	if (env['TMUX'] || env['KITTY_WINDOW_ID'] || env['WEZTERM_EXECUTABLE'] || env['WEZTERM_PANE']) return 'truecolor';
	if (/^(iTerm\.app|WezTerm|ghostty|vscode)$/.test(env['TERM_PROGRAM'] ?? '')) return 'truecolor';
	if (/(-direct|kitty|ghostty|alacritty|foot)/.test(env['TERM'] ?? '')) return 'truecolor';
	return '256';
}

/** True when the environment names a terminal whose own kitty graphics (with Unicode placeholders) work: kitty, Ghostty. */
function kittyByEnvironment(env: NodeJS.ProcessEnv): boolean {
	return Boolean(env['KITTY_WINDOW_ID']) || env['TERM'] === 'xterm-kitty' || env['TERM'] === 'xterm-ghostty' || env['TERM_PROGRAM'] === 'ghostty';
}

function itermByEnvironment(env: NodeJS.ProcessEnv): boolean {
	return env['TERM_PROGRAM'] === 'iTerm.app' || env['LC_TERMINAL'] === 'iTerm2' || env['TERM_PROGRAM'] === 'WezTerm' || Boolean(env['WEZTERM_EXECUTABLE'] || env['WEZTERM_PANE']);
}

/**
 * The renderer for `mode`. A named renderer is used as asked (inside tmux,
 * kitty's escapes are wrapped for passthrough); `auto` goes by the answers
 * (when asked) and the environment; NO_COLOR turns `auto` off.
 */
export function chooseRenderer(mode: PreviewMode, env: NodeJS.ProcessEnv, answers?: TerminalAnswers): RendererChoice {
	const tmux = Boolean(env['TMUX']);
	const colour = colourDepth(env);
	const cell = answers?.cell ?? defaultCellPixels;
	const base = {colour, tmux, cell};
	if (mode === 'off') return {...base, renderer: 'off', reason: 'previews are off (preview: off)'};
	if (mode !== 'auto') return {...base, renderer: mode, reason: `preview: ${mode} was asked for${tmux && mode === 'kitty' ? ' (through tmux passthrough)' : ''}`};
	if (env['NO_COLOR']) return {...base, renderer: 'off', reason: 'NO_COLOR is set (preview: blocks or another renderer turns previews on)'};
	if (tmux) {
		if (answers?.sixel) return {...base, renderer: 'sixel', reason: 'tmux draws sixel (its DA1 answer has 4)'};
		return {...base, renderer: 'blocks', reason: 'inside tmux: half blocks (kitty graphics need passthrough; preview: kitty asks for it)'};
	}
	// Konsole answers the kitty query but has no Unicode placeholders: it gets sixel (or blocks).
	const konsole = Boolean(env['KONSOLE_VERSION']);
	if (answers?.kittyGraphics && !konsole && !itermByEnvironment(env)) return {...base, renderer: 'kitty', reason: 'the terminal answered the kitty graphics query'};
	if (itermByEnvironment(env)) return {...base, renderer: 'iterm', reason: `${env['TERM_PROGRAM'] ?? 'WezTerm'} shows iTerm2 inline images`};
	if (!konsole && kittyByEnvironment(env)) return {...base, renderer: 'kitty', reason: `${env['TERM'] ?? 'kitty'} has kitty graphics`};
	if (answers?.sixel) return {...base, renderer: 'sixel', reason: 'the terminal draws sixel (its DA1 answer has 4)'};
	const why = answers && !answers.answered ? 'the terminal did not answer' : 'no graphics protocol found';
	return {...base, renderer: 'blocks', reason: `half blocks (${why})`};
}

/** The renderer for `mode` in this terminal: asks the terminal only when the answer can matter (auto, or a graphics protocol that needs the cell size). */
export async function detectRenderer(mode: PreviewMode, env: NodeJS.ProcessEnv, terminal?: {input: TerminalInput; output: {write(text: string): unknown}}): Promise<RendererChoice> {
	const mayAsk = mode !== 'off' && mode !== 'blocks' && !(mode === 'auto' && env['NO_COLOR']);
	const answers = mayAsk && terminal ? await queryTerminal(terminal.input, terminal.output) : undefined;
	return chooseRenderer(mode, env, answers);
}
