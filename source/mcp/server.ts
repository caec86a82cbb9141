/**
 * The archive as a Model Context Protocol server: read-only tools over the
 * archive layer (search with the same query language as `mj-tui search`, one
 * job, its family, similar images, the statistics) and every downloaded file
 * as a resource.
 * Nothing here writes to the archive or calls Midjourney; the store is opened
 * read-only by the command, and no config (so no secret) reaches this module.
 */
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {McpServer, ResourceTemplate} from '@modelcontextprotocol/sdk/server/mcp.js';
import type {CallToolResult, ReadResourceResult} from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod';
import {fileUri, type DoneFile} from '../core/archive/file-queries.js';
import type {Relative} from '../core/archive/lineage.js';
import {defaultRankWindow} from '../core/archive/search.js';
import type {ArchiveStore} from '../core/archive/store.js';
import {MjError} from '../core/errors.js';
import type {Job} from '../core/job.js';
import {filterFromFlags} from '../commands/shared.js';
import {archiveStats} from '../commands/stats.js';
import {similarImageJson} from '../commands/similar.js';
import {maxLookupDistance} from '../core/similar/hash-index.js';
import {defaultSimilarDistance, similarToJob} from '../core/similar/similar-images.js';

/** Hits one search_prompts call returns at most: an assistant's context is small. */
const maximumHits = 200;
/** Files the resource listing names: the newest; the rest are reached through get_job or search. */
const listedFiles = 200;

const mimeTypes: Record<string, string> = {
	'.png': 'image/png',
	'.webp': 'image/webp',
	'.jpg': 'image/jpeg',
	'.jpeg': 'image/jpeg',
	'.gif': 'image/gif',
	'.mp4': 'video/mp4',
};

