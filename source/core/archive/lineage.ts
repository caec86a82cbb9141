/**
 * A job's family by parent_id: its ancestors up to the root grid and every
 * job made from it (upscales, variations, pans, videos, and theirs in turn).
 * Serves the details pane's Family section, `mj-tui tree` and the MCP
 * server's `job_family` tool. Bad data may hold cycles (a job its own
 * ancestor): every walk here ends anyway, and no family is cut at a depth.
 */
import type Database from 'better-sqlite3';
import {StatementCache} from './statements.js';

/** One relative of a job: which job, made from which, and how far away. */
export interface Relative {
	id: string;
	parentId: string | null;
	/** The parent's grid image this job was made from (0-3), when known. */
	parentGrid: number | null;
	/** Steps from the job asked about: 1 for its parent or its children, 2 for the next, ... */
	depth: number;
}

/** What a family listing shows of one archived job. */
export interface FamilyMember {
	id: string;
	parentId: string | null;
	parentGrid: number | null;
	jobType: string;
	eventType: string;
	/** Epoch ms; null when the API sent no time. */
	enqueuedAt: number | null;
	/** The prompt's start (enough for one line), as stored: callers strip terminal controls. */
	prompt: string;
	isVideo: boolean;
}

/** Characters of a prompt a family line can show; the rest stays in the archive. */
const promptStartLength = 200;

const memberColumns = `j.id AS id, j.parent_id AS parentId, j.parent_grid AS parentGrid, j.job_type AS jobType, j.event_type AS eventType,
	j.enqueued_at AS enqueuedAt, substr(j.prompt, 1, ${promptStartLength}) AS prompt, j.is_video AS isVideo`;

type MemberRow = Omit<FamilyMember, 'isVideo'> & {isVideo: number};

function memberFromRow(row: MemberRow): FamilyMember {
	return {...row, isVideo: row.isVideo === 1};
}

export class LineageQueries {
	readonly #statements: StatementCache;

	constructor(db: Database.Database) {
		this.#statements = new StatementCache(db);
	}

	/** One archived job as a family line shows it, or undefined when the archive lacks it. */
	member(jobId: string): FamilyMember | undefined {
		const row = this.#statements.get(`SELECT ${memberColumns} FROM jobs j WHERE j.id = ?`).get(jobId) as MemberRow | undefined;
		return row && memberFromRow(row);
	}

	/** The jobs made directly from this one, oldest first (jobs without a time last). */
	children(jobId: string): FamilyMember[] {
		const rows = this.#statements
			.get(`SELECT ${memberColumns} FROM jobs j WHERE j.parent_id = ? ORDER BY j.enqueued_at IS NULL, j.enqueued_at, j.id`)
			.all(jobId) as MemberRow[];
		return rows.map(memberFromRow);
	}

	/**
	 * Every job descended from this one, in no particular order. The recursion
	 * unions on the id alone, so a cycle adds each job once and then ends (a job
	 * in a cycle is listed among its own descendants). CROSS JOIN keeps the few
	 * relatives as the outer loop (the planner otherwise scans every job);
	 * jobs_by_parent (migration 4) answers each generation.
	 */
	descendantMembers(jobId: string): FamilyMember[] {
		const rows = this.#statements
			.get(
				`WITH RECURSIVE down(id) AS (
					SELECT id FROM jobs WHERE parent_id = ?
					UNION
					SELECT j.id FROM down CROSS JOIN jobs j ON j.parent_id = down.id
				)
				SELECT ${memberColumns} FROM down CROSS JOIN jobs j ON j.id = down.id`,
			)
			.all(jobId) as MemberRow[];
		return rows.map(memberFromRow);
	}

	/**
	 * The job's ancestors, nearest first (parent, grandparent, ..., the root).
	 * A parent that was never archived still appears (its id is known), as the
	 * last one. A cycle ends the walk at the first job seen twice.
	 */
	ancestors(jobId: string): Relative[] {
		const parentOf = this.#statements.get('SELECT parent_id AS parentId, parent_grid AS parentGrid FROM jobs WHERE id = ?');
		const found: Relative[] = [];
		const seen = new Set([jobId]);
		let next = (parentOf.get(jobId) as {parentId: string | null} | undefined)?.parentId ?? null;
		while (next !== null && !seen.has(next)) {
			seen.add(next);
			const row = parentOf.get(next) as {parentId: string | null; parentGrid: number | null} | undefined;
			found.push({id: next, parentId: row?.parentId ?? null, parentGrid: row?.parentGrid ?? null, depth: found.length + 1});
			next = row?.parentId ?? null;
		}
		return found;
	}

	/** Every job descended from this one, nearest generation first, then oldest first within a generation. */
	descendants(jobId: string): Relative[] {
		const byParent = childrenByParent(this.descendantMembers(jobId));
		const found: Relative[] = [];
		const seen = new Set([jobId]);
		for (let generation = [jobId], depth = 1; generation.length > 0; depth++) {
			const next: string[] = [];
			for (const parent of generation) {
				for (const child of byParent.get(parent) ?? []) {
					if (seen.has(child.id)) continue;
					seen.add(child.id);
					found.push({id: child.id, parentId: child.parentId, parentGrid: child.parentGrid, depth});
					next.push(child.id);
				}
			}
			generation = next;
		}
		return found;
	}
}

/** Members grouped by their parent's id, each group oldest first (undated last, then by id). */
export function childrenByParent(members: readonly FamilyMember[]): Map<string, FamilyMember[]> {
	const groups = new Map<string, FamilyMember[]>();
	for (const member of members) {
		if (member.parentId === null) continue;
		const group = groups.get(member.parentId);
		if (group) group.push(member);
		else groups.set(member.parentId, [member]);
	}
	for (const group of groups.values()) group.sort(olderFirst);
	return groups;
}

function olderFirst(a: FamilyMember, b: FamilyMember): number {
	if (a.enqueuedAt !== b.enqueuedAt) {
		if (a.enqueuedAt === null) return 1;
		if (b.enqueuedAt === null) return -1;
		return a.enqueuedAt - b.enqueuedAt;
	}
	return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
