/**
 * `mj-tui mcp [--archive <dir>]`: serve the archive to an AI assistant over the
 * Model Context Protocol on stdin/stdout until the client closes stdin. The
 * archive is opened read-only; stdout carries only protocol messages, so
 * nothing else may write there. The SDK loads only here (lazily, through the
 * command registry), so no other command pays for it.
 */
import {StdioServerTransport} from '@modelcontextprotocol/sdk/server/stdio.js';
import {packageVersion} from '../cli/version.js';
import {ExitCode} from '../core/errors.js';
import {createArchiveServer} from '../mcp/server.js';
import {openArchive, parseCommandArgs, writeLine} from './shared.js';
import type {Command} from './types.js';

const help = `Usage: mj-tui mcp [--archive <dir>]

Runs a Model Context Protocol server over stdio for an MCP client (Claude
Desktop, an IDE, an agent). Read-only: it never writes to the archive and
never calls Midjourney.

Tools: search_prompts (the query language of mj-tui search), get_job,
job_family, archive_stats. Resources: every downloaded file as
mj-tui://job/<id>/<index> (PNG) or mj-tui://job/<id>/<index>/<variant>.

Client config (e.g. claude_desktop_config.json):
  {"mcpServers": {"mj-tui": {"command": "npx", "args": ["mj-tui", "mcp", "--archive", "/path/to/mj-archive"]}}}`;

export const mcpCommand: Command = {
	name: 'mcp',
	summary: 'Serve the archive read-only to AI assistants over the Model Context Protocol (stdio)',
	flags: {},
	async run(context) {
		const {flags} = parseCommandArgs('mcp', context.argv, {});
		if (flags.help) {
			await writeLine(context, help);
			return ExitCode.ok;
		}
		const store = openArchive(context, flags, {readonly: true});
		const server = createArchiveServer(store, packageVersion());
		const {stdin, stdout} = context.io;
		const transport = new StdioServerTransport(stdin as NodeJS.ReadStream, stdout as NodeJS.WriteStream);
		try {
			// Served until the client closes our stdin (its way of ending a stdio server) or a signal arrives.
			await new Promise<void>((resolve, reject) => {
				const finish = () => resolve();
				stdin.once('end', finish);
				stdin.once('close', finish);
				context.signal.addEventListener('abort', finish, {once: true});
				transport.onclose = finish;
				server.connect(transport).catch(reject);
			});
			return ExitCode.ok;
		} finally {
			await server.close().catch(() => undefined);
			store.close();
		}
	},
};

export default mcpCommand;
