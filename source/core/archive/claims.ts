/**
 * One writer per archive. Two processes downloading into one archive would
 * fetch every file twice and leave `_2` copies and orphans; two syncing it
 * would interleave their walk state. So whatever writes (a batch's sync and
 * downloads, the interactive app's downloads and syncs, `verify --repair`,
 * `--urls`) first takes the archive's writer claim: a `meta` row naming the
 * process (pid, host), since when and what it is doing. A process takes it
 * once and shares it between its parts; a claim left by a process that no
 * longer runs on this host (or whose pid now belongs to a younger process) is
 * taken over. (A claim written on another host cannot be checked and is taken
 * over too.)
 */
import fs from 'node:fs';
import os from 'node:os';
import {setTimeout as sleep} from 'node:timers/promises';
import type Database from 'better-sqlite3';
import {ExitCode, MjError} from '../errors.js';

/** Meta key of the writer claim (documented for people reading archive.db). */
export const writerClaimKey = 'archive.writer';

/** Who holds an archive's writer claim. */
export interface ClaimHolder {
	pid: number;
	host: string;
	/** Epoch ms when the claim was taken (0 when an older mj-tui wrote it without). */
	since: number;
	/** What the holder is doing, e.g. "downloading files". */
	doing: string;
}

/** True when a process with this pid exists on this host. */
export function processAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		// EPERM: it exists but belongs to someone else.
		return (error as {code?: string}).code === 'EPERM';
	}
}

function parseHolder(value: string | undefined): ClaimHolder | undefined {
	try {
		const holder = JSON.parse(value ?? 'null') as Partial<Record<keyof ClaimHolder, unknown>> | null;
		if (!holder || typeof holder.pid !== 'number' || typeof holder.host !== 'string') return undefined;
		return {
			pid: holder.pid,
			host: holder.host,
			since: typeof holder.since === 'number' ? holder.since : 0,
			doing: typeof holder.doing === 'string' ? holder.doing : 'writing',
		};
	} catch {
		return undefined;
	}
}

/** Linux's clock ticks per second in /proc (USER_HZ, 100 on every common architecture). */
const userHz = 100;

/** When a process started (epoch ms), where the system tells (Linux /proc); undefined elsewhere. */
function processStartedAt(pid: number): number | undefined {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		// The command name (field 2) may hold spaces and parentheses; field 22, the start in ticks after boot, is the 20th after it.
		const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
		const bootSeconds = Number(/^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'))?.[1]);
		return Number.isFinite(ticks) && Number.isFinite(bootSeconds) ? (bootSeconds + ticks / userHz) * 1000 : undefined;
	} catch {
		return undefined;
	}
}

/** Slack for the boot time's whole seconds and the tick rounding. */
const startTimeSlackMs = 2000;

/**
 * A live holder that is not this process blocks a writer; a dead or
 * foreign-host one does not, nor a process that started after the claim was
 * taken (the holder died and its pid was reused, as happens in containers).
 */
function blocks(holder: ClaimHolder | undefined): holder is ClaimHolder {
	if (holder === undefined || holder.host !== os.hostname() || holder.pid === process.pid || !processAlive(holder.pid)) return false;
	const startedAt = holder.since > 0 ? processStartedAt(holder.pid) : undefined;
	return startedAt === undefined || startedAt <= holder.since + startTimeSlackMs;
}

/** The claim's row in `meta`: read, take, describe, release. */
export class ArchiveClaims {
	readonly #db: Database.Database;

	constructor(db: Database.Database) {
		this.#db = db;
	}

	/** The recorded holder, live or not. */
	holder(): ClaimHolder | undefined {
		return parseHolder(this.#db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(writerClaimKey) as string | undefined);
	}

	/** Take the claim for this process unless a live process holds it; returns that process then. Under the write lock, so two takers cannot both win. */
	tryTake(doing: string): ClaimHolder | undefined {
		return this.#db
			.transaction((): ClaimHolder | undefined => {
				const current = this.holder();
				if (blocks(current)) return current;
				this.#write({pid: process.pid, host: os.hostname(), since: Date.now(), doing});
				return undefined;
			})
			.immediate();
	}

	/** Say what this process does with the claim now (shown to whoever waits for it). */
	describe(doing: string): void {
		const current = this.holder();
		if (current?.pid === process.pid && current.host === os.hostname()) this.#write({...current, doing});
	}

	/** Give the claim up, if this process holds it. */
	release(): void {
		this.#db.transaction(() => {
			const current = this.holder();
			if (current?.pid === process.pid && current.host === os.hostname()) this.#db.prepare('DELETE FROM meta WHERE key = ?').run(writerClaimKey);
		})();
	}

	#write(holder: ClaimHolder): void {
		this.#db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(writerClaimKey, JSON.stringify(holder));
	}
}

