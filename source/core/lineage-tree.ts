/**
 * A job's whole family as one tree: from the root grid (the farthest ancestor,
 * archived or not) down through everything made from it. `mj-tui tree` prints
 * it; the details pane names relatives with relationOf(). Bad data can link
 * jobs in a cycle: each job appears once, and a link back to a job already in
 * the tree becomes a leaf marked as a cycle, so nothing loops.
 */
import {childrenByParent, type FamilyMember, type LineageQueries} from './archive/lineage.js';

/** One job in the tree, or the root's id when the archive lacks that job. */
export type FamilyNode =
	| {kind: 'job'; member: FamilyMember; children: FamilyNode[]}
	| {kind: 'missing'; id: string; children: FamilyNode[]}
	/** A parent link back to a job already in the tree (bad data); nothing hangs below it (children stays empty). */
	| {kind: 'cycle'; id: string; children: FamilyNode[]};

export interface FamilyTree {
	root: FamilyNode;
	/** Jobs in the tree (the missing root and cycle marks not counted). */
	size: number;
	/** Generations below the root, counting the root as 0. */
	depth: number;
}

/** The queries a tree is built from. */
export type LineageReader = Pick<LineageQueries, 'member' | 'ancestors' | 'descendantMembers'>;

/** The family of `jobId`, or undefined when the archive holds no such job. */
export function familyTree(lineage: LineageReader, jobId: string): FamilyTree | undefined {
	if (!lineage.member(jobId)) return undefined;
	const rootId = lineage.ancestors(jobId).at(-1)?.id ?? jobId;
	const rootMember = lineage.member(rootId);
	const byParent = childrenByParent(lineage.descendantMembers(rootId));
	const root: FamilyNode = rootMember ? {kind: 'job', member: rootMember, children: []} : {kind: 'missing', id: rootId, children: []};
	const placed = new Set([rootId]);
	let size = rootMember ? 1 : 0;
	let depth = 0;
	// Breadth first with an explicit queue: a family thousands of generations deep needs no call stack.
	const queue: Array<{node: FamilyNode; id: string; level: number}> = [{node: root, id: rootId, level: 0}];
	for (let head = 0; head < queue.length; head++) {
		const {node, id, level} = queue[head]!;
		for (const child of byParent.get(id) ?? []) {
			if (placed.has(child.id)) {
				node.children.push({kind: 'cycle', id: child.id, children: []});
				continue;
			}
			placed.add(child.id);
			const childNode: FamilyNode = {kind: 'job', member: child, children: []};
			node.children.push(childNode);
			queue.push({node: childNode, id: child.id, level: level + 1});
			size++;
			depth = Math.max(depth, level + 1);
		}
	}
	return {root, size, depth};
}

/** The id a node stands for. */
export function nodeId(node: FamilyNode): string {
	return node.kind === 'job' ? node.member.id : node.id;
}

/**
 * What a job is to its parent, in words: variation, upscale, pan, zoom, remix,
 * video, video extension, ... read from event_type and job_type (new types
 * keep appearing: an unknown one is shown as its event type). A job with no
 * parent is a grid (or a draft grid, a video).
 */
export function relationOf(member: Pick<FamilyMember, 'eventType' | 'jobType' | 'isVideo' | 'parentId'>): string {
	const event = member.eventType.toLowerCase();
	const type = member.jobType.toLowerCase();
	const has = (word: string) => new RegExp(`(^|[_\\s-])${word}`).test(event) || new RegExp(`(^|[_\\s-])${word}`).test(type);
	if (member.isVideo || event.startsWith('video') || type.startsWith('vid_')) {
		if (has('extend')) return 'video extension';
		return 'video';
	}
	if (has('upscale') || has('upsample')) return 'upscale';
	if (has('variation') || has('vary')) return 'variation';
	if (has('remix')) return 'remix';
	if (has('pan')) return 'pan';
	if (has('outpaint') || has('zoom')) return 'zoom';
	if (has('inpaint')) return 'vary region';
	if (member.parentId === null) return has('draft') ? 'draft grid' : 'grid';
	return toWords(member.eventType || member.jobType) || 'job';
}

/** `upscale of #1`: what a relative is, and which image of its parent it was made from when known. */
export function relativeKind(member: Pick<FamilyMember, 'eventType' | 'jobType' | 'isVideo' | 'parentId' | 'parentGrid'>): string {
	const relation = relationOf(member);
	return member.parentGrid === null || member.parentId === null ? relation : `${relation} of #${member.parentGrid}`;
}

function toWords(name: string): string {
	return name.replace(/_/g, ' ').trim();
}
