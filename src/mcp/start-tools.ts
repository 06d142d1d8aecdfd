/**
 * Start tools: one per registered job type (`simulate`, `run_command` when
 * allowed, wrappers from the config). The input schema is the type's zod
 * schema plus `priority`, `timeout_s` and, where the type allows it,
 * `state_patch` (a field the type's own schema already has keeps its meaning).
 *
 * A plain call returns at once with `{ job_id, status, poll_interval_ms,
 * message }` (as `structuredContent` and as text). A task-augmented call
 * (MCP Tasks) returns `{ task }` whose id is the job id. There is no
 * `outputSchema`: the immediate answer and the task's final result differ.
 */
import type { ToolTaskHandler } from '@modelcontextprotocol/sdk/experimental/tasks';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, CreateTaskResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { JobsError } from '../errors.js';
import type { JobType } from '../runner/registry.js';
import { formatIssues } from '../store/atomic.js';
import { statePatchSchema } from '../store/schemas.js';
import type { StatePatch, SubmitOptions } from '../types.js';
import { guarded } from './errors.js';
import { protoKeyPath } from './proto-keys.js';
import type { ToolContext } from './tool-options.js';
import { TASK_LABELS } from './views.js';

const EXTRAS = {
  priority: z.number().int().min(-1000).max(1000).optional().describe('higher runs first (default 0)'),
  timeout_s: z.number().min(0).max(30 * 86_400).optional().describe('stop the job as failed (timeout) after this many seconds; 0 = no timeout; default: the job type\'s'),
  state_patch: statePatchSchema
    .nullable()
    .optional()
    .describe('put the result (or the part at JSON pointer `pointer`) into state field `field` (mode replace, merge or append); null: no patch'),
} as const;

type ExtraName = keyof typeof EXTRAS;

export interface StartTool {
  name: string;
  type: JobType;
  /** What the tool validates: the type's fields plus the extras it gained. */
  schema: z.ZodObject;
  extras: ExtraName[];
  /** The type's schema is not an object: its input travels as `input`. */
  wrapped: boolean;
}

function isObjectSchema(schema: z.ZodType): schema is z.ZodObject {
  const candidate = schema as unknown as { shape?: unknown; extend?: unknown };
  return typeof candidate.shape === 'object' && candidate.shape !== null && typeof candidate.extend === 'function';
}

export function startTool(type: JobType): StartTool {
  const wrapped = !isObjectSchema(type.schema);
  const base = isObjectSchema(type.schema) ? type.schema : z.object({ input: type.schema.describe('the job input') });
  const wanted: ExtraName[] = ['priority', 'timeout_s', ...(type.allowStatePatchOverride ? (['state_patch'] as const) : [])];
  const extras = wanted.filter((name) => !(name in base.shape));
  const shape = Object.fromEntries(extras.map((name) => [name, EXTRAS[name]]));
  return { name: type.name, type, schema: base.extend(shape), extras, wrapped };
}

/** Validates the arguments of a start tool; `invalid_input` naming the field. */
export function parseStartArguments(tool: StartTool, args: unknown): Record<string, unknown> {
  const holder = protoKeyPath(args);
  if (holder !== undefined) throw new JobsError('invalid_input', `Invalid arguments for \`${tool.name}\`: ${holder ? `${holder}: ` : ''}Unrecognized key: "__proto__"`);
  const parsed = tool.schema.safeParse(args ?? {});
  if (!parsed.success) throw new JobsError('invalid_input', `Invalid arguments for \`${tool.name}\`: ${formatIssues(parsed.error.issues)}`);
  return parsed.data as Record<string, unknown>;
}

/** What a task-augmented call asked for, as the task store granted it; recorded as labels in job.json. */
export interface TaskTerms {
  ttlMs: number | null;
  pollIntervalMs?: number;
}

