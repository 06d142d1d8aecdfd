/**
 * From a config file to registered job types, all or nothing: every entry is
 * loaded and checked (modules imported, commands found, schemas converted,
 * names unique) before the first type is registered. A problem is one error
 * naming the config file and the entry.
 */
import { dirname, resolve } from 'node:path';
import { log } from '../log.js';
import type { JobManager } from '../runner/job-manager.js';
import { JobTypeRegistry, type JobType } from '../runner/registry.js';
import { commandType } from './command-types.js';
import { configError, locateConfig, readConfigFile } from './load-config.js';
import { discoverTypes, moduleType } from './module-types.js';
import type { ConfigEntry } from './schema.js';

/** The job types a config file defines. */
export interface ConfiguredTypes {
  /** Absolute path of the config file. */
  path: string;
  types: JobType[];
}

function describeEntry(entry: ConfigEntry, index: number): string {
  return `wrappers[${index}] (${entry.kind === 'module' ? `module ${entry.module}` : `command ${entry.name}`})`;
}

/** Loads the job types of the config file at `path` without registering anything. */
export async function loadConfig(path: string, explicit = true): Promise<ConfiguredTypes | undefined> {
  const file = await readConfigFile(path, explicit);
  if (!file) return undefined;
  const base = dirname(path);
  const found: { type: JobType; from: string; file?: string }[] = [];
  for (const [index, entry] of file.wrappers.entries()) {
    const from = describeEntry(entry, index);
    try {
      if (entry.kind === 'module') found.push({ ...(await moduleType(base, entry)), from });
      else found.push({ type: await commandType(base, entry), from });
    } catch (error) {
      throw configError(path, `${from}: ${(error as Error).message}`, error);
    }
  }
  const listed = new Set(found.flatMap((f) => (f.file ? [f.file] : [])));
  for (const [index, folder] of file.discover.entries()) {
    const dir = resolve(base, folder);
    const where = file.discover.length > 1 ? `discover[${index}]` : 'discover';
    try {
      for (const hit of await discoverTypes(dir)) {
        if (!listed.has(hit.file)) found.push({ ...hit, from: `${where} (${hit.file})` });
      }
    } catch (error) {
      throw configError(path, `${where}: ${(error as Error).message}`, error);
    }
  }
  const seen = new Map<string, string>();
  const check = new JobTypeRegistry();
  for (const { type, from } of found) {
    const first = seen.get(type.name);
    if (first) throw configError(path, `${from}: job type \`${type.name}\` is already defined by ${first}`);
    seen.set(type.name, from);
    try {
      check.register(type);
    } catch (error) {
      throw configError(path, `${from}: ${(error as Error).message}`, error);
    }
  }
  return { path, types: found.map((f) => f.type) };
}

/**
 * Registers the job types of the config file `config` names (see
 * `locateConfig`: a path, false for none, or absent for
 * `$MCP_JOBS_CONFIG` / `./mcp-jobs.config.json` if present). A type whose
 * name is already registered is an error. Resolves to what was registered.
 */
export async function registerConfiguredTypes(manager: JobManager, config: string | false | undefined, cwd = process.cwd()): Promise<ConfiguredTypes | undefined> {
  const located = locateConfig(config, cwd);
  if (!located) return undefined;
  const loaded = await loadConfig(located.path, located.explicit);
  if (!loaded) return undefined;
  for (const type of loaded.types) {
    if (manager.registry.has(type.name)) throw configError(loaded.path, `job type \`${type.name}\` is already registered (a built-in or registered in code); pick another name`);
  }
  for (const type of loaded.types) manager.register(type);
  log.info(`config ${loaded.path}: registered ${loaded.types.map((t) => t.name).join(', ') || 'no job types'}`);
  return loaded;
}
