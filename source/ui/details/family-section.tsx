/**
 * The lines of the details pane's Family section: a heading, then the parent
 * (`↑`, the grid and image the job came from, or its id and "not in archive")
 * and each child (`↓`: what it is, when, the prompt's start). Each line is
 * one row; network text is made single-line and fitted before Ink sees it.
 */
import React from 'react';
import {Text} from 'ink';
import {relationOf, relativeKind} from '../../core/lineage-tree.js';
import {toSingleLine} from '../../core/terminal-text.js';
import {formatJobDate} from '../jobs-table/job-columns.js';
import {fitEnd} from '../text-fit.js';
import type {Theme} from '../theme.js';
import type {FamilyLine} from './use-family.js';

/** The section's heading: how many relatives (or that there are none), and the keys that go to them. */
export function FamilyHeading({lines, width, theme}: {lines: readonly FamilyLine[]; width: number; theme: Theme}) {
	const children = lines.filter((line) => line.role === 'child').length;
	const hasParent = lines.some((line) => line.role === 'parent');
	const counts = [hasParent ? 'parent' : 'no parent', children === 0 ? 'nothing made from it' : `${children} made from it`].join(', ');
	const keys = lines.length === 0 ? '' : hasParent ? ' · Enter goes to one, u to the parent' : ' · Enter goes to one';
	const summary = `${counts})${keys}`;
	return (
		<Text wrap="truncate-end">
			<Text bold>Family</Text>
			<Text color={theme.muted}>{fitEnd(` (${summary}`, Math.max(0, width - 6))}</Text>
		</Text>
	);
}

/** What a family line says after its arrow. */
export function familyLineText(line: FamilyLine): string {
	if (line.role === 'parent') {
		const image = line.fromImage === null ? '' : ` · image #${line.fromImage}`;
		if (!line.member) return `parent ${toSingleLine(line.id)}${image} · not in archive`;
		return `parent: ${relationOf(line.member)} · ${formatJobDate(line.member.enqueuedAt)}${image} · ${toSingleLine(line.member.prompt) || toSingleLine(line.id)}`;
	}
	const {member} = line;
	return `${relativeKind(member)} · ${formatJobDate(member.enqueuedAt)} · ${toSingleLine(member.prompt) || toSingleLine(member.id)}`;
}

/** One relative: `› ↑ parent: grid · 2026-01-27 10:58 · image #2 · a lighthouse…`. */
export function FamilyRow({line, selected, focused, width, theme}: {line: FamilyLine; selected: boolean; focused: boolean; width: number; theme: Theme}) {
	const missing = line.role === 'parent' && !line.member;
	const text = `${selected ? '› ' : '  '}${line.role === 'parent' ? '↑' : '↓'} ${familyLineText(line)}`;
	return (
		<Text wrap="truncate-end" inverse={selected && focused} color={missing ? theme.warn : undefined}>
			{fitEnd(text, width)}
		</Text>
	);
}