/** Submits the job for validated arguments; a task-augmented call records its task terms. */
export async function submitStart(ctx: ToolContext, tool: StartTool, args: Record<string, unknown>, task?: TaskTerms): Promise<string> {
  const input: Record<string, unknown> = { ...args };
  const options: SubmitOptions = {};
  for (const name of tool.extras) delete input[name];
  if (tool.extras.includes('priority') && args.priority !== undefined) options.priority = args.priority as number;
  if (tool.extras.includes('timeout_s') && args.timeout_s !== undefined) options.timeoutMs = Math.ceil((args.timeout_s as number) * 1000); // up: a tiny timeout is 1 ms, never 0 (= none)
  if (tool.extras.includes('state_patch') && args.state_patch !== undefined) options.statePatch = args.state_patch as StatePatch | null;
  if (ctx.owner !== undefined) options.owner = ctx.owner;
  const labels: Record<string, string> = {};
  if (task?.ttlMs !== undefined && task.ttlMs !== null) labels[TASK_LABELS.ttl] = String(task.ttlMs);
  if (task?.pollIntervalMs !== undefined) labels[TASK_LABELS.pollInterval] = String(task.pollIntervalMs);
  if (Object.keys(labels).length) options.labels = labels;
  const { jobId } = await ctx.runner.submit(tool.type.name, tool.wrapped ? input.input : input, options);
  return jobId;
}

/** The immediate answer of a plain start call. */
export function startedResult(ctx: ToolContext, tool: StartTool, jobId: string): CallToolResult {
  const message =
    `Started ${tool.name} job ${jobId}; it runs in the background. ` +
    `Poll get_job_status with this job_id about every ${ctx.pollIntervalMs / 1000} s (or call wait_for_job), then get_job_results.`;
  const structuredContent = { job_id: jobId, status: 'queued', poll_interval_ms: ctx.pollIntervalMs, message };
  return { content: [{ type: 'text', text: JSON.stringify(structuredContent) }], structuredContent };
}

/** The answer of a task-augmented start call: the job as a task. */
export async function createdTask(ctx: ToolContext, tool: StartTool, jobId: string): Promise<CreateTaskResult> {
  if (!ctx.taskStore) throw new JobsError('disabled', 'This server has no task store: call the tool without `task`');
  const task = await ctx.taskStore.task(jobId);
  return { task, _meta: { 'io.modelcontextprotocol/model-immediate-response': `Started ${tool.name} job ${jobId} as a background task.` } };
}

const ANNOTATIONS = { readOnlyHint: false, idempotentHint: false, openWorldHint: false } as const;

/**
 * Registers a start tool per job type. With a task store the tools are
 * task-capable; the call router (call-router.ts) answers plain calls at once.
 */
export function registerStartTools(server: McpServer, ctx: ToolContext, reserved: ReadonlySet<string>): Map<string, StartTool> {
  const tools = new Map<string, StartTool>();
  for (const type of ctx.runner.registry.list()) {
    if (reserved.has(type.name)) throw new JobsError('invalid_option', `Job type \`${type.name}\` has the name of a job tool; rename the type`);
    const tool = startTool(type);
    const config = { title: type.name, description: `${type.description} Runs in the background: returns a job_id at once.`, inputSchema: tool.schema, annotations: ANNOTATIONS };
    const direct = guarded(tool.name, async (args: unknown) => startedResult(ctx, tool, await submitStart(ctx, tool, parseStartArguments(tool, args))));
    if (ctx.taskStore) {
      const store = ctx.taskStore;
      const handler: ToolTaskHandler<z.ZodObject> = {
        // Reached only when the call router is not installed (see call-router.ts).
        createTask: async (args, extra) => {
          const jobId = await submitStart(ctx, tool, parseStartArguments(tool, args), { ttlMs: store.ttlFor(extra.taskRequestedTtl) });
          const task = await extra.taskStore.createTask({ ttl: store.ttlFor(extra.taskRequestedTtl), context: { jobId } });
          return { task };
        },
        getTask: async (_args, extra) => store.task(extra.taskId),
        getTaskResult: async (_args, extra) => (await store.getTaskResult(extra.taskId)) as CallToolResult,
      };
      server.experimental.tasks.registerToolTask(tool.name, { ...config, execution: { taskSupport: 'optional' } }, handler);
    } else {
      server.registerTool(tool.name, config, direct);
    }
    tools.set(tool.name, tool);
  }
  return tools;
}
