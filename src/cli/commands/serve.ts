/**
 * `mcp-jobs serve`: the MCP server, the same one as `dist/server.js` (the
 * options and `serve()` are shared with it): stdio by default, Streamable
 * HTTP with `--http`. On stdio, stdout is the protocol channel: nothing else
 * is printed there. SIGINT / SIGTERM (or the stdio client leaving) close it
 * and exit 0; detached workers keep running.
 */
import { Command } from 'commander';
import { addServeOptions, serveOptionsFrom, type ParsedServeOptions } from '../../mcp/serve-options.js';

export function serveCommand(): Command {
  const command = new Command('serve').description('run the MCP server (stdio by default, --http for Streamable HTTP)');
  addServeOptions(command);
  command.addHelpText('after', '\nThe same server as `node dist/server.js`. Logs go to stderr (level: MCP_JOBS_LOG_LEVEL).');
  return command.action(async (options: ParsedServeOptions) => {
    const serveOptions = serveOptionsFrom(options);
    // Loaded here: the MCP SDK and HTTP stack cost ~150 ms that the other commands do not need.
    const { serve } = await import('../../mcp/serve.js');
    const running = await serve(serveOptions);
    // Serve until closed: a signal or the stdio client leaving (the server then exits by itself).
    await running.closed;
  });
}
