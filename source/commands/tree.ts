/**
 * `mj-tui tree <job-id> [--json]`: a job's whole family, from the root grid
 * down through every variation, upscale, pan, zoom, remix and video made from
 * it, with each job's kind, date, type and the start of its prompt. Text is
 * a box-drawing tree; `--json` prints the same tree nested, on one line.
 */
import type {FlagDefinitions} from '../args/flags.js';
import {ExitCode, MjError} from '../core/errors.js';
import {familyTree, nodeId, relationOf, relativeKind, type FamilyNode} from '../core/lineage-tree.js';
import {toSingleLine} from '../core/terminal-text.js';
import {openArchive, parseCommandArgs, wantsJson, writeLine} from './shared.js';
import type {Command} from './types.js';

const treeFlags = {} as const satisfies FlagDefinitions;

const help = `Usage: mj-tui tree <job-id> [flags]

The job's whole family: its ancestors up to the root grid and every job made
from them (variations, upscales, pans, zooms, remixes, videos), each with its
kind, date (UTC), job type, id and the start of its prompt. The job asked
about is marked ◀.

Flags:
  --json           the tree as one nested JSON object
  --archive <dir>  the archive folder`;

/** Characters of the prompt a line shows when the output is not a terminal. */
const pipedPromptLength = 60;

function formatDate(epochMs: number | null): string {
	return epochMs === null ? 'no date' : new Date(epochMs).toISOString().slice(0, 16).replace('T', ' ');
}

/** One node's line without the tree prefix, fitting `room` characters (undefined: not a terminal, the prompt is cut short). */
function nodeLine(node: FamilyNode, asked: string, room: number | undefined): string {
	if (node.kind === 'missing') return `${toSingleLine(node.id)} · not in archive`;
	if (node.kind === 'cycle') return `↺ ${toSingleLine(node.id)} · cycle: made from a job above it`;
	const {member} = node;
	const head = `${relativeKind(member)} · ${formatDate(member.enqueuedAt)} · ${toSingleLine(member.jobType) || '-'} · ${toSingleLine(member.id)}${member.id === asked ? ' ◀' : ''}`;
	const prompt = toSingleLine(member.prompt);
	if (!prompt) return head;
	const promptRoom = room === undefined ? pipedPromptLength : Math.max(20, room - head.length - 3);
	return `${head} · ${prompt.length > promptRoom ? `${prompt.slice(0, promptRoom - 1)}…` : prompt}`;
}

/** Generations drawn with their own indentation; deeper ones keep that indentation and carry their number. */
const indentedGenerations = 24;

/**
 * The tree as text lines: `├─ `, `└─ ` and `│  ` show who was made from whom.
 * Iterative, and past 24 generations a line says its generation (`[25] └─ `)
 * instead of indenting further, so a chain thousands deep prints in linear space.
 */
export function treeLines(root: FamilyNode, asked: string, columns: number | undefined): string[] {
	const lines: string[] = [];
	const stack: Array<{node: FamilyNode; prefix: string; branch: string; level: number}> = [{node: root, prefix: '', branch: '', level: 0}];
	while (stack.length > 0) {
		const {node, prefix, branch, level} = stack.pop()!;
		const lead = `${prefix}${level > indentedGenerations ? `[${level}] ` : ''}${branch}`;
		lines.push(`${lead}${nodeLine(node, asked, columns === undefined ? undefined : columns - [...lead].length)}`);
		const below = branch === '' || level >= indentedGenerations ? prefix : `${prefix}${branch === '└─ ' ? '   ' : '│  '}`;
		for (let index = node.children.length - 1; index >= 0; index--) {
			stack.push({node: node.children[index]!, prefix: below, branch: index === node.children.length - 1 ? '└─ ' : '├─ ', level: level + 1});
		}
	}
	return lines;
}

/** A node's own fields as JSON (its children are written after them). */
function nodeFields(node: FamilyNode, asked: string): Record<string, unknown> {
	if (node.kind === 'missing') return {id: node.id, archived: false};
	if (node.kind === 'cycle') return {id: node.id, cycle: true};
	const {member} = node;
	return {
		id: member.id,
		archived: true,
		...(member.id === asked ? {asked: true} : {}),
		kind: relationOf(member),
		job_type: member.jobType,
		event_type: member.eventType,
		enqueued_at: member.enqueuedAt === null ? null : new Date(member.enqueuedAt).toISOString(),
		parent_id: member.parentId,
		parent_grid: member.parentGrid,
		prompt: member.prompt,
	};
}

/**
 * The tree as nested JSON text: `{...fields, "children": [...]}` per node.
 * Written with an explicit stack, not JSON.stringify of nested objects, which
 * runs out of call stack near 3,000 generations.
 */
export function treeJsonText(root: FamilyNode, asked: string): string {
	const parts: string[] = [];
	const stack: Array<FamilyNode | string> = [root];
	while (stack.length > 0) {
		const next = stack.pop()!;
		if (typeof next === 'string') {
			parts.push(next);
			continue;
		}
		parts.push(`${JSON.stringify(nodeFields(next, asked)).slice(0, -1)},"children":[`);
		stack.push(']}');
		for (let index = next.children.length - 1; index >= 0; index--) {
			stack.push(next.children[index]!);
			if (index > 0) stack.push(',');
		}
	}
	return parts.join('');
}

export const treeCommand: Command = {
	name: 'tree',
	summary: 'A job\'s whole family as a tree: ancestors up to the root grid, every variation, upscale, pan and video made from them',
	flags: treeFlags,
	async run(context) {
		const {flags, input} = parseCommandArgs('tree', context.argv, treeFlags);
		if (flags.help) {
			await writeLine(context, help);
			return ExitCode.ok;
		}
		if (input.length !== 1 || !input[0]!.trim()) {
			throw new MjError(`mj-tui tree: expected one job id, got ${input.length === 0 ? 'none' : input.length}`, {exitCode: ExitCode.usage, hint: 'e.g. mj-tui tree 0a1b2c3d-…; mj-tui search <words> shows job ids'});
		}
		const asked = input[0]!.trim();
		const store = openArchive(context, flags, {readonly: true});
		try {
			const tree = familyTree(store.lineage, asked);
			if (!tree) {
				throw new MjError(`no job ${JSON.stringify(toSingleLine(asked))} in the archive at ${store.dir}`, {
					exitCode: ExitCode.dataError,
					hint: 'Job ids are the UUIDs `mj-tui search <words>` prints; sync first if the job is new.',
				});
			}
			if (wantsJson(context.config, flags)) {
				const summary = JSON.stringify({job: asked, root: nodeId(tree.root), jobs: tree.size, generations: tree.depth + 1});
				await writeLine(context, `${summary.slice(0, -1)},"tree":${treeJsonText(tree.root, asked)}}`);
				return ExitCode.ok;
			}
			const columns = context.io.stdout.isTTY ? context.io.stdout.columns : undefined;
			for (const line of treeLines(tree.root, asked, columns)) await writeLine(context, line);
			context.io.stderr.write(`${tree.size.toLocaleString('en-US')} job${tree.size === 1 ? '' : 's'} in ${tree.depth + 1} generation${tree.depth === 0 ? '' : 's'}\n`);
			return ExitCode.ok;
		} finally {
			store.close();
		}
	},
};

export default treeCommand;
