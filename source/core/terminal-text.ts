/**
 * Text from the network (prompts, error bodies, file names) is data. Before it
 * reaches a terminal it loses every control sequence, so a prompt cannot move
 * the cursor, retitle the window, set colours or hide text.
 */

// ESC-introduced sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST),
// DCS/SOS/PM/APC (ESC P|X|^|_ ... ST), and two-byte escapes (ESC + one char).
// ST is ESC \ or its 8-bit form U+009C; without the latter a string ended by
// it would swallow the visible text after it.
const escapeSequence =
	/\u001B(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001B\u009C]*(?:\u0007|\u001B\\|\u009C)?|[PX^_][^\u001B\u009C]*(?:\u001B\\|\u009C)?|[ -~])?/g;
// 8-bit CSI/OSC/DCS introducers and their bodies, then any remaining C0/C1 control
// (keeping tab and newline for the caller to decide), DEL, and bidi overrides
// that reorder what the user sees.
const c1Sequence = /[\u009B][0-?]*[ -/]*[@-~]|[\u009D\u0090\u0098\u009E\u009F][^\u009C\u0007]*[\u009C\u0007]?/g;
const controls = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;

/** Remove terminal control and escape sequences; keeps newlines and tabs. */
export function stripTerminalControls(text: string): string {
	return text.replace(escapeSequence, '').replace(c1Sequence, '').replace(controls, '');
}

/** Safe for one line of a table: control sequences removed, whitespace runs folded to one space. */
export function toSingleLine(text: string): string {
	return stripTerminalControls(text).replace(/\s+/g, ' ').trim();
}
