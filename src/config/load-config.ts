/**
 * Finding and reading the config file. `config` (an option of
 * `createJobRunner`, `--config` on the command line):
 *
 * - a path: that file; it must exist.
 * - `false`: no config file is read.
 * - absent: `$MCP_JOBS_CONFIG` if set (it must exist), else
 *   `./mcp-jobs.config.json` in the working folder if it exists, else none.
 *
 * A file that is not JSON or does not match the schema is an error naming the
 * file and the field; nothing is registered from it.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { JobsError } from '../errors.js';
import { commandEntrySchema, configFileSchema, describeIssues, moduleEntrySchema, type ConfigEntry, type ConfigFile } from './schema.js';

/** The file looked for in the working folder when no config is named. */
export const CONFIG_FILE_NAME = 'mcp-jobs.config.json';

/** Which config file to read (absolute), or undefined for none. `explicit`: it must exist. */
export function locateConfig(config: string | false | undefined, cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): { path: string; explicit: boolean } | undefined {
  if (config === false) return undefined;
  if (config !== undefined) {
    if (typeof config !== 'string' || config === '') throw new JobsError('invalid_option', 'Expected `config` to be a path to a config file or false');
    return { path: resolve(cwd, config), explicit: true };
  }
  if (env.MCP_JOBS_CONFIG) return { path: resolve(cwd, env.MCP_JOBS_CONFIG), explicit: true };
  return { path: resolve(cwd, CONFIG_FILE_NAME), explicit: false };
}

/** An error about the config file at `path`. */
export function configError(path: string, message: string, cause?: unknown): JobsError {
  return new JobsError('invalid_option', `Config ${path}: ${message}`, cause === undefined ? undefined : { cause });
}

/**
 * Reads and checks the config file. Resolves to undefined when `explicit` is
 * false and the file does not exist.
 */
export async function readConfigFile(path: string, explicit = true): Promise<ConfigFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !explicit) return undefined;
    throw configError(path, code === 'ENOENT' ? 'the file does not exist' : `cannot read it: ${(error as Error).message}`, error);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw configError(path, `not valid JSON: ${(error as Error).message}`, error);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw configError(path, 'expected a JSON object like `{ "wrappers": [...] }`');
  const top = configFileSchema.safeParse(raw);
  if (!top.success) throw configError(path, describeIssues(top.error.issues, raw));
  const wrappers = (top.data.wrappers ?? []).map((entry, index) => parseEntry(path, entry, index));
  const discover = top.data.discover === undefined ? [] : [top.data.discover].flat();
  return { wrappers, discover };
}

function parseEntry(path: string, entry: unknown, index: number): ConfigEntry {
  const where = ['wrappers', index];
  if (typeof entry === 'string') entry = { module: entry };
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    throw configError(path, `wrappers[${index}]: expected a module path, \`{ "module": ... }\` or \`{ "command": [...], ... }\``);
  }
  const hasModule = 'module' in entry;
  const hasCommand = 'command' in entry;
  if (hasModule === hasCommand) {
    throw configError(path, `wrappers[${index}]: give exactly one of \`module\` (a wrapper module) or \`command\` (a program that speaks the job folder protocol)`);
  }
  if (hasModule) {
    const parsed = moduleEntrySchema.safeParse(entry);
    if (!parsed.success) throw configError(path, describeIssues(parsed.error.issues, entry, where));
    return { kind: 'module', ...parsed.data };
  }
  const parsed = commandEntrySchema.safeParse(entry);
  if (!parsed.success) throw configError(path, describeIssues(parsed.error.issues, entry, where));
  return { kind: 'command', ...parsed.data };
}
