/** The keys every list pane shares (j/k, PgDn/PgUp, g/G) as command handlers. */
import type {CommandHandlers} from './keys.js';

/** Handlers for a list: `move` by a number of rows, `page` says how many rows a page is right now. */
export function listCommands(move: (delta: number) => void, page: () => number, toFirst: () => void, toLast: () => void): CommandHandlers {
	return {
		down: () => move(1),
		up: () => move(-1),
		'page-down': () => move(page()),
		'page-up': () => move(-page()),
		first: toFirst,
		last: toLast,
	};
}
