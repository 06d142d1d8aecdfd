/**
 * The classic polling tools, first-class for the many clients that do not
 * speak MCP Tasks: `get_job_status`, `get_job_results`, `list_jobs`,
 * `cancel_job`. (`wait_for_job`, `get_job_logs`, `get_state` and `health` are
 * in their own modules.) Every handler is guarded: failures are `isError`
 * results that name the problem.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { guarded } from './errors.js';
import { jobResultsOutput } from './results.js';
import { jobIdInput, jobStatusOutputSchema, listOutputSchema, resultsOutputSchema } from './schemas.js';
import type { ToolContext } from './tool-options.js';
import { jobStatusOutput, jobSummaryOutput } from './views.js';

/** A structured tool result with its JSON as text too (for clients that read only text). */
export function structured(value: object): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value) }], structuredContent: value as Record<string, unknown> };
}

const READ_ONLY = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;

export function registerPollingTools(server: McpServer, ctx: ToolContext): string[] {
  const { access } = ctx;

  server.registerTool(
    'get_job_status',
    {
      title: 'Job status',
      description: 'Status of a background job: status (queued, running, completed, failed, cancelled), progress, attempt, times, exit code and error.',
      inputSchema: { job_id: jobIdInput },
      outputSchema: jobStatusOutputSchema,
      annotations: READ_ONLY,
    },
    guarded('get_job_status', async ({ job_id }) => structured(jobStatusOutput(await access.status(job_id)))),
  );

  server.registerTool(
    'get_job_results',
    {
      title: 'Job results',
      description:
        `The result of a completed job (a result over ${Math.round(ctx.maxResultBytes / 1024)} KiB comes back truncated, with a job://<id>/results resource link that reads it in full). ` +
        'For a job that has not finished yet it says so; for a failed job it gives the error.',
      inputSchema: { job_id: jobIdInput },
      outputSchema: resultsOutputSchema,
      annotations: READ_ONLY,
    },
    guarded('get_job_results', async ({ job_id }) => jobResultsOutput(ctx, await access.status(job_id))),
  );

  server.registerTool(
    'list_jobs',
    {
      title: 'List jobs',
      description: 'Jobs, newest first, optionally filtered by status and type; pages of `limit` with `next_cursor`.',
      inputSchema: {
        status: z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']).optional().describe('only jobs in this status'),
        type: z.string().max(64).optional().describe('only jobs of this type (a start tool name)'),
        limit: z.number().int().min(1).max(100).optional().describe('jobs per page (default 20)'),
        cursor: z.string().max(200).optional().describe('the `next_cursor` of the previous page'),
      },
      outputSchema: listOutputSchema,
      annotations: READ_ONLY,
    },
    guarded('list_jobs', async ({ status, type, limit, cursor }) => {
      const page = await access.list({
        limit: limit ?? 20,
        ...(status ? { status } : {}),
        ...(type ? { type } : {}),
        ...(cursor ? { cursor } : {}),
      });
      return structured({ jobs: page.jobs.map(jobSummaryOutput), ...(page.nextCursor ? { next_cursor: page.nextCursor } : {}) });
    }),
  );

  server.registerTool(
    'cancel_job',
    {
      title: 'Cancel job',
      description: 'Cancels a job: a queued job never starts; a running one is stopped (SIGTERM to its process group, SIGKILL after a grace period). A job that already ended is left as it is.',
      inputSchema: { job_id: jobIdInput },
      outputSchema: jobStatusOutputSchema,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    guarded('cancel_job', async ({ job_id }) => {
      const record = await access.cancel(job_id);
      return structured(jobStatusOutput(await access.status(record.id)));
    }),
  );

  return ['get_job_status', 'get_job_results', 'list_jobs', 'cancel_job'];
}
