/**
 * The checks of `mj-tui doctor`, in the order a run needs them: config,
 * credentials, token (with a real refresh), account, the API through the
 * direct and the browser route, one listing page, one CDN file, the likes
 * route (`--likes`), disk space, the archive. Each says ok / warning / problem with the fix; a problem
 * carries the sysexits code a sync or download would have died with. No
 * text here ever holds a secret: everything passes through redact().
 */
import fs from 'node:fs';
import path from 'node:path';
import {request} from 'undici';
import {checkArchiveHealth} from '../core/archive/health.js';
import {jobRowFromApi} from '../core/archive/job-rows.js';
import type {Config} from '../core/config/config.js';
import {configProvenance, describeOrigin} from '../core/config/load.js';
import {acceptedKinds, detectContentKind} from '../core/downloads/content-check.js';
import {cookieAllowed, resolveFileUrl} from '../core/downloads/cdn-url.js';
import {filesOfJob} from '../core/downloads/plan.js';
import {ExitCode, MjError} from '../core/errors.js';
import type {ImagineListPage} from '../core/job.js';
import {openApiSession, withSavedTokens, type ApiSession} from '../core/midjourney/api-session.js';
import {freshTokenHint, parseCookieHeader, refreshCookieName, tokenCookieName} from '../core/midjourney/auth.js';
import {findBrowserOnPath, installBrowserHint, resolveBrowser} from '../core/midjourney/browser/find.js';
import {isCloudflareChallenge} from '../core/midjourney/cloudflare.js';
import {surveyPage} from '../core/midjourney/page-survey.js';
import {storableJobs} from '../core/midjourney/validate.js';
import {redact} from '../core/secrets.js';
import {toSingleLine} from '../core/terminal-text.js';
import {formatBytes} from '../core/units.js';

export type CheckStatus = 'ok' | 'warning' | 'problem' | 'skipped';

export interface DoctorCheck {
	step: string;
	status: CheckStatus;
	detail: string;
	fix?: string;
	/** For a problem: the exit code sync or download would end with. */
	exitCode?: number;
}

/** Below this much free space at the archive downloads soon fail; below the warning level, say so. */
const diskProblemBytes = 256 * 1024 ** 2;
const diskWarningBytes = 5 * 1024 ** 3;

function clean(text: string): string {
	return toSingleLine(redact(text));
}

function problemOf(step: string, error: unknown, fix?: string): DoctorCheck {
	if (error instanceof MjError) return {step, status: 'problem', detail: clean(error.message), fix: clean(fix ?? error.hint ?? ''), exitCode: error.exitCode};
	return {step, status: 'problem', detail: clean(String((error as Error)?.message ?? error)), exitCode: ExitCode.software};
}

function minutes(ms: number): string {
	const abs = Math.abs(ms);
	if (abs < 90 * 60_000) return `${Math.round(abs / 60_000)} min`;
	if (abs < 48 * 3_600_000) return `${Math.round(abs / 3_600_000)} h`;
	return `${Math.round(abs / 86_400_000)} days`;
}

/** Where a secret came from, without its value. */
function originOf(config: Config, key: 'token' | 'refreshToken' | 'cookie'): string {
	const provenance = configProvenance(config);
	return provenance && !(provenance instanceof MjError) ? describeOrigin(provenance.origins[key]) : 'config';
}

/** One route's attempt at a listing page. */
interface RouteResult {
	route: 'direct' | 'browser';
	page?: ImagineListPage;
	error?: unknown;
	session?: ApiSession;
}

