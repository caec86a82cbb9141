import test from 'ava';
import {hasDisplay, openWithSystemViewer} from '../source/ui/services.js';
import {fitEnd, fitStart, textWidth} from '../source/ui/text-fit.js';
import {keepCursorOnLastLine} from '../source/ui/frame-cursor-fix.js';

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
