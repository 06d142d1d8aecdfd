/**
 * A wrapper's command line: `--job-dir <dir>`, `--force`, `--help`,
 * `--describe`. Printing here happens only in a wrapper process run by a
 * person (never in the server), so it may use stdout.
 */
/* eslint-disable no-restricted-properties */
import type { Wrapper } from './define-wrapper.js';

export type WorkerArgs = { mode: 'help' } | { mode: 'describe' } | { mode: 'run'; jobDir: string; force: boolean };

export function parseWorkerArgs(argv: string[]): WorkerArgs | { error: string } {
  let jobDir: string | undefined;
  let force = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return { mode: 'help' };
    if (arg === '--describe') return { mode: 'describe' };
    if (arg === '--force') force = true;
    else if (arg === '--job-dir') {
      jobDir = argv[++i];
      if (!jobDir) return { error: '--job-dir needs a folder' };
    } else if (arg.startsWith('--job-dir=')) jobDir = arg.slice('--job-dir='.length);
    else return { error: `unknown argument \`${arg}\`` };
  }
  if (!jobDir) return { error: 'missing --job-dir <dir>' };
  return { mode: 'run', jobDir, force };
}

export function printUsage(wrapper: Wrapper, script: string): void {
  const { name, description } = wrapper.definition;
  process.stdout.write(`${name}: ${description}

Usage: node ${script} --job-dir <dir> [--force]
       node ${script} --describe

Runs one job in <dir>, the job folder protocol of mcp-jobs:
  reads   <dir>/input.json      the job's input (JSON)
  writes  <dir>/progress.json   {current, total, message, updatedAt}, as it goes
          <dir>/results.json    the result, on success (exit code 0)
          <dir>/error.json      {message, kind, details?}, on failure (exit code 1)
  holds   <dir>/worker.lock     while running (a heartbeat; one worker per folder)

Options:
  --job-dir <dir>  the job folder (must hold input.json)
  --force          run again although results.json or error.json exist (removes them)
  --describe       print the definition (name, description, input JSON Schema) as JSON
  --help           this text

Exit codes: 0 completed, 1 failed (see error.json), 2 usage error or refused.
SIGTERM or Ctrl-C stops the job between steps; it ends with error.json kind "cancelled".
`);
}

export async function printDescription(wrapper: Wrapper): Promise<void> {
  const { z } = await import('zod');
  const { name, description, timeoutMs, statePatch, allowStatePatchOverride, maxAttempts } = wrapper.definition;
  const inputSchema = z.toJSONSchema(await wrapper.loadSchema(), { io: 'input' });
  process.stdout.write(`${JSON.stringify({ name, description, inputSchema, timeoutMs, statePatch, allowStatePatchOverride, maxAttempts }, null, 2)}\n`);
}
