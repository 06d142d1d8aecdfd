/**
 * The call router: answers `tools/call` for the start tools before the SDK's
 * McpServer does, and hands every other call to it unchanged.
 *
 * Why: SDK 1.x runs a task-capable tool (`taskSupport: 'optional'`) that is
 * called *without* `task` by creating the task and polling it until it ends
 * (`handleAutomaticTaskPolling`): a start tool would block for the whole job
 * instead of returning its job id at once. And for a task-augmented call whose
 * arguments are invalid, the SDK replaces the message naming the field with a
 * schema error about the missing `task`. The router gives both answers
 * directly:
 *
 * - plain call → validate, submit, `{ job_id, status, poll_interval_ms, message }`
 *   (failures: an `isError` result naming the problem);
 * - task-augmented call → validate, submit, `{ task }` (failures: -32602 naming
 *   the problem, since a CreateTaskResult cannot carry `isError`).
 *
 * It reaches the SDK's handler table (a private field of `Protocol`); if a
 * future SDK moves it, `installCallRouter` returns false and the SDK's own
 * handling stays in place (correct, but plain calls then wait for the job).
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CallToolRequestSchema, ErrorCode, McpError, type Result } from '@modelcontextprotocol/sdk/types.js';
import { log } from '../log.js';
import { createdTask, parseStartArguments, startedResult, submitStart, type StartTool } from './start-tools.js';
import { describeValue } from '../errors.js';
import { guarded, protocolError, toolError } from './errors.js';
import type { ToolContext } from './tool-options.js';

const MAX_TOOL_NAME = 256;

type RawHandler = (request: { method: string; params?: Record<string, unknown> }, extra: unknown) => Promise<Result>;

export function installCallRouter(server: McpServer, ctx: ToolContext, tools: ReadonlyMap<string, StartTool>): boolean {
  const table = (server.server as unknown as { _requestHandlers?: unknown })._requestHandlers;
  const original = table instanceof Map ? (table.get('tools/call') as RawHandler | undefined) : undefined;
  if (!(table instanceof Map) || typeof original !== 'function') {
    log.warn('mcp-jobs: could not install the start-tool call router (SDK internals changed); plain start calls will wait for their job');
    return false;
  }
  const handlers = table as Map<string, RawHandler>;
  handlers.set('tools/call', async (request, extra) => {
    const name = request.params?.name;
    const tool = typeof name === 'string' ? tools.get(name) : undefined;
    // No tool has a name this long (MCP suggests at most 128 characters); the SDK's answer would quote all of it.
    if (typeof name === 'string' && name.length > MAX_TOOL_NAME) return toolError(new McpError(ErrorCode.InvalidParams, `Tool ${describeValue(name)} not found`), 'tools/call');
    if (!tool) return original(request, extra);
    const parsed = CallToolRequestSchema.safeParse(request);
    if (!parsed.success) throw new McpError(ErrorCode.InvalidParams, `Invalid tools/call request: ${parsed.error.message}`);
    const { task } = parsed.data.params;
    // The raw arguments: the protocol schema rebuilds the object and drops an own `__proto__` key, which must be refused instead.
    const args = request.params?.arguments;
    if (!task) {
      return guarded(tool.name, async () => startedResult(ctx, tool, await submitStart(ctx, tool, parseStartArguments(tool, args))))();
    }
    if (!ctx.taskStore) throw new McpError(ErrorCode.InvalidParams, `Tool ${tool.name} was called with \`task\` but this server has no task store`);
    try {
      // The protocol schema keeps only `ttl` of `task`; a `pollInterval` a client asks for is read from the raw request.
      const requestedPoll = (request.params?.task as { pollInterval?: unknown } | undefined)?.pollInterval;
      const terms = { ttlMs: ctx.taskStore.ttlFor(task.ttl), ...ctx.taskStore.pollIntervalFor(requestedPoll) };
      const jobId = await submitStart(ctx, tool, parseStartArguments(tool, args), terms);
      return await createdTask(ctx, tool, jobId);
    } catch (error) {
      throw protocolError(error);
    }
  });
  return true;
}
