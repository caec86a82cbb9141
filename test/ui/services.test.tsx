import test from 'ava';
import {hasDisplay, openWithSystemViewer} from '../../source/ui/services.js';
import {fitEnd, fitStart, textWidth} from '../../source/ui/text-fit.js';
import {keepCursorOnLastLine} from '../../source/ui/frame-cursor-fix.js';
import {FramePacer} from '../../source/ui/frame-pacer.js';

test('o opens a viewer only where one can show a window; over SSH it tells the path', (t) => {
	t.false(hasDisplay({}, 'linux'), 'no X11/Wayland: no viewer');
	t.true(hasDisplay({DISPLAY: ':0'}, 'linux'));
	t.true(hasDisplay({WAYLAND_DISPLAY: 'wayland-0'}, 'freebsd'));
	t.true(hasDisplay({}, 'darwin'));
	t.is(openWithSystemViewer('/archive/images/a.png', {}), process.platform === 'darwin' ? 'opened /archive/images/a.png' : 'image: /archive/images/a.png');
});

test('text is fitted to columns by terminal cells, wide characters count twice', (t) => {
	t.is(fitEnd('a quiet harbour', 8), 'a quiet…');
	t.is(fitEnd('short', 8), 'short');
	t.is(textWidth('北京的胡同'), 10);
	t.is(fitEnd('北京的胡同', 6), '北京…', 'never splits a wide character across the edge');
	t.is(fitStart('images/2026/11/abc_0.png', 10), '…abc_0.png');
	t.is(textWidth(fitStart('서울의 밤거리', 7)), 7);
});

test('frame writes keep the cursor on the frame’s last line (Ink 6.8 incremental renderer)', (t) => {
	t.is(keepCursorOnLastLine('line 1\nline 2\n'), 'line 1\nline 2');
	t.is(keepCursorOnLastLine('\u001B[2A\u001B[E\u001B[E'), '\u001B[2A\u001B[E');
	t.is(keepCursorOnLastLine('frame\n\u001B[?2026l'), 'frame\u001B[?2026l');
	t.is(keepCursorOnLastLine('\u001B[?25l'), '\u001B[?25l', 'other writes pass untouched');
});

/** A terminal stand-in that records each write it receives. */
function recordingStdout() {
	const writes: string[] = [];
	const stdout = {columns: 80, rows: 24, write: (chunk: string) => writes.push(chunk) > 0} as unknown as NodeJS.WriteStream;
	return {stdout, writes};
}

const nextTick = () => new Promise((resolve) => setTimeout(resolve, 0));

test('frame pacing: frames in one interval reach the terminal joined, in order, none dropped', async (t) => {
	const {stdout, writes} = recordingStdout();
	// 1 fps: an interval far longer than this test, so nothing here depends on timing.
	const pacer = new FramePacer(stdout, 1);
	t.is(pacer.stream.columns, 80, 'Ink sees the terminal’s size');
	pacer.stream.write('first frame\n');
	await nextTick();
	t.deepEqual(writes, ['first frame'], 'after a quiet interval a frame goes out at once (its final newline dropped, see frame-cursor-fix)');
	t.is(pacer.writes, 1);

	pacer.stream.write('second ');
	pacer.stream.write('third');
	await nextTick();
	t.deepEqual(writes, ['first frame'], 'inside the interval, frames wait');
	const ran: string[] = [];
	const cancel = pacer.afterFrameSince(pacer.writes, () => ran.push('query'));
	const canceled = pacer.afterFrameSince(pacer.writes, () => ran.push('canceled'));
	canceled();
	await nextTick();
	t.deepEqual(ran, [], 'work waiting for the next frame waits');

	pacer.flush();
	t.deepEqual(writes, ['first frame', 'second third'], 'held frames go out joined and in order');
	await nextTick();
	t.deepEqual(ran, ['query'], 'and the work waiting for them runs after');
	cancel();

	const late: string[] = [];
	pacer.afterFrameSince(0, () => late.push('at once'));
	await nextTick();
	t.deepEqual(late, ['at once'], 'a frame newer than the one seen is already out');
});

test('frame pacing: a key’s frame never waits behind a frame no key caused, only behind the last key’s', async (t) => {
	const {stdout, writes} = recordingStdout();
	const pacer = new FramePacer(stdout, 1);
	const typed: string[] = [];
	const stdin = pacer.watchInput({read: () => typed.shift() ?? null} as unknown as NodeJS.ReadStream);
	pacer.stream.write('progress tick');
	pacer.stream.write(' (same frame)');
	await nextTick();
	t.deepEqual(writes, ['progress tick (same frame)']);

	pacer.stream.write('|picture arrived');
	await nextTick();
	t.is(writes.length, 1, 'a background frame inside the interval waits');
	typed.push('j');
	t.is(stdin.read(), 'j', 'Ink reads the key through the pacer unchanged');
	t.is(stdin.read(), null);
	pacer.stream.write('|row 2 selected');
	await nextTick();
	t.deepEqual(writes.slice(1), ['|picture arrived|row 2 selected'], 'the key’s frame goes out at once, the held one with it, in order');

	typed.push('j');
	stdin.read();
	pacer.stream.write('|row 3 selected');
	await nextTick();
	t.is(writes.length, 2, 'a key one interval after the last key’s frame waits: keys held down stay at the frame cap');
	pacer.flush();
	t.deepEqual(writes.slice(2), ['|row 3 selected']);
});
