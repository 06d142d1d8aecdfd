/**
 * `mcp-jobs types`: the registered job types (built-in, and from the config
 * file) with their description and input JSON Schema. Imports wrapper modules
 * only to read their definitions; changes nothing.
 */
import { Command } from 'commander';
import { z } from 'zod';
import type { JobType } from '../../runner/registry.js';
import { formatDuration } from '../duration.js';
import { paint, print, printJson } from '../output.js';
import { addCommonOptions, addTypeOptions } from '../options.js';
import { openManager, type OpenOptions } from '../runner.js';

type JsonSchema = { type?: string | string[]; properties?: Record<string, JsonSchema>; required?: string[]; description?: string; enum?: unknown[]; items?: JsonSchema };

export function inputSchema(type: JobType): JsonSchema {
  return z.toJSONSchema(type.schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

export function typesCommand(): Command {
  const command = new Command('types').description('list the registered job types with their input schema');
  addTypeOptions(command);
  addCommonOptions(command);
  return command.action(async (options: OpenOptions) => {
    const manager = await openManager('read', { ...options, types: true });
    const types = manager.registry.list();
    if (options.json) {
      printJson(
        types.map((type) => ({
          name: type.name,
          description: type.description,
          input_schema: inputSchema(type),
          timeout_ms: type.timeoutMs ?? manager.options.defaultTimeoutMs,
          max_attempts: type.maxAttempts ?? 1,
          state_patch: type.statePatch ?? null,
          allow_state_patch_override: type.allowStatePatchOverride ?? false,
          command: type.command,
        })),
      );
      return;
    }
    for (const [index, type] of types.entries()) {
      if (index) print();
      print(`${paint('bold', type.name)}  ${type.description}`);
      const timeout = type.timeoutMs ?? manager.options.defaultTimeoutMs;
      print(paint('dim', `  timeout ${timeout ? formatDuration(timeout) : 'none'}${(type.maxAttempts ?? 1) > 1 ? `, ${type.maxAttempts} attempts` : ''}${type.statePatch ? `, patches state/${type.statePatch.field}` : ''}`));
      for (const line of describeFields(inputSchema(type))) print(`  ${line}`);
    }
  });
}

/** One line per input field: `steps  integer, required  number of steps`. */
function describeFields(schema: JsonSchema): string[] {
  const properties = Object.entries(schema.properties ?? {});
  if (!properties.length) return [paint('dim', `input: ${JSON.stringify(schema)}`)];
  const required = new Set(schema.required ?? []);
  const width = Math.max(...properties.map(([name]) => name.length));
  return properties.map(([name, field]) => {
    const kind = field.enum ? field.enum.map((v) => JSON.stringify(v)).join(' | ') : [field.type ?? 'any'].flat().join(' | ') + (field.items?.type ? ` of ${[field.items.type].flat().join(' | ')}` : '');
    const need = required.has(name) ? 'required' : 'optional';
    return `${name.padEnd(width)}  ${paint('cyan', kind)}, ${need}${field.description ? `  ${paint('dim', field.description)}` : ''}`;
  });
}