/** This process's hold on one archive; release() once per claimArchive(). */
export interface WriterClaim {
	/** Say what the process is doing now. */
	describe(doing: string): void;
	release(): void;
}

/** Claims this process holds, by archive folder, with how many parts of it share each. */
const heldHere = new Map<string, {claims: ArchiveClaims; users: number}>();

/** How long a second writer waits for the claim before giving up, and how often it looks. */
export const claimWaitMs = 3000;
const claimPollMs = 200;

/** Take the claim (or share this process's), or name the live process that holds it. */
function attempt(archive: {claims: ArchiveClaims; dir: string}, doing: string): WriterClaim | ClaimHolder {
	const shared = heldHere.get(archive.dir);
	if (shared) {
		shared.users++;
		shared.claims.describe(doing);
		return handle(archive.dir, shared.claims);
	}
	const holder = archive.claims.tryTake(doing);
	if (holder) return holder;
	heldHere.set(archive.dir, {claims: archive.claims, users: 1});
	return handle(archive.dir, archive.claims);
}

function isHolder(result: WriterClaim | ClaimHolder): result is ClaimHolder {
	return 'pid' in result;
}

/** Take the archive's writer claim (or share this process's) at once; throws the exit-75 error naming the holder. */
export function claimArchiveNow(archive: {claims: ArchiveClaims; dir: string}, doing: string): WriterClaim {
	const result = attempt(archive, doing);
	if (isHolder(result)) throw heldError(archive.dir, result);
	return result;
}

/**
 * Take the archive's writer claim, or share it when this process holds it
 * already. While another live process holds it, look again every 200 ms for
 * `waitMs`; then fail with exit 75 naming the holder.
 */
export async function claimArchive(
	archive: {claims: ArchiveClaims; dir: string},
	doing: string,
	options: {waitMs?: number; signal?: AbortSignal} = {},
): Promise<WriterClaim> {
	const deadline = Date.now() + (options.waitMs ?? claimWaitMs);
	for (;;) {
		options.signal?.throwIfAborted();
		const result = attempt(archive, doing);
		if (!isHolder(result)) return result;
		if (Date.now() >= deadline) throw heldError(archive.dir, result);
		await sleep(claimPollMs, undefined, {signal: options.signal});
	}
}

function handle(dir: string, claims: ArchiveClaims): WriterClaim {
	let released = false;
	return {
		describe: doing => claims.describe(doing),
		release() {
			if (released) return;
			released = true;
			const entry = heldHere.get(dir);
			if (!entry || --entry.users > 0) return;
			heldHere.delete(dir);
			try {
				claims.release();
			} catch {
				// A closed database: the claim names this process, which is ending; the next taker sees it gone.
			}
		},
	};
}

/** The exit-75 error for a held archive: who, where, since when, doing what. */
export function heldError(dir: string, holder: ClaimHolder): MjError {
	const since = holder.since > 0 ? `, since ${new Date(holder.since).toISOString().replace(/\.\d+Z$/, 'Z')}` : '';
	return new MjError(
		`The archive ${dir} is in use by another mj-tui (process ${holder.pid} on ${holder.host}${since}, ${holder.doing}); two writers at once would download files twice.`,
		{
			exitCode: ExitCode.tempFailure,
			hint: 'Wait for it to finish (or stop it with Ctrl-C) and run again; search, stats, export and verify without --repair work meanwhile.',
		},
	);
}

/** Run `work` holding the archive's writer claim (waiting briefly for it, exit 75 if another process keeps it). */
export async function withArchiveClaim<T>(archive: {claims: ArchiveClaims; dir: string}, doing: string, signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
	const claim = await claimArchive(archive, doing, {signal});
	try {
		return await work();
	} finally {
		claim.release();
	}
}
