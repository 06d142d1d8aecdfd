/**
 * `wait_for_job`: blocks up to `timeout_s` (at most 50 s, under the usual 60 s
 * client request timeout) and returns as soon as the job ends. While it waits,
 * a caller that gave a `progressToken` receives `notifications/progress` with
 * the job's progress (only increasing values, as the spec requires).
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { isTerminal, type JobProgress } from '../types.js';
import { guarded } from './errors.js';
import { structured } from './job-tools.js';
import { jobIdInput, waitOutputSchema } from './schemas.js';
import type { ToolContext } from './tool-options.js';
import { jobStatusOutput } from './views.js';

export const MAX_WAIT_S = 50;
const DEFAULT_WAIT_S = 30;

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** Forwards the job's progress events as `notifications/progress` for `token`; returns the unsubscribe. */
function forwardProgress(ctx: ToolContext, jobId: string, extra: Extra, first: JobProgress | undefined): () => void {
  const token = extra._meta?.progressToken;
  if (token === undefined) return () => {};
  let last = -Infinity;
  const send = (progress: JobProgress) => {
    if (!(progress.current > last)) return;
    last = progress.current;
    void extra
      .sendNotification({
        method: 'notifications/progress',
        params: { progressToken: token, progress: progress.current, total: progress.total, ...(progress.message ? { message: progress.message } : {}) },
      })
      .catch(() => {});
  };
  if (first) send(first);
  const onProgress = ({ id, progress }: { id: string; progress: JobProgress }) => {
    if (id === jobId) send(progress);
  };
  ctx.runner.on('job:progress', onProgress);
  return () => ctx.runner.off('job:progress', onProgress);
}

export function registerWaitTool(server: McpServer, ctx: ToolContext): string[] {
  server.registerTool(
    'wait_for_job',
    {
      title: 'Wait for job',
      description:
        `Waits until a job ends or \`timeout_s\` passes (default ${DEFAULT_WAIT_S}, at most ${MAX_WAIT_S}), then returns its status; \`finished\` says which. ` +
        'Sends progress notifications while waiting when the request carries a progressToken. Call again to keep waiting.',
      inputSchema: {
        job_id: jobIdInput,
        timeout_s: z.number().min(0).max(MAX_WAIT_S).optional().describe(`seconds to wait at most (default ${DEFAULT_WAIT_S}, max ${MAX_WAIT_S})`),
      },
      outputSchema: waitOutputSchema,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    guarded('wait_for_job', async ({ job_id, timeout_s }, extra) => {
      const started = performance.now();
      const first = await ctx.access.status(job_id);
      let view = first;
      if (!isTerminal(first.status)) {
        const stop = forwardProgress(ctx, first.id, extra, first.progress);
        try {
          view = await ctx.runner.wait(first.id, Math.round((timeout_s ?? DEFAULT_WAIT_S) * 1000), extra.signal);
        } finally {
          stop();
        }
      }
      const waited_s = Math.round((performance.now() - started) / 100) / 10;
      return structured({ ...jobStatusOutput(view), finished: isTerminal(view.status), waited_s });
    }),
  );
  return ['wait_for_job'];
}
