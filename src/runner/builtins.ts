/**
 * The job types that ship with mcp-jobs: `simulate` always, `run_command` only
 * when an allowlist names the programs it may start.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { JobManager } from './job-manager.js';

/** The package root: the nearest folder above this module holding package.json. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('mcp-jobs: cannot find the package root (package.json)');
    dir = parent;
  }
  return dir;
}

/** The compiled example wrappers (also when this module runs from source, e.g. under vitest). */
export function builtinWrapperPath(name: string): string {
  return join(packageRoot(), 'dist', 'cli-wrappers', `${name}.js`);
}

export async function registerBuiltinTypes(manager: JobManager): Promise<void> {
  const load = async (name: string) => (await import(pathToFileURL(builtinWrapperPath(name)).href)).default;
  await manager.registerWrapper(await load('simulate'));
  const allowed = manager.options.allowCommands;
  if (allowed.length) {
    await manager.registerWrapper(await load('run-command'), {
      accept: (input) => {
        const program = (input as { argv: string[] }).argv[0]!;
        return allowed.includes(program) ? undefined : `\`${program}\` is not an allowed command (allowed: ${allowed.join(', ')})`;
      },
    });
  }
}
