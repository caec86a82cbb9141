/**
 * The jobs filter and the one-line prompt that edits it (`f`): the filter the
 * table and search read, the prompt's text and error, and the commands that
 * open, apply, cancel and clear it.
 */
import {useMemo, useState} from 'react';
import type {Key} from 'ink';
import type {JobTypes} from '../../core/archive/job-types.js';
import type {JobFilter} from '../../core/job.js';
import {unmatchedTypesWarning} from '../../core/type-warning.js';
import {formatFilterText, parseFilterText} from '../jobs-table/filter-text.js';
import type {Command, CommandHandlers} from '../keys.js';
import {useSyncState} from '../use-sync-state.js';
import {editLine} from './line-editor.js';

export interface FilterPrompt {
	text: string;
	/** Why the typed line cannot be applied (shown instead of the hint). */
	error: string | null;
}

/**
 * The filter, the prompt (null when closed), and their command handlers; `info` tells the user what was applied,
 * and `jobTypes` lets it warn about a type no archived job has.
 */
export function useFilterPrompt(info: (text: string) => void, jobTypes?: Pick<JobTypes, 'unmatched' | 'all'>) {
	const [filter, setFilter] = useState<JobFilter>({});
	const [prompt, setPrompt, promptRef] = useSyncState<FilterPrompt | null>(null);

	return useMemo(() => {
		/** Keys of the jobs pane: open the prompt with the filter as it stands, or clear it. */
		const paneCommands: CommandHandlers = {
			filter: () => setPrompt({text: formatFilterText(filter), error: null}),
			'clear-filter'() {
				setFilter({});
				info('filter cleared');
			},
		};
		/** Keys while the prompt is open. */
		const promptCommands: CommandHandlers = {
			'filter-cancel': () => setPrompt(null),
			'filter-apply'() {
				const open = promptRef.current;
				if (!open) return;
				const parsed = parseFilterText(open.text);
				if ('error' in parsed) return setPrompt({...open, error: parsed.error});
				setFilter(parsed.filter);
				setPrompt(null);
				const applied = formatFilterText(parsed.filter);
				const warning = parsed.filter.types && jobTypes ? unmatchedTypesWarning(jobTypes, parsed.filter.types, 'type') : undefined;
				info(applied ? `filter: ${applied}${warning ? ` · ${warning}` : ''}` : 'filter cleared');
			},
		};
		/** Any other key while the prompt is open: edit the line. */
		const edit = (command: Command | undefined, input: string, key: Key) => {
			const open = promptRef.current;
			const text = open ? editLine(open.text, command, input, key) : undefined;
			if (text !== undefined) setPrompt({text, error: null});
		};
		return {filter, prompt, promptRef, paneCommands, promptCommands, edit};
	}, [filter, prompt, promptRef, setPrompt, info, jobTypes]);
}
