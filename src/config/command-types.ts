/**
 * Job types from `{ command }` entries: any program that speaks the job folder
 * protocol (docs/protocol.md), in any language. The config gives what a
 * wrapper module would define: name, description, input JSON Schema, defaults.
 *
 * Paths: `command[0]` containing a `/` and any argument starting with `./` or
 * `../` are resolved against the config file's folder and must exist; a bare
 * program name (`python3`) must be found on PATH. The input JSON Schema is
 * turned into a zod schema (`z.fromJSONSchema`) that validates input at submit.
 */
import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import type { JobType } from '../runner/registry.js';
import { EntryError } from './module-types.js';
import type { CommandEntry } from './schema.js';

const isFile = (path: string) => stat(path).then((s) => s.isFile(), () => false);
const isExecutable = (path: string) => access(path, constants.X_OK).then(() => true, () => false);

/** Where a bare program name is found on PATH, or undefined. */
export async function findOnPath(program: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, program);
    if ((await isFile(candidate)) && (await isExecutable(candidate))) return candidate;
  }
  return undefined;
}

async function resolveCommand(base: string, command: string[]): Promise<string[]> {
  const [program, ...args] = command as [string, ...string[]];
  let resolvedProgram = program;
  if (program.includes('/')) {
    resolvedProgram = resolve(base, program);
    if (!(await isFile(resolvedProgram))) throw new EntryError(`command[0]: program not found: ${resolvedProgram}`);
    if (!(await isExecutable(resolvedProgram))) throw new EntryError(`command[0]: ${resolvedProgram} is not executable (chmod +x, or run it through its interpreter)`);
  } else if (!(await findOnPath(program))) {
    throw new EntryError(`command[0]: program \`${program}\` not found on PATH`);
  }
  const resolvedArgs: string[] = [];
  for (const [i, arg] of args.entries()) {
    if (arg.startsWith('./') || arg.startsWith('../')) {
      const path = resolve(base, arg);
      if (!(await stat(path).then(() => true, () => false))) throw new EntryError(`command[${i + 1}]: file not found: ${path}`);
      resolvedArgs.push(path);
    } else resolvedArgs.push(arg);
  }
  return [resolvedProgram, ...resolvedArgs];
}

async function readInputSchema(base: string, spec: CommandEntry['inputSchema']): Promise<Record<string, unknown>> {
  if (typeof spec !== 'string') return spec;
  const path = isAbsolute(spec) ? spec : resolve(base, spec);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new EntryError(`inputSchema: ${code === 'ENOENT' ? `file not found: ${path}` : `cannot read ${path}: ${(error as Error).message}`}`, { cause: error });
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new EntryError(`inputSchema: ${path} does not hold a JSON object`);
  return raw as Record<string, unknown>;
}

/** A zod schema from a JSON Schema for a tool's input (an object). */
export function schemaFromJson(json: Record<string, unknown>): z.ZodType {
  if (json.type !== 'object') throw new EntryError(`inputSchema: expected \`"type": "object"\` (a tool's input is an object), got ${JSON.stringify(json.type)}`);
  let schema: z.ZodType;
  try {
    schema = z.fromJSONSchema(json as z.core.JSONSchema.JSONSchema);
    z.toJSONSchema(schema, { io: 'input' }); // the MCP layer and `--describe` turn it back into JSON Schema
  } catch (error) {
    throw new EntryError(`inputSchema: ${(error as Error).message}`, { cause: error });
  }
  return schema;
}

/** The job type of a `{ command }` entry; `base` is the config file's folder. */
export async function commandType(base: string, entry: CommandEntry): Promise<JobType> {
  const command = await resolveCommand(base, entry.command);
  const schema = schemaFromJson(await readInputSchema(base, entry.inputSchema));
  return {
    name: entry.name,
    description: entry.description,
    command,
    schema,
    ...(entry.timeoutMs === undefined ? {} : { timeoutMs: entry.timeoutMs }),
    ...(entry.statePatch ? { statePatch: entry.statePatch } : {}),
    allowStatePatchOverride: entry.allowStatePatchOverride ?? false,
    maxAttempts: entry.maxAttempts ?? 1,
  };
}