/** Run every check; `signal` stops between steps. The sessions opened are closed before returning. */
export async function runDoctorChecks(config: Config, env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<DoctorCheck[]> {
	const checks: DoctorCheck[] = [];
	const sessions: ApiSession[] = [];
	try {
		const configured = configCheck(config);
		checks.push(configured);
		// With the config unreadable, the URLs are only defaults: contact nothing on their word.
		if (configured.status === 'problem') return checks;
		const saved = withSavedTokens(config, env);
		const credentials = credentialsCheck(config, saved.config, saved.usedSaved ? saved.tokens.file : undefined);
		checks.push(credentials);
		if (credentials.status === 'problem') return checks;

		const direct = await openApiSession({...config, transport: 'direct'}, {env});
		sessions.push(direct);
		checks.push(await tokenCheck(direct, saved.tokens.file, signal));
		try {
			checks.push({step: 'account', status: 'ok', detail: `account id ${direct.client.userId()}`});
		} catch (error) {
			checks.push(problemOf('account', error));
			return checks;
		}

		const routes: RouteResult[] = [await listVia('direct', direct, signal)];
		const browserRoute = await browserAttempt(config, env, signal);
		if (browserRoute.session) sessions.push(browserRoute.session);
		routes.push(browserRoute);
		checks.push(...routeChecks(config, routes));

		const working = routes.find(route => route.route === config.transport && route.page) ?? routes.find(route => route.page);
		checks.push(listingCheck(routes.find(route => route.route === config.transport)!, working));
		checks.push(working?.page ? await cdnCheck(working, config, signal) : {step: 'cdn file', status: 'skipped', detail: 'no listing page to take a file from'});
		if (working?.session) checks.push(await likesCheck(working.session, config, signal));
	} finally {
		for (const session of sessions) await session.close().catch(() => {});
	}
	return checks;
}

/** The checks that need no network: disk and archive. Run after the others, or alone. */
export function localChecks(config: Config): DoctorCheck[] {
	return [diskCheck(config.archive), archiveCheck(config.archive)];
}

function configCheck(config: Config): DoctorCheck {
	const provenance = configProvenance(config);
	if (provenance instanceof MjError) return problemOf('config', provenance);
	const files = provenance?.files ?? [];
	const where = files.length > 0 ? `read ${files.join(', ')}` : 'no config file (defaults, MJ_TUI_* and flags)';
	const warnings = provenance?.warnings ?? [];
	if (warnings.length > 0) return {step: 'config', status: 'warning', detail: clean(`${where}; ${warnings.join('; ')}`)};
	return {step: 'config', status: 'ok', detail: clean(where)};
}

function credentialsCheck(config: Config, effective: Config, savedFile: string | undefined): DoctorCheck {
	const pasted = effective.cookie ? parseCookieHeader(effective.cookie) : {};
	const token = effective.token || pasted[tokenCookieName];
	const refresh = effective.refreshToken || pasted[refreshCookieName];
	if (!token && !refresh) {
		return {step: 'credentials', status: 'problem', detail: 'no token, refresh token or cookie is configured, and no saved session', fix: freshTokenHint, exitCode: ExitCode.auth};
	}
	const parts: string[] = [];
	if (savedFile) parts.push(`the session saved in ${savedFile}`);
	else {
		if (config.token) parts.push(`token (${originOf(config, 'token')})`);
		if (config.refreshToken) parts.push(`refresh token (${originOf(config, 'refreshToken')})`);
		if (config.cookie) parts.push(`cookie header (${originOf(config, 'cookie')}${pasted.cf_clearance ? ', with cf_clearance' : ''})`);
	}
	return {step: 'credentials', status: 'ok', detail: clean(parts.join(', '))};
}

async function tokenCheck(session: ApiSession, stateFile: string, signal: AbortSignal): Promise<DoctorCheck> {
	const {client} = session;
	const before = client.tokenClaims().expiresAt;
	const state = before === undefined ? 'no token yet' : before > Date.now() ? `valid for ${minutes(before - Date.now())}` : `expired ${minutes(Date.now() - before)} ago`;
	if (!client.canRefresh()) {
		if (before !== undefined && before <= Date.now()) {
			return {step: 'token', status: 'problem', detail: `the token ${state}, and there is no refresh token to renew it`, fix: freshTokenHint, exitCode: ExitCode.auth};
		}
		return {step: 'token', status: 'warning', detail: `${state}; no refresh token, so runs after that fail`, fix: 'Run `mj-tui login`, or configure the refresh token too (MJ_TUI_REFRESH_TOKEN), so runs renew the token by themselves.'};
	}
	try {
		await client.refreshNow(signal);
	} catch (error) {
		return problemOf('token', error);
	}
	const after = client.tokenClaims().expiresAt;
	return {step: 'token', status: 'ok', detail: `${state}; a real refresh worked (new token valid for ${after ? minutes(after - Date.now()) : '?'}, kept in ${stateFile})`};
}

async function listVia(route: 'direct' | 'browser', session: ApiSession, signal: AbortSignal): Promise<RouteResult> {
	try {
		return {route, session, page: await session.client.listPage({pageSize: 10, page: 1, signal})};
	} catch (error) {
		return {route, session, error};
	}
}

async function browserAttempt(config: Config, env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<RouteResult> {
	let executable: string | undefined;
	try {
		executable = config.browser ? resolveBrowser(config.browser, env) : findBrowserOnPath(env);
	} catch (error) {
		return {route: 'browser', error};
	}
	if (!executable) return {route: 'browser'};
	let session: ApiSession;
	try {
		session = await openApiSession({...config, transport: 'browser', browser: executable}, {env});
	} catch (error) {
		return {route: 'browser', error};
	}
	return listVia('browser', session, signal);
}

function isChallenge(error: unknown): boolean {
	return error instanceof MjError && error.exitCode === ExitCode.unavailable && /Just a moment/.test(error.message);
}

/** One line per route: status and challenge; a failure of the route in use blocks, of the other only warns. */
function routeChecks(config: Config, routes: RouteResult[]): DoctorCheck[] {
	return routes.map(result => {
		const step = `api (${result.route})`;
		const inUse = result.route === config.transport;
		if (result.page) return {step, status: 'ok', detail: `HTTP 200, ${result.page.data.length} jobs on the first page${inUse ? ' (the route in use)' : ''}`};
		if (!result.error) {
			return {step, status: inUse ? 'problem' : 'skipped', detail: 'no Chrome/Chromium found on PATH', fix: installBrowserHint, ...(inUse ? {exitCode: ExitCode.unavailable} : {})};
		}
		const check = problemOf(step, result.error);
		if (isChallenge(result.error)) check.detail = `Cloudflare's "Just a moment..." challenge: ${check.detail}`;
		const other = routes.find(route => route !== result && route.page);
		if (inUse && other) check.fix = `The ${other.route} route works here: run with --transport ${other.route} (config \`transport: ${other.route}\`).`;
		if (!inUse) return {...check, status: 'warning' as const, exitCode: undefined};
		return check;
	});
}

function listingCheck(inUse: RouteResult, working: RouteResult | undefined): DoctorCheck {
	const page = working?.page;
	if (!page) {
		const malformed = [inUse, working].find(route => route?.error instanceof MjError && route.error.exitCode === ExitCode.dataError);
		if (malformed) return problemOf('listing page', malformed.error);
		return {step: 'listing page', status: 'skipped', detail: 'no route returned a listing page'};
	}
	const survey = surveyPage(page);
	const unknown = Object.entries(survey.unknownFields).sort(([, a], [, b]) => b - a);
	const detail = `${survey.jobs} jobs valid; ${unknown.length} unknown field${unknown.length === 1 ? '' : 's'}${unknown.length ? ` (${unknown.slice(0, 6).map(([name, count]) => `${name} ×${count}`).join(', ')})` : ''}; ${survey.oddJobs} odd job${survey.oddJobs === 1 ? '' : 's'}${survey.oddities.length ? ` (${survey.oddities.join('; ')})` : ''}`;
	if (unknown.length === 0 && survey.oddJobs === 0) return {step: 'listing page', status: 'ok', detail: clean(detail)};
	return {step: 'listing page', status: 'warning', detail: clean(detail), fix: 'The site changed its format a little: mj-tui keeps unknown fields in the raw JSON; if jobs go missing, please report it.'};
}

/**
 * The likes route (`--likes`): known from public clients, not an official API, so doctor says whether it
 * answered and in what shape. Blocking only when `likes` is on; otherwise a failure is a warning.
 */
async function likesCheck(session: ApiSession, config: Config, signal: AbortSignal): Promise<DoctorCheck> {
	const step = 'likes page';
	let page: ImagineListPage;
	try {
		page = await session.client.likesPage({page: 1, signal});
	} catch (error) {
		const check = problemOf(step, error, config.likes ? undefined : 'Only --likes needs this route; the listing and downloads do not.');
		return config.likes ? check : {...check, status: 'warning', exitCode: undefined};
	}
	const survey = surveyPage(page);
	const userId = session.client.userId();
	const jobs = page.data.filter((job): job is Record<string, unknown> => typeof job === 'object' && job !== null);
	const byOthers = jobs.filter(job => typeof job.user_id === 'string' && job.user_id !== userId).length;
	const withAuthor = jobs.filter(job => typeof job.user_id === 'string').length;
	const unknown = Object.keys(survey.unknownFields);
	const detail = `HTTP 200, ${survey.jobs} liked jobs on page 1 (${byOthers} by others, ${withAuthor} with user_id); ${unknown.length} unknown field${unknown.length === 1 ? '' : 's'}${unknown.length ? ` (${unknown.slice(0, 6).join(', ')})` : ''}; ${survey.oddJobs} odd job${survey.oddJobs === 1 ? '' : 's'}${config.likes ? '' : ' (likes are off: --likes to archive them)'}`;
	return {step, status: survey.oddJobs > 0 ? 'warning' : 'ok', detail: clean(detail), ...(survey.oddJobs > 0 ? {fix: 'Odd liked jobs are stored as far as readable; if likes go missing, please report it.'} : {})};
}

async function cdnCheck(route: RouteResult, config: Config, signal: AbortSignal): Promise<DoctorCheck> {
	const effective = route.session!.config;
	// The same typed row a sync would store, so the file is the one downloads would fetch.
	const row = storableJobs(route.page!.data).map(job => jobRowFromApi(job, 'api', Date.now())).find(candidate => (candidate.batch_size ?? 0) > 0);
	if (!row) return {step: 'cdn file', status: 'skipped', detail: 'the first page has no job with images'};
	const file = filesOfJob({...row, first_seen_at: row.updated_at}, config)[0]!;
	const url = resolveFileUrl(file.url, config.cdnBase);
	const where = redact(url);
	const headers: Record<string, string> = {'user-agent': effective.userAgent, range: 'bytes=0-1023', 'accept-encoding': 'identity'};
	if (effective.cookie && cookieAllowed(url, config.cdnBase)) headers.cookie = effective.cookie;
	try {
		const response = await request(url, {headers, signal: AbortSignal.any([signal, AbortSignal.timeout(config.requestTimeoutMs)])});
		const body = Buffer.from(await response.body.arrayBuffer());
		if (isCloudflareChallenge(body.toString('utf8'), response.headers)) {
			const fallback = route.route === 'browser';
			return {step: 'cdn file', status: fallback ? 'warning' : 'problem', detail: `${where}: Cloudflare's challenge (HTTP ${response.statusCode})${fallback ? '; downloads fall back to the browser, slowly' : ''}`, fix: 'Run with --transport browser, or run `mj-tui login` so downloads carry the browser\'s clearance.', ...(fallback ? {} : {exitCode: ExitCode.unavailable})};
		}
		if (response.statusCode === 401 || response.statusCode === 403) return {step: 'cdn file', status: 'problem', detail: `${where}: HTTP ${response.statusCode}`, fix: freshTokenHint, exitCode: ExitCode.auth};
		if (response.statusCode !== 200 && response.statusCode !== 206) return {step: 'cdn file', status: 'problem', detail: `${where}: HTTP ${response.statusCode}`, fix: 'Check --cdn-base, or try again later.', exitCode: ExitCode.unavailable};
		const kind = detectContentKind(body);
		if (!acceptedKinds(file.variant).includes(kind)) return {step: 'cdn file', status: 'problem', detail: `${where}: ${kind} content, expected ${file.variant}`, fix: 'Check --cdn-base: it should serve the image files.', exitCode: ExitCode.dataError};
		return {step: 'cdn file', status: 'ok', detail: `${where}: HTTP ${response.statusCode}, ${kind}`};
	} catch (error) {
		return {step: 'cdn file', status: 'problem', detail: clean(`${where}: ${(error as Error).message}`), fix: 'Check the network and --cdn-base.', exitCode: ExitCode.unavailable};
	}
}

function diskCheck(archive: string): DoctorCheck {
	let dir = path.resolve(archive);
	while (!fs.existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
	try {
		const stats = fs.statfsSync(dir);
		const free = stats.bavail * stats.bsize;
		const detail = `${formatBytes(free)} free at ${dir}`;
		if (free < diskProblemBytes) return {step: 'disk space', status: 'problem', detail, fix: 'Free some space there, or pass --archive <dir> on a larger disk.', exitCode: ExitCode.ioError};
		if (free < diskWarningBytes) return {step: 'disk space', status: 'warning', detail, fix: 'A large account needs tens of GiB; free space or move the archive.'};
		return {step: 'disk space', status: 'ok', detail};
	} catch (error) {
		return {step: 'disk space', status: 'warning', detail: clean(`cannot tell the free space at ${dir}: ${(error as Error).message}`)};
	}
}

function archiveCheck(archive: string): DoctorCheck {
	const health = checkArchiveHealth(archive);
	if (!health.exists) return {step: 'archive', status: 'ok', detail: `no archive yet at ${health.file}; the first sync creates it`};
	if (health.unreadable) return {step: 'archive', status: 'problem', detail: clean(`${health.file} cannot be read: ${health.unreadable}`), fix: 'Point --archive at another folder, or move this file away; mj-tui never overwrites it.', exitCode: ExitCode.dataError};
	if (health.schemaVersion! > health.supportedVersion) {
		return {step: 'archive', status: 'problem', detail: `${health.file} has schema version ${health.schemaVersion}, newer than this mj-tui (${health.supportedVersion})`, fix: 'Upgrade mj-tui.', exitCode: ExitCode.dataError};
	}
	if (health.problems.length > 0) {
		return {step: 'archive', status: 'problem', detail: clean(`${health.file}: PRAGMA quick_check found: ${health.problems.join('; ')}`), fix: 'Restore the archive from a backup, or run sqlite3 archive.db ".recover" into a new file.', exitCode: ExitCode.dataError};
	}
	const migrate = health.schemaVersion! < health.supportedVersion ? `; the next run migrates it to ${health.supportedVersion}` : '';
	return {step: 'archive', status: 'ok', detail: `${health.file}: schema version ${health.schemaVersion}${migrate}, quick_check ok`};
}
