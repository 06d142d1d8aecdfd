/** Config test helpers: config files and tiny real wrapper modules in temp folders. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach } from 'vitest';
import { JobManager } from '../../src/runner/job-manager.js';
import { DIST, ROOT, tempDir } from '../helpers.js';

export const WORD_COUNT = join(DIST, 'examples', 'wrappers', 'word-count.js');
export const PRIME_SIEVE = join(ROOT, 'cli-wrappers', 'python', 'prime_sieve.py');
export const PRIME_SCHEMA = join(ROOT, 'cli-wrappers', 'python', 'prime_sieve.schema.json');

/** Writes `config` (an object, or raw text) to `<dir>/mcp-jobs.config.json`; returns its path. */
export function writeConfig(dir: string, config: unknown, name = 'mcp-jobs.config.json'): string {
  const path = join(dir, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  return path;
}

/** A path to `target` written relative to the folder `from` (as a config file would). */
export function rel(from: string, target: string): string {
  const path = relative(from, target);
  return path.startsWith('.') ? path : `./${path}`;
}

/** Writes a wrapper module `<dir>/<file>` defining job type `name` (built on the compiled runtime). */
export function writeWrapperModule(dir: string, file: string, name: string, extra = ''): string {
  const defineWrapper = pathToFileURL(join(DIST, 'src', 'worker', 'define-wrapper.js')).href;
  const path = join(dir, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n'); // as in an ESM project
  writeFileSync(
    path,
    `import { defineWrapper } from ${JSON.stringify(defineWrapper)};
export default defineWrapper(import.meta, {
  name: ${JSON.stringify(name)},
  description: 'echoes its input',
  input: (z) => z.strictObject({ value: z.string() }),
  timeoutMs: 1234,
  run: (input) => ({ echoed: input.value }),
});
${extra}`,
  );
  return path;
}

const open: JobManager[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((m) => m.close()));
});

/** A manager on temp folders (not started; closed after the test). */
export function bareManager(dir = tempDir()): JobManager {
  const manager = new JobManager({ jobsDir: join(dir, 'jobs'), stateDir: join(dir, 'state'), killGraceMs: 1000 });
  open.push(manager);
  return manager;
}

/** Tracks managers a test created some other way, to close them after it. */
export function closeAfter(manager: JobManager): JobManager {
  open.push(manager);
  return manager;
}
