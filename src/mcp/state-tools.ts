/**
 * `get_state` (the state the reconciler builds from job results) and `health`.
 * State is shared by every caller; only its value and time are shown (not the
 * ids of the jobs it absorbed, which may belong to other principals).
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { JobsError } from '../errors.js';
import type { JobManager } from '../runner/job-manager.js';
import { assertField } from '../store/state-store.js';
import { guarded } from './errors.js';
import { healthReport } from './health.js';
import { structured } from './job-tools.js';
import { healthOutputSchema, stateOutputSchema } from './schemas.js';
import type { ToolContext } from './tool-options.js';

export interface StateFieldOutput {
  field: string;
  value: unknown;
  updated_at: string | null;
}

/** A state field's value; `not_found` naming the known fields when it does not exist. */
export async function readStateField(runner: JobManager, field: unknown): Promise<StateFieldOutput> {
  const name = assertField(field);
  const fields = await runner.state.fields();
  if (!fields.includes(name)) {
    throw new JobsError('not_found', `No state field \`${name}\` (fields: ${fields.join(', ') || 'none yet'})`);
  }
  const file = await runner.state.load(name);
  return { field: name, value: file.value ?? null, updated_at: file.updatedAt === new Date(0).toISOString() ? null : file.updatedAt };
}

export function registerStateTools(server: McpServer, ctx: ToolContext): string[] {
  server.registerTool(
    'get_state',
    {
      title: 'Get state',
      description: 'The state that completed jobs build up (their state patches). Without `field`: the list of fields. With `field`: its value.',
      inputSchema: { field: z.string().max(64).optional().describe('a state field name; omit to list the fields') },
      outputSchema: stateOutputSchema,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    guarded('get_state', async ({ field }) => {
      if (field === undefined) return structured({ fields: await ctx.runner.state.fields() });
      return structured(await readStateField(ctx.runner, field));
    }),
  );

  server.registerTool(
    'health',
    {
      title: 'Health',
      description: 'Server health: queued and running jobs, the concurrency cap, the file watcher, the last reconcile pass, uptime and version.',
      inputSchema: {},
      outputSchema: healthOutputSchema,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    guarded('health', async () => structured(await healthReport(ctx.runner))),
  );
  return ['get_state', 'health'];
}
