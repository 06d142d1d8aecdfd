/** A JobManager on temp folders with the shipped types and the fixture workers registered. */
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { z } from 'zod';
import { JobManager } from '../../src/runner/job-manager.js';
import { registerBuiltinTypes } from '../../src/runner/builtins.js';
import type { RunnerOptions } from '../../src/options.js';
import { ROOT, tempDir } from '../helpers.js';

export const fixture = (name: string) => join(ROOT, 'test', 'fixtures', name);

const open: JobManager[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((m) => m.close()));
});

export async function makeManager(options: RunnerOptions = {}, dir = tempDir()): Promise<JobManager> {
  const manager = new JobManager({ jobsDir: join(dir, 'jobs'), stateDir: join(dir, 'state'), killGraceMs: 1000, ...options });
  open.push(manager);
  await registerBuiltinTypes(manager);
  const node = (script: string) => [process.execPath, fixture(script)];
  manager.register({ name: 'exit_code', description: 'exits with a code', command: node('exit-code.mjs'), schema: z.object({ code: z.number().int() }) });
  manager.register({ name: 'forever', description: 'runs until killed', command: node('forever.mjs'), schema: z.object({}) });
  manager.register({ name: 'stubborn', description: 'ignores SIGTERM, has a grandchild', command: node('stubborn.mjs'), schema: z.object({}) });
  manager.register({ name: 'timed', description: 'sleeps ms', command: node('timed.mjs'), schema: z.object({ ms: z.number().int(), value: z.unknown().optional() }) });
  manager.register({ name: 'fail_once', description: 'exit 3 on attempt 1', command: node('fail-once.mjs'), schema: z.object({}), maxAttempts: 3 });
  await manager.start();
  return manager;
}
