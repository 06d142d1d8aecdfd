/**
 * Native MCP Tasks on top of the SDK's built-in handlers (which serve
 * `tasks/get` and `tasks/cancel` from the JobTaskStore):
 *
 * - `tasks/result` blocks until the job is terminal, woken by the runner's
 *   events (the SDK's own handler polls every `pollInterval`), then returns the
 *   tool result, or the error result of a failed or cancelled job.
 * - `tasks/list` is served only where it is declared (HTTP with tokens, where
 *   it lists the caller's own jobs); elsewhere it is not a method at all.
 * - `notifications/tasks/status` goes out when a job the caller can see
 *   starts, ends or is queued again for a retry.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, GetTaskPayloadRequestSchema, McpError, RELATED_TASK_META_KEY, type ServerCapabilities } from '@modelcontextprotocol/sdk/types.js';
import { log } from '../log.js';
import { isTerminal, type JobRecord } from '../types.js';
import { protocolError } from './errors.js';
import { taskToolResult } from './results.js';
import type { JobTaskStore } from './task-store.js';
import type { ToolContext } from './tool-options.js';
import { taskFromJob } from './views.js';

/** The `tasks` capability: tool calls may be tasks, tasks may be cancelled, and (with auth) listed. */
export function tasksCapability(listTasks: boolean): NonNullable<ServerCapabilities['tasks']> {
  return { ...(listTasks ? { list: {} } : {}), cancel: {}, requests: { tools: { call: {} } } };
}

/** Installs the task method handlers; returns a function that detaches the status notifications. */
export function installTaskHandlers(server: McpServer, ctx: ToolContext, store: JobTaskStore): () => void {
  server.server.setRequestHandler(GetTaskPayloadRequestSchema, async (request, extra) => {
    const taskId = request.params.taskId;
    try {
      let view = await ctx.access.status(taskId);
      while (!isTerminal(view.status)) {
        if (extra.signal.aborted) throw new McpError(ErrorCode.InvalidRequest, 'Request cancelled');
        view = await ctx.runner.wait(view.id, 60_000, extra.signal);
      }
      const result = await taskToolResult(ctx, view);
      return { ...result, _meta: { ...result._meta, [RELATED_TASK_META_KEY]: { taskId: view.id } } };
    } catch (error) {
      throw protocolError(error);
    }
  });
  if (!ctx.listTasks) server.server.removeRequestHandler('tasks/list');

  const notify = (record: JobRecord) => {
    if (!ctx.access.canSee(record) || !server.isConnected()) return;
    const params = taskFromJob(record, store.ctx);
    server.server.notification({ method: 'notifications/tasks/status', params }).catch((error: Error) => {
      log.debug(`notifications/tasks/status for ${record.id} not sent: ${error.message}`);
    });
  };
  const events = ['job:started', 'job:completed', 'job:failed', 'job:cancelled', 'job:retry'] as const;
  for (const event of events) ctx.runner.on(event, notify);
  return () => {
    for (const event of events) ctx.runner.off(event, notify);
  };
}
