/**
 * Job types from wrapper modules: files whose default export is
 * `defineWrapper(import.meta, {...})`. Importing one only reads its definition
 * (a wrapper runs its job only when executed as a script); the job type runs
 * `node <module> --job-dir <dir>`.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { typeFromWrapper, type JobType } from '../runner/registry.js';
import { isWrapper, type Wrapper } from '../worker/define-wrapper.js';
import type { ModuleEntry } from './schema.js';

const RUNNABLE = new Set(['.js', '.mjs', '.cjs']);
const DISCOVERABLE = new Set(['.js', '.mjs']);

/** A problem with one entry; the caller adds the config file's name. */
export class EntryError extends Error {
  override readonly name = 'EntryError';
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isFile(), () => false);
}

async function importModule(file: string): Promise<unknown> {
  try {
    const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
    return mod.default;
  } catch (error) {
    throw new EntryError(`importing ${file} failed: ${(error as Error).message}`, { cause: error });
  }
}

/** The wrapper a module path names; `base` is the config file's folder. */
export async function loadWrapperModule(base: string, modulePath: string): Promise<{ file: string; wrapper: Wrapper }> {
  const file = resolve(base, modulePath);
  if (!(await isFile(file))) throw new EntryError(`module not found: ${file}`);
  const ext = extname(file);
  if (!RUNNABLE.has(ext)) {
    const hint = ext === '.ts' || ext === '.mts' ? ' (compile it and point at the .js file: node runs the module as the worker)' : '';
    throw new EntryError(`module ${file} is not a .js or .mjs file${hint}`);
  }
  const exported = await importModule(file);
  if (!isWrapper(exported)) {
    throw new EntryError(`module ${file} does not export a wrapper as default (\`export default defineWrapper(import.meta, {...})\`)`);
  }
  return { file: await realpath(file), wrapper: exported };
}

/** The job type of a `{ module }` entry, with the entry's overrides on top of the wrapper's defaults. */
export async function moduleType(base: string, entry: ModuleEntry): Promise<{ file: string; type: JobType }> {
  const { file, wrapper } = await loadWrapperModule(base, entry.module);
  const { module: _module, ...overrides } = entry;
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as Partial<JobType>;
  return { file, type: await typeFromWrapper(wrapper, defined) };
}

/**
 * Every `*.js` / `*.mjs` file directly in `dir` whose default export is a
 * wrapper, in name order. Other modules are skipped; one that fails to import
 * is an error (a broken wrapper should not vanish silently).
 */
export async function discoverTypes(dir: string): Promise<{ file: string; type: JobType }[]> {
  let names: string[];
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) throw new EntryError(`${dir} is not a folder`);
    names = await readdir(dir);
  } catch (error) {
    if (error instanceof EntryError) throw error;
    throw new EntryError(`cannot read the folder ${dir}: ${(error as Error).message}`, { cause: error });
  }
  const found: { file: string; type: JobType }[] = [];
  for (const name of names.sort()) {
    if (!DISCOVERABLE.has(extname(name)) || name.startsWith('.')) continue;
    const file = join(dir, name);
    if (!(await isFile(file))) continue;
    const exported = await importModule(file);
    if (!isWrapper(exported)) continue;
    found.push({ file: await realpath(file), type: await typeFromWrapper(exported) });
  }
  return found;
}
