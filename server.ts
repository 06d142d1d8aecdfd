#!/usr/bin/env node
/**
 * The mcp-jobs MCP server: options → runner → MCP server → stdio (default) or
 * Streamable HTTP (`--http`). `npm start` runs it on stdio.
 *
 *   node dist/server.js [--jobs-dir jobs] [--state-dir state] [--max-concurrent n]
 *                       [--allow-command <program>]... [--config <file>]
 *                       [--http [--port 8765] [--host 127.0.0.1] [--auth-tokens <file>]]
 *
 * stdout is the protocol channel on stdio: this process writes nothing else
 * there (logs go to stderr and to MCP logging notifications).
 */
import { Command } from 'commander';
import { describeError } from './src/mcp/errors.js';
import { packageVersion } from './src/mcp/health.js';
import { addServeOptions, serveOptionsFrom, type ParsedServeOptions } from './src/mcp/serve-options.js';
import { serve } from './src/mcp/serve.js';

const program = addServeOptions(
  new Command('mcp-jobs-server')
    .description('MCP server for background jobs: start tools return a job id at once; detached workers do the work.')
    .version(packageVersion(), '-V, --version'),
)
  .configureOutput({ writeOut: (text) => process.stderr.write(text), writeErr: (text) => process.stderr.write(text) })
  .action(async (opts: ParsedServeOptions) => {
    await serve(serveOptionsFrom(opts));
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`mcp-jobs: ${describeError(error)}\n`);
  process.exit(1);
});
