#!/usr/bin/env node
/**
 * The `mcp-jobs` executable (package.json `bin`). Parses the command line,
 * runs the subcommand, and maps what went wrong to one line on stderr and an
 * exit code (see exit-codes.ts).
 */
import { exitCodeFor } from './exit-codes.js';
import { note, printError } from './output.js';
import { buildProgram, UsageExit } from './program.js';

async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof UsageExit) process.exitCode = error.exitCode;
    else {
      printError(error instanceof Error ? error.message : String(error));
      if (process.env.MCP_JOBS_DEBUG && error instanceof Error && error.stack) note(error.stack);
      process.exitCode = exitCodeFor(error);
    }
  }
  // Every command closed what it opened; end now rather than wait for timers a
  // library leaves behind (chokidar keeps a throttle timer up to 1 s after close).
  // stdout and stderr writes are synchronous for files, pipes and terminals on Linux.
  process.exit();
}

void main(process.argv);
