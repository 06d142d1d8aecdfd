/**
 * The job types that ship with mcp-jobs: `simulate` always, `run_command` only
 * when an allowlist names the programs it may start.
 */
import type { JobManager } from './job-manager.js';

/** Where the compiled example wrappers live, relative to this module (dist/src/runner/). */
const wrapperUrl = (name: string) => new URL(`../../cli-wrappers/${name}.js`, import.meta.url);

export async function registerBuiltinTypes(manager: JobManager): Promise<void> {
  const { default: simulate } = await import(wrapperUrl('simulate').href);
  await manager.registerWrapper(simulate);
  const allowed = manager.options.allowCommands;
  if (allowed.length) {
    const { default: runCommand } = await import(wrapperUrl('run-command').href);
    await manager.registerWrapper(runCommand, {
      accept: (input) => {
        const program = (input as { argv: string[] }).argv[0]!;
        return allowed.includes(program) ? undefined : `\`${program}\` is not an allowed command (allowed: ${allowed.join(', ')})`;
      },
    });
  }
}