/** The MIME type of an archived file, by its extension. */
export function mimeTypeOf(file: string): string {
	return mimeTypes[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

function asText(value: unknown): CallToolResult {
	return {content: [{type: 'text', text: JSON.stringify(value, null, 1)}]};
}

/** A user-level failure (unknown job, bad filter) as a tool result the assistant can read and correct. */
function toolError(message: string): CallToolResult {
	return {content: [{type: 'text', text: message}], isError: true};
}

/** Run a tool body; input mistakes (MjError) become readable tool errors instead of protocol failures. */
async function guarded(body: () => CallToolResult | Promise<CallToolResult>): Promise<CallToolResult> {
	try {
		return await body();
	} catch (error) {
		if (error instanceof MjError) return toolError(error.hint ? `${error.message}. ${error.hint}` : error.message);
		throw error;
	}
}

function fileEntry(file: DoneFile) {
	return {uri: fileUri(file), index: file.index, variant: file.variant, mimeType: mimeTypeOf(file.path), path: file.path, bytes: file.bytes, sha256: file.sha256};
}

/** What every tool says about a job: its fields, without the verbatim API JSON (get_job adds that). */
function jobSummary(job: Job) {
	return {
		id: job.id,
		enqueue_time: job.raw.enqueue_time,
		job_type: job.jobType,
		event_type: job.eventType,
		prompt: job.prompt,
		full_command: job.fullCommand,
		parameters: job.parameters,
		rating: job.rating,
		parent_id: job.parentId,
		parent_grid: job.parentGrid,
		files: job.files,
	};
}

function relativeSummary(store: ArchiveStore, relative: Relative) {
	const job = store.getJob(relative.id);
	if (!job) return {id: relative.id, depth: relative.depth, archived: false};
	return {depth: relative.depth, id: job.id, parent_id: job.parentId, parent_grid: job.parentGrid, enqueue_time: job.raw.enqueue_time, job_type: job.jobType, event_type: job.eventType, prompt: job.prompt};
}

/** The archived file a resource URI names, or undefined. */
function fileOf(store: ArchiveStore, jobId: string, index: string, variant = 'png'): DoneFile | undefined {
	return store.files.doneOfJob(jobId).find(file => String(file.index) === index && file.variant === variant);
}

async function readArchivedFile(store: ArchiveStore, uri: URL, jobId: string, index: string, variant?: string): Promise<ReadResourceResult> {
	const file = fileOf(store, jobId, index, variant);
	if (!file) throw new Error(`no downloaded file ${uri.href} in the archive`);
	const bytes = await readFile(path.isAbsolute(file.path) ? file.path : path.join(store.dir, file.path));
	return {contents: [{uri: uri.href, mimeType: mimeTypeOf(file.path), blob: bytes.toString('base64')}]};
}

/** A template variable as one string (the SDK hands arrays for exploded variables). */
function single(value: string | string[] | undefined): string {
	return decodeURIComponent(Array.isArray(value) ? value[0] ?? '' : value ?? '');
}

/** An MCP server over an open (read-only) archive; connect it to a transport to serve. */
export function createArchiveServer(store: ArchiveStore, version: string): McpServer {
	const server = new McpServer({name: 'mj-tui', version}, {capabilities: {tools: {}, resources: {}}});
	const readOnly = {readOnlyHint: true, openWorldHint: false} as const;

	server.registerTool('search_prompts', {
		title: 'Search prompts',
		description: 'Full-text search over the archived Midjourney prompts, with the query language of `mj-tui search`: words, "phrases", prefix*, AND / OR / NOT, -word, type:upscale, id:<prefix> and liked:yes / liked:no (jobs the user liked on the site) filters, and parameters as filters (--ar 16:9, --v 7, --stylize >250, --chaos 10..50). Best matches first; each hit lists its downloaded files as resource URIs.',
		inputSchema: {
			query: z.string().min(1).describe('The query, e.g. `lighthouse -isometric --ar 16:9`'),
			limit: z.number().int().min(1).max(maximumHits).optional().describe('At most this many hits (default 20)'),
			type: z.array(z.string()).optional().describe('Only these job_type or event_type values'),
			since: z.string().optional().describe('From this date (2025-01-31, ISO time) or a duration ago (7d)'),
			until: z.string().optional().describe('Up to this date; a bare date includes that whole day'),
		},
		annotations: readOnly,
	}, async ({query, limit, type, since, until}) => guarded(() => {
		const filter = filterFromFlags({type, since, until});
		const {hits, rankedNewest} = store.searchRanked(query, {filter, limit: limit ?? 20, rankWindow: defaultRankWindow});
		return asText({
			hits: hits.map(({job, rank}) => ({...jobSummary(job), rank, images: store.files.doneOfJob(job.id).map(file => fileUri(file))})),
			...(rankedNewest === undefined ? {} : {note: `ranked the newest ${rankedNewest} matches only`}),
		});
	}));

	server.registerTool('get_job', {
		title: 'Get a job',
		description: 'One archived job by id: prompt, full command, parameters, rating, parent, the verbatim API fields, and its downloaded files (resource URIs, sha256).',
		inputSchema: {id: z.string().min(1).describe('The job id (a UUID)')},
		annotations: readOnly,
	}, async ({id}) => guarded(() => {
		const job = store.getJob(id);
		if (!job) return toolError(`no job ${JSON.stringify(id)} in the archive`);
		return asText({...jobSummary(job), width: job.width, height: job.height, batch_size: job.batchSize, is_video: job.isVideo, raw: job.raw, images: store.files.doneOfJob(id).map(file => fileEntry(file))});
	}));

	server.registerTool('archive_stats', {
		title: 'Archive statistics',
		description: 'What the archive holds (as `mj-tui stats --json`): jobs and images by month, type and model version, most used parameters and words, size on disk, download completeness.',
		inputSchema: {},
		annotations: readOnly,
	}, async () => guarded(() => asText(archiveStats(store))));

	server.registerTool('job_family', {
		title: 'Job family',
		description: "A job's lineage by parent: its ancestors up to the root grid (nearest first) and every job made from it, e.g. upscales, variations, pans and videos (nearest generation first).",
		inputSchema: {id: z.string().min(1).describe('The job id (a UUID)')},
		annotations: readOnly,
	}, async ({id}) => guarded(() => {
		const job = store.getJob(id);
		if (!job) return toolError(`no job ${JSON.stringify(id)} in the archive`);
		const ancestors = store.lineage.ancestors(id).map(relative => relativeSummary(store, relative));
		const descendants = store.lineage.descendants(id).map(relative => relativeSummary(store, relative));
		return asText({job: jobSummary(job), root: ancestors.at(-1)?.id ?? job.id, ancestors, descendants});
	}));

	server.registerTool('similar_images', {
		title: 'Similar images',
		description: `The archived images that look most like a job's images, nearest first, by 64-bit perceptual hash (dHash): distance 0 is the same picture, variations and re-encodes a few bits, unrelated pictures about 32. Each result names its job, image index, file (resource URI) and prompt.`,
		inputSchema: {
			id: z.string().min(1).describe('The job id (a UUID)'),
			index: z.number().int().min(0).max(99).optional().describe("Compare only the job's image with this index (0-3 in a grid); default: all its images"),
			max_distance: z.number().int().min(0).max(maxLookupDistance).optional().describe(`Bits of 64 that may differ (default ${defaultSimilarDistance})`),
			limit: z.number().int().min(1).max(maximumHits).optional().describe('At most this many images (default 20)'),
		},
		annotations: readOnly,
	}, async ({id, index, max_distance: maxDistance, limit}) => guarded(async () => {
		const {compared, similar} = await similarToJob(store, id, {index, maxDistance, limit});
		return asText({
			job: id,
			compared: compared.map(image => ({index: image.index, variant: image.variant, hash: image.hash, ...(image.unhashable ? {unhashable: image.unhashable} : {})})),
			max_distance: maxDistance ?? defaultSimilarDistance,
			similar: similar.map(image => ({...similarImageJson(image), ...(image.jobId ? {uri: fileUri({jobId: image.jobId, index: image.index, variant: image.variant})} : {})})),
		});
	}));

	const list = async () => ({
		resources: store.files.newestDone(listedFiles).map(file => ({uri: fileUri(file), name: `${file.jobId} #${file.index} ${file.variant}`, mimeType: mimeTypeOf(file.path)})),
	});
	server.registerResource(
		'job-file',
		new ResourceTemplate('mj-tui://job/{id}/{index}', {list}),
		{title: 'Archived image', description: "A job's downloaded image (PNG) by job id and index 0-3, as a base64 blob"},
		async (uri, variables) => readArchivedFile(store, uri, single(variables.id), single(variables.index)),
	);
	server.registerResource(
		'job-file-variant',
		new ResourceTemplate('mj-tui://job/{id}/{index}/{variant}', {list: undefined}),
		{title: 'Archived file of another rendition', description: "A job's downloaded webp, grid or mp4 file, as a base64 blob"},
		async (uri, variables) => readArchivedFile(store, uri, single(variables.id), single(variables.index), single(variables.variant)),
	);
	return server;
}
