/**
 * `registerJobTools(mcpServer, runner, options?)`: adds the runner to any
 * McpServer — ours (`createJobsMcpServer`) or an existing one:
 *
 *     const runner = await createJobRunner({ jobsDir: './jobs' });
 *     const taskStore = new JobTaskStore(runner);
 *     const server = new McpServer({ name: 'my-server', version: '1.0.0' }, jobsServerOptions(taskStore));
 *     registerJobTools(server, runner, { taskStore });
 *     await server.connect(transport);
 *
 * Without a task store (`new McpServer(info)` + `registerJobTools(server, runner)`)
 * the start tools are plain tools; everything else is the same. Call it before
 * `connect()` (it declares capabilities), after registering the job types.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ServerOptions } from '@modelcontextprotocol/sdk/server/index.js';
import { JobsError } from '../errors.js';
import type { JobManager } from '../runner/job-manager.js';
import { installCallRouter } from './call-router.js';
import { registerPollingTools } from './job-tools.js';
import { forwardLogs } from './log-forwarding.js';
import { registerLogsTool } from './logs-tool.js';
import { installSubscriptions, registerResources } from './resources.js';
import { registerStartTools } from './start-tools.js';
import { registerStateTools } from './state-tools.js';
import type { JobTaskStore } from './task-store.js';
import { installTaskHandlers, tasksCapability } from './tasks.js';
import { toolContext, type JobToolsOptions } from './tool-options.js';
import { registerWaitTool } from './wait-tool.js';

export interface RegisteredJobTools {
  /** Every tool added: the start tools first, then the job tools. */
  readonly tools: string[];
  /** One per job type. */
  readonly startTools: string[];
  /** Native MCP Tasks are on (a task store was given). */
  readonly tasks: boolean;
  /** Detaches this registration from the runner's events (call when the server closes). Idempotent. */
  close(): void;
}

/** The names of the job tools; a job type may not take one of them. */
export const JOB_TOOL_NAMES = ['get_job_status', 'get_job_results', 'list_jobs', 'cancel_job', 'get_job_logs', 'wait_for_job', 'get_state', 'health'] as const;

/** McpServer constructor options for native Tasks: the capabilities and the task store. */
export function jobsServerOptions(taskStore: JobTaskStore, options: { instructions?: string } = {}): ServerOptions {
  return {
    capabilities: { tools: { listChanged: true }, resources: { subscribe: true, listChanged: true }, logging: {}, tasks: tasksCapability(taskStore.listsTasks) },
    taskStore,
    ...(options.instructions ? { instructions: options.instructions } : {}),
  };
}

function hasHandler(server: McpServer, method: string): boolean {
  try {
    server.server.assertCanSetRequestHandler(method);
    return false;
  } catch {
    return true;
  }
}

export function registerJobTools(mcpServer: McpServer, runner: JobManager, options: JobToolsOptions = {}): RegisteredJobTools {
  const store = options.taskStore;
  if (store) {
    if (store.runner !== runner) throw new JobsError('invalid_option', '`taskStore` serves another runner than the one given');
    if (options.owner !== undefined && store.owner !== options.owner) throw new JobsError('invalid_option', `\`owner\` (${options.owner}) differs from the task store's (${store.owner ?? 'none'})`);
    const installed = (mcpServer.server as unknown as Record<string, unknown>)._taskStore;
    if ('_taskStore' in mcpServer.server && installed !== store) {
      throw new JobsError('invalid_option', 'Construct the McpServer with this task store: new McpServer(info, jobsServerOptions(taskStore))');
    }
  }
  if (mcpServer.isConnected()) throw new JobsError('invalid_option', 'Call registerJobTools() before connecting the McpServer to a transport');
  const ctx = toolContext(runner, {
    ...options,
    ...(store
      ? { owner: store.owner, listTasks: store.listsTasks, pollIntervalMs: options.pollIntervalMs ?? store.ctx.pollIntervalMs, maxResultBytes: options.maxResultBytes ?? store.ctx.maxResultBytes }
      : {}),
  });

  // Each registration (one per HTTP session) listens to a dozen runner events, and each
  // waiting call to three more: Node's default warning threshold (10) is not a leak signal here.
  if (runner.getMaxListeners() !== 0 && runner.getMaxListeners() < 10_000) runner.setMaxListeners(10_000);

  const start = registerStartTools(mcpServer, ctx, new Set(JOB_TOOL_NAMES));
  const tools = [
    ...start.keys(),
    ...registerPollingTools(mcpServer, ctx),
    ...registerLogsTool(mcpServer, ctx),
    ...registerWaitTool(mcpServer, ctx),
    ...registerStateTools(mcpServer, ctx),
  ];
  registerResources(mcpServer, ctx);
  const detach = [installSubscriptions(mcpServer, ctx)];
  if (store) {
    detach.push(installTaskHandlers(mcpServer, ctx, store));
    installCallRouter(mcpServer, ctx, start);
  }
  // Server logs name jobs of every principal: forward them only where callers are not bound to one.
  if (ctx.owner === undefined && hasHandler(mcpServer, 'logging/setLevel')) {
    const transport = () => mcpServer.server.transport?.sessionId;
    detach.push(forwardLogs(mcpServer, transport));
  }
  let closed = false;
  return {
    tools,
    startTools: [...start.keys()],
    tasks: store !== undefined,
    close() {
      if (closed) return;
      closed = true;
      for (const stop of detach) stop();
    },
  };
}
