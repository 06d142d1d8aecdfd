/**
 * The `mcp-jobs` command line: one commander program, one module per
 * subcommand in `commands/`. Errors of the command line itself (unknown
 * option, missing argument) exit 2 with one line; `main.ts` maps everything
 * else to the exit codes in `exit-codes.ts`.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { builtinWrapperPath } from '../runner/builtins.js';
import { cancelCommand } from './commands/cancel.js';
import { cleanupCommand } from './commands/cleanup.js';
import { doctorCommand } from './commands/doctor.js';
import { listCommand } from './commands/list.js';
import { logsCommand } from './commands/logs.js';
import { resultCommand } from './commands/result.js';
import { runCommand } from './commands/run.js';
import { serveCommand } from './commands/serve.js';
import { statusCommand } from './commands/status.js';
import { submitCommand } from './commands/submit.js';
import { typesCommand } from './commands/types.js';
import { watchCommand } from './commands/watch.js';
import { EXIT } from './exit-codes.js';
import { commanderOutput } from './output.js';

/** The package's version (package.json at the package root). */
function version(): string {
  try {
    const root = builtinWrapperPath('x').replace(/\/dist\/cli-wrappers\/x\.js$/, '');
    return (JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function commandPath(command: Command): string {
  return command.parent ? `${commandPath(command.parent)} ${command.name()}` : command.name();
}

/** Thrown instead of exiting when commander rejects the command line; carries the exit code. */
export class UsageExit extends Error {
  constructor(readonly exitCode: number) {
    super('usage');
  }
}

export function buildProgram(): Command {
  const program = new Command('mcp-jobs')
    .description('Filesystem-backed subprocess jobs for MCP servers: serve them, run and watch jobs, inspect the job folders.')
    .version(version(), '-V, --version')
    .addHelpText('after', '\nEnvironment: MCP_JOBS_DIR, MCP_JOBS_STATE_DIR, MCP_JOBS_CONFIG, NO_COLOR, MCP_JOBS_LOG_LEVEL.\nExit codes: 0 ok, 1 job failed/cancelled or problems found, 2 bad input, 3 no such job, 4 wrong job state, 5 storage error, 130 Ctrl-C.\nDocs: docs/cli.md');
  const commands = [serveCommand(), typesCommand(), runCommand(), submitCommand(), statusCommand(), resultCommand(), logsCommand(), cancelCommand(), listCommand(), watchCommand(), cleanupCommand(), doctorCommand()];
  for (const command of commands) program.addCommand(command);
  for (const command of [program, ...commands]) {
    command.configureOutput({
      ...commanderOutput,
      // One line: `mcp-jobs: unknown option '--x' (see mcp-jobs run --help)`.
      outputError: (text, write) => write(`mcp-jobs: ${text.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ').trim()} (see \`${commandPath(command)} --help\`)\n`),
    });
    command.exitOverride((error: CommanderError) => {
      // --help and --version end the program normally; anything else is a usage error.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0) throw new UsageExit(EXIT.ok);
      throw new UsageExit(EXIT.usage);
    });
  }
  return program;
}
