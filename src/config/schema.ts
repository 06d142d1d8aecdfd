/**
 * The config file's shape (`mcp-jobs.config.json`), checked with zod. Every
 * problem is reported with the field's path and what was expected, e.g.
 * ``wrappers[1].timeoutMs: expected a non-negative integer (ms; 0 = none), got `-5` (number)``.
 *
 *     {
 *       "wrappers": [
 *         "./dist/wrappers/word-count.js",
 *         { "module": "./dist/wrappers/render.js", "timeoutMs": 600000 },
 *         { "name": "text_stats", "description": "...", "command": ["python3", "./wrappers/text_stats.py"],
 *           "inputSchema": { "type": "object", ... } }
 *       ],
 *       "discover": "./dist/wrappers"
 *     }
 *
 * See docs/writing-wrappers.md for every key and its default.
 */
import { z } from 'zod';
import { describeValue } from '../errors.js';
import { statePatchSchema } from '../store/schemas.js';

const NAME = /^[a-z][a-z0-9_]{0,63}$/;

/** Keys every entry may set: they override the wrapper's own defaults. */
const defaultsShape = {
  description: z.string().min(1).max(4096).optional(),
  timeoutMs: z.number().int().min(0).optional(),
  statePatch: statePatchSchema.optional(),
  allowStatePatchOverride: z.boolean().optional(),
  maxAttempts: z.number().int().min(1).max(100).optional(),
};

export const moduleEntrySchema = z.strictObject({
  module: z.string().min(1),
  ...defaultsShape,
});

export const commandEntrySchema = z.strictObject({
  name: z.string().regex(NAME),
  command: z.array(z.string().min(1)).min(1),
  inputSchema: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
  ...defaultsShape,
  description: z.string().min(1).max(4096),
});

export const configFileSchema = z.strictObject({
  $schema: z.string().optional(),
  wrappers: z.array(z.unknown()).optional(),
  discover: z.union([z.string().min(1), z.array(z.string().min(1))]).optional(),
});

export type ModuleEntry = z.infer<typeof moduleEntrySchema>;
export type CommandEntry = z.infer<typeof commandEntrySchema>;
export type ConfigEntry = ({ kind: 'module' } & ModuleEntry) | ({ kind: 'command' } & CommandEntry);

/** The config file once checked: entries typed, paths still as written. */
export interface ConfigFile {
  wrappers: ConfigEntry[];
  discover: string[];
}

/** What each key must be, for messages (by the key's name). */
const EXPECTED: Record<string, string> = {
  $schema: 'a string',
  wrappers: 'an array of entries (a module path, `{ "module": ... }` or `{ "command": [...], ... }`)',
  discover: 'a folder path or an array of folder paths',
  module: 'a non-empty path to a compiled wrapper module (.js or .mjs)',
  name: 'a job type name: a lowercase letter, then up to 63 of a-z 0-9 _',
  command: 'a non-empty array of non-empty strings (argv; no shell)',
  inputSchema: 'a JSON Schema object (`{ "type": "object", ... }`) or a path to a .json file holding one',
  description: 'a non-empty string (what the job does; shown to agents)',
  timeoutMs: 'a non-negative integer (ms; 0 = none)',
  statePatch: '`{ "field": ..., "mode": "replace" | "merge" | "append", "pointer"?: ... }`',
  allowStatePatchOverride: 'a boolean',
  maxAttempts: 'an integer from 1 to 100',
  field: 'a field name: a letter, then up to 63 of A-Z a-z 0-9 _ . -',
  mode: '"replace", "merge" or "append"',
  pointer: 'a JSON pointer like /a/b/0',
};

/** Formats a path like `wrappers[1].statePatch.mode`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i ? '.' : ''}${String(key)}`)).join('');
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) node = node !== null && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined;
  return node;
}

/** One line per problem (first five), each naming the field and what it must be. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], root: unknown, prefix: readonly PropertyKey[] = []): string {
  return issues
    .slice(0, 5)
    .map((issue) => {
      const path = [...prefix, ...issue.path];
      const where = formatPath(path) || 'the config';
      if (issue.code === 'unrecognized_keys') return `${where}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `\`${k}\``).join(', ')}`;
      const value = valueAt(root, issue.path);
      const last = [...path].reverse().find((key) => typeof key === 'string') as string | undefined;
      const expected = last !== undefined ? EXPECTED[last] : undefined;
      if (value === undefined) return `${where}: missing, expected ${expected ?? issue.message}`;
      return `${where}: expected ${expected ?? issue.message}, got ${describeValue(value)}`;
    })
    .join('; ');
}
