/**
 * The frame's last line, by priority: the quitting note, an open question
 * (y/N), the filter prompt, a notice, else the focused place's key hints.
 */
import React from 'react';
import {Text} from 'ink';
import type {KeyScope} from '../keys.js';
import type {FilterPrompt} from '../prompt/use-filter-prompt.js';
import {fitStart} from '../text-fit.js';
import type {Theme} from '../theme.js';
import {Footer} from './footer.js';
import type {Confirmation, Notice} from './use-bottom-line.js';

export interface BottomLineProps {
	quitting: boolean;
	confirmation: Confirmation | null;
	filterPrompt: FilterPrompt | null;
	notice: Notice | null;
	/** Whose key hints the footer shows. */
	scope: KeyScope;
	width: number;
	theme: Theme;
}

export function BottomLine({quitting, confirmation, filterPrompt, notice, scope, width, theme}: BottomLineProps) {
	if (quitting) return <Text color={theme.warn}>Stopping transfers (partials kept)… q again quits at once.</Text>;
	if (confirmation) {
		return (
			<Text color={theme.warn} wrap="truncate-end">
				{`${confirmation.question} y/N  ${fitStart(confirmation.subject, width - confirmation.question.length - 6)}`}
			</Text>
		);
	}
	if (filterPrompt) {
		return (
			<Text wrap="truncate-end">
				<Text color={theme.accent}>filter: </Text>
				{filterPrompt.text}
				<Text inverse> </Text>
				{/* The error, if any, is in the status line above: a long typed line would cut it here. */}
				<Text color={theme.muted}>{`  ${filterPrompt.error ? 'Enter applies · Esc' : 'type: since: until: status: · Enter applies · Esc'}`}</Text>
			</Text>
		);
	}
	if (notice) {
		return (
			<Text color={notice.tone === 'error' ? theme.error : theme.accent} wrap="truncate-end">
				{notice.text}
			</Text>
		);
	}
	return <Footer scope={scope} width={width} theme={theme} />;
}
