/**
 * A process whose only pending work waits on a timer it does not own, for the
 * "no silent exit" tests. MJ_TUI_CHILD_CASE picks the case:
 * - `host-hold`: one transfer waits for a host held for 200 ms, nothing else
 *   keeps the loop alive; prints `acquired` once the hold ends.
 * - `drained`: a registered run waits on a promise nothing will settle, with
 *   the guard installed; the guard must report it and exit 70.
 */
import {HostGate} from '../../source/core/downloads/hosts.js';
import {beginPendingWork, guardAgainstSilentExit} from '../../source/core/pending-work.js';

const which = process.env.MJ_TUI_CHILD_CASE;
if (which === 'host-hold') {
	const gate = new HostGate(1);
	gate.hold('cdn.example', 200);
	const release = await gate.acquire('cdn.example', new AbortController().signal);
	process.stdout.write('acquired\n');
	release();
	gate.close();
} else if (which === 'drained') {
	guardAgainstSilentExit(process, process.stderr);
	beginPendingWork('the download phase', () => '3 done, 5 held by a host backing off');
	await new Promise(() => {});
}
