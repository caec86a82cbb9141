/**
 * One writer per archive. Two processes downloading into one archive would
 * fetch every file twice and leave `_2` copies and orphans; two syncing it
 * would interleave their walk state. So whatever writes (a batch's sync and
 * downloads, the interactive app's downloads and syncs, `verify --repair`,
 * `--urls`) first takes the archive's writer claim: a `meta` row naming the
 * process (pid, host), since when and what it is doing. A process takes it
 * once and shares it between its parts; a claim left by a process that no
 * longer runs on this host (or whose pid now belongs to a younger process) is
 * taken over. A process on another host (two machines mounting one archive)
 * cannot be checked, so the holder renews a heartbeat in its claim every
 * 30 s: another host's claim blocks while its heartbeat is fresh, and is
 * taken over once it is 2 minutes old.
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
	/** Epoch ms of the holder's last heartbeat (0 when an older mj-tui wrote it without). */
	beat: number;
}

/** How often a holder renews its heartbeat (MJ_TUI_CLAIM_BEAT_MS shortens it for tests), and when another host's claim counts as abandoned. */
const beatMs = Number(process.env.MJ_TUI_CLAIM_BEAT_MS) > 0 ? Number(process.env.MJ_TUI_CLAIM_BEAT_MS) : 30_000;
const foreignStaleMs = 4 * Math.max(beatMs, 30_000);

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
			beat: typeof holder.beat === 'number' ? holder.beat : 0,
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
 * A live holder that is not this process blocks a writer; a dead one does
 * not, nor a process that started after the claim was taken (the holder died
 * and its pid was reused, as happens in containers). Another host's holder
 * blocks while its heartbeat is fresh.
 */
function blocks(holder: ClaimHolder | undefined): holder is ClaimHolder {
	if (holder === undefined) return false;
	if (holder.host !== os.hostname()) return Math.abs(Date.now() - holder.beat) < foreignStaleMs;
	if (holder.pid === process.pid || !processAlive(holder.pid)) return false;
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

	/** The live process (not this one) that holds the claim now, if any: what would make this process wait. */
	otherWriter(): ClaimHolder | undefined {
		const current = this.holder();
		return blocks(current) ? current : undefined;
	}

	/** Take the claim for this process unless a live process holds it; returns that process then. Under the write lock, so two takers cannot both win. */
	tryTake(doing: string): ClaimHolder | undefined {
		return this.#db
			.transaction((): ClaimHolder | undefined => {
				const current = this.holder();
				if (blocks(current)) return current;
				const now = Date.now();
				this.#write({pid: process.pid, host: os.hostname(), since: now, doing, beat: now});
				return undefined;
			})
			.immediate();
	}

	/** Say what this process does with the claim now (shown to whoever waits for it). */
	describe(doing: string): void {
		const current = this.holder();
		if (current?.pid === process.pid && current.host === os.hostname()) this.#write({...current, doing});
	}

	/** Renew this process's heartbeat in its claim, so other hosts see it is alive. */
	renew(): void {
		const current = this.holder();
		if (current?.pid === process.pid && current.host === os.hostname()) this.#write({...current, beat: Date.now()});
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

/** Claims this process holds, by archive folder, with how many parts of it share each and the heartbeat timer. */
const heldHere = new Map<string, {claims: ArchiveClaims; users: number; heartbeat: NodeJS.Timeout}>();

/** Renew the claim's heartbeat until released; unref'd, as it is no work of its own. A failed write (busy, full disk) waits for the next beat. */
function startHeartbeat(claims: ArchiveClaims): NodeJS.Timeout {
	const timer = setInterval(() => {
		try {
			claims.renew();
		} catch {
			// The next beat tries again; a claim that stays unrenewed is at worst taken over by another host later.
		}
	}, beatMs);
	timer.unref();
	return timer;
}

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
	heldHere.set(archive.dir, {claims: archive.claims, users: 1, heartbeat: startHeartbeat(archive.claims)});
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
			clearInterval(entry.heartbeat);
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
	const stamp = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
	const since = holder.since > 0 ? `, since ${stamp(holder.since)}` : '';
	const elsewhere = holder.host === os.hostname() ? '' : ` It runs on another machine; its last heartbeat was at ${stamp(holder.beat)}, and its claim lapses ${foreignStaleMs / 60_000} minutes after the last one.`;
	return new MjError(
		`The archive ${dir} is in use by another mj-tui (process ${holder.pid} on ${holder.host}${since}, ${holder.doing}); two writers at once would download files twice.`,
		{
			exitCode: ExitCode.tempFailure,
			hint: `Wait for it to finish (or stop it with Ctrl-C) and run again; search, stats, export and verify without --repair work meanwhile.${elsewhere}`,
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
