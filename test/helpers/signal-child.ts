/**
 * A run whose clean stop never finishes, for the signal tests: it hooks
 * SIGINT/SIGTERM like the bin does, says when the signal was aborted, and
 * then keeps the process alive as a stuck download would.
 */
import {abortOnSignals} from '../../source/cli/signals.js';

const controller = new AbortController();
abortOnSignals(controller, process.stderr);
controller.signal.addEventListener('abort', () => process.stdout.write('aborted\n'));
setInterval(() => undefined, 1000);
process.stdout.write('ready\n');
