/**
 * Tiny real defineWrapper() wrappers for tests, written as ES modules on the
 * compiled runtime (dist/): `node <file> --job-dir <dir>` runs them exactly as
 * the launcher does. Also job folders to run them on.
 */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DIST, ROOT, tempDir } from '../helpers.js';

const DEFINE_WRAPPER = pathToFileURL(join(DIST, 'src', 'worker', 'define-wrapper.js')).href;
export const PYTHON_RUNTIME = join(ROOT, 'cli-wrappers', 'python');

/**
 * Writes `<dir>/<name>.mjs`, a wrapper whose `run(input, ctx)` has body `body`
 * (JavaScript). `definition`: more fields of the definition, as source text.
 */
export function jsWrapper(dir: string, name: string, body: string, definition = ''): string {
  const path = join(dir, `${name}.mjs`);
  writeFileSync(
    path,
    `import { defineWrapper } from ${JSON.stringify(DEFINE_WRAPPER)};
export default defineWrapper(import.meta, {
  name: ${JSON.stringify(name)},
  description: 'a test wrapper',
  input: (z) => z.object({}).passthrough(),
  ${definition}
  async run(input, ctx) {
${body}
  },
});
`,
  );
  return path;
}

/** Writes `<dir>/<name>.py`, a Python wrapper on the real runtime whose `run(data, ctx)` has body `body`. */
export function pyWrapper(dir: string, name: string, body: string, prelude = ''): string {
  const path = join(dir, `${name}.py`);
  const indented = body
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
  writeFileSync(
    path,
    `import sys
sys.dont_write_bytecode = True
sys.path.insert(0, ${JSON.stringify(PYTHON_RUNTIME)})
from mcp_jobs import run_wrapper
${prelude}

def run(data, ctx):
${indented}


if __name__ == "__main__":
    sys.exit(run_wrapper(${JSON.stringify(name)}, "a test wrapper", lambda raw: raw, run))
`,
  );
  return path;
}

/** A job folder holding input.json (and job.json when `record` is given). */
export function jobFolder(input: unknown = {}, record?: object, parent = tempDir()): string {
  const dir = join(parent, `job-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'input.json'), JSON.stringify(input));
  if (record) writeFileSync(join(dir, 'job.json'), JSON.stringify(record));
  return dir;
}

/** The command that runs a wrapper file: node for .mjs, python3 for .py. */
export function commandFor(script: string): [string, string] {
  return script.endsWith('.py') ? ['python3', script] : [process.execPath, script];
}

/** Runs a wrapper on `jobDir` to its end (with a deadline). */
export function runSync(script: string, jobDir: string, ...args: string[]): SpawnSyncReturns<string> {
  const [program, file] = commandFor(script);
  return spawnSync(program, [file, '--job-dir', jobDir, ...args], { encoding: 'utf8', timeout: 20_000 });
}

/** Starts a wrapper on `jobDir` in the background; the test must end it. */
export function start(script: string, jobDir: string, ...args: string[]) {
  const [program, file] = commandFor(script);
  return spawn(program, [file, '--job-dir', jobDir, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

export const readJson = (dir: string, name: string): unknown => JSON.parse(readFileSync(join(dir, name), 'utf8'));
export const has = (dir: string, name: string): boolean => existsSync(join(dir, name));
