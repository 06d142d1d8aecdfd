/**
 * Native MCP Tasks (2025-11-25) over the job folders, in-process with the real
 * SDK Client: task id = job id, the status mapping, tasks/result blocking,
 * cancel, -32602 for bad ids and terminal cancels, ttl, status notifications.
 */
import { CallToolResultSchema, CreateTaskResultSchema, ErrorCode, McpError, TaskStatusNotificationSchema, type Task } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobManager } from '../../src/runner/job-manager.js';
import { sweepExpiredTasks } from '../../src/mcp/task-expiry.js';
import { tempDir, waitFor } from '../helpers.js';
import { callOk, connectInProcess, distRunner, startSimulate, type Connected } from './helpers.js';

let runner: JobManager;
let conn: Connected;
const notified: Task[] = [];

beforeAll(async () => {
  runner = await distRunner(tempDir());
  conn = await connectInProcess(runner, { pollIntervalMs: 100 });
  conn.client.setNotificationHandler(TaskStatusNotificationSchema, (n) => void notified.push(n.params as Task));
});
afterAll(async () => {
  await conn?.close();
  await runner?.close();
});

async function createTask(args: Record<string, unknown>, ttl?: number): Promise<Task> {
  const stream = conn.client.experimental.tasks.callToolStream({ name: 'simulate', arguments: args }, undefined, { task: ttl === undefined ? {} : { ttl } });
  for await (const message of stream) {
    if (message.type === 'taskCreated') return message.task;
    if (message.type === 'error') throw message.error;
  }
  throw new Error('no task created');
}

async function rpcError(promise: Promise<unknown>): Promise<McpError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(McpError);
  return error as McpError;
}

describe('callToolStream', () => {
  it('creates a task whose id is the job id, follows it, and yields the tool result', async () => {
    const messages: { type: string; status?: string }[] = [];
    let result: unknown;
    const stream = conn.client.experimental.tasks.callToolStream({ name: 'simulate', arguments: { steps: 3, step_ms: 50, seed: 'x' } });
    let taskId = '';
    for await (const message of stream) {
      messages.push({ type: message.type, ...('task' in message ? { status: message.task.status } : {}) });
      if (message.type === 'taskCreated') taskId = message.task.taskId;
      if (message.type === 'result') result = message.result;
      if (message.type === 'error') throw message.error;
    }
    expect(messages[0]).toEqual({ type: 'taskCreated', status: 'working' });
    expect(messages.at(-1)).toEqual({ type: 'result' });
    expect(result).toMatchObject({ structuredContent: { steps: 3, checksum: expect.any(String) } });
    const status = await callOk(conn.client, 'get_job_status', { job_id: taskId });
    expect(status).toMatchObject({ status: 'completed', type: 'simulate' });
  });

  it('answers invalid arguments of a task call with -32602 naming the field', async () => {
    const error = await rpcError(createTask({ steps: 1 }));
    expect(error.code).toBe(ErrorCode.InvalidParams);
    expect(error.message).toMatch(/step_ms/);
  });
});

describe('getTask, getTaskResult, cancelTask', () => {
  it('tasks/result blocks until the job ends, then returns its result', async () => {
    const task = await createTask({ steps: 4, step_ms: 100 });
    expect(task).toMatchObject({ status: 'working', pollInterval: 100, ttl: null });
    const result = await conn.client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema);
    expect(result).toMatchObject({ structuredContent: { steps: 4 }, _meta: { 'io.modelcontextprotocol/related-task': { taskId: task.taskId } } });
    const done = await conn.client.experimental.tasks.getTask(task.taskId);
    expect(done).toMatchObject({ taskId: task.taskId, status: 'completed', statusMessage: 'completed' });
    await waitFor(() => notified.some((n) => n.taskId === task.taskId && n.status === 'completed'), 'a completed status notification');
  });

  it('a failed job is a failed task whose result is an error result', async () => {
    const task = await createTask({ steps: 3, step_ms: 10, fail_at_step: 1 });
    const result = await conn.client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema);
    expect(result).toMatchObject({ isError: true });
    const failed = await conn.client.experimental.tasks.getTask(task.taskId);
    expect(failed.status).toBe('failed');
    expect(failed.statusMessage).toMatch(/simulated failure at step 1/);
  });

  it('cancelTask stops the worker; cancelling a terminal task is -32602', async () => {
    const task = await createTask({ steps: 100, step_ms: 100 });
    await waitFor(async () => (await callOk(conn.client, 'get_job_status', { job_id: task.taskId })).status === 'running', 'running');
    const cancelled = await conn.client.experimental.tasks.cancelTask(task.taskId);
    expect(cancelled).toMatchObject({ taskId: task.taskId, status: 'cancelled' });
    const status = await callOk(conn.client, 'get_job_status', { job_id: task.taskId });
    expect(status.status).toBe('cancelled');
    const again = await rpcError(conn.client.experimental.tasks.cancelTask(task.taskId));
    expect(again.code).toBe(ErrorCode.InvalidParams);
    expect(again.message).toMatch(/terminal status: cancelled/);
    const result = await conn.client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema);
    expect(result).toMatchObject({ isError: true });
  });

  it('malformed and unknown task ids are -32602', async () => {
    const malformed = await rpcError(conn.client.experimental.tasks.getTask('../../etc/passwd'));
    expect(malformed.code).toBe(ErrorCode.InvalidParams);
    expect(malformed.message).toMatch(/Expected a job id/);
    const unknown = await rpcError(conn.client.experimental.tasks.getTask('0000000000-00000000-0000-0000-0000-000000000000'));
    expect(unknown.code).toBe(ErrorCode.InvalidParams);
    for (const call of [conn.client.experimental.tasks.getTaskResult('nope', CallToolResultSchema), conn.client.experimental.tasks.cancelTask('0000000000-00000000-0000-0000-0000-000000000000')]) {
      expect((await rpcError(call)).code).toBe(ErrorCode.InvalidParams);
    }
  });

  it('a job started by a plain call is a task too', async () => {
    const id = await startSimulate(conn.client, { steps: 1, step_ms: 0 });
    const result = await conn.client.experimental.tasks.getTaskResult(id, CallToolResultSchema);
    expect(result).toMatchObject({ structuredContent: { steps: 1 } });
  });
});

describe('capabilities, ttl and expiry', () => {
  it('declares tasks for tools/call and cancel, but not tasks/list without auth (and does not serve it)', async () => {
    expect(conn.client.getServerCapabilities()?.tasks).toEqual({ cancel: {}, requests: { tools: { call: {} } } });
    const error = await rpcError(conn.client.experimental.tasks.listTasks());
    expect(error.code).toBe(ErrorCode.MethodNotFound);
  });

  it('honours a requested ttl within bounds and removes the finished task once it has passed', async () => {
    const short = await createTask({ steps: 1, step_ms: 0 }, 5);
    expect(short.ttl).toBe(60_000);
    const task = await createTask({ steps: 1, step_ms: 0 }, 120_000);
    expect(task.ttl).toBe(120_000);
    await conn.client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema);
    const plain = await startSimulate(conn.client, { steps: 1, step_ms: 0 });
    await conn.client.experimental.tasks.getTaskResult(plain, CallToolResultSchema);
    expect(await sweepExpiredTasks(runner, 60_000, Date.now())).not.toContain(task.taskId);
    const removed = await sweepExpiredTasks(runner, 60_000, Date.now() + 121_000);
    expect(removed).toContain(task.taskId);
    expect(removed).not.toContain(plain);
    expect((await rpcError(conn.client.experimental.tasks.getTask(task.taskId))).code).toBe(ErrorCode.InvalidParams);
  });

  it('honours a requested pollInterval within bounds', async () => {
    const ask = (pollInterval: number) =>
      conn.client.request({ method: 'tools/call', params: { name: 'simulate', arguments: { steps: 1, step_ms: 0 }, task: { pollInterval } } }, CreateTaskResultSchema);
    const { task } = await ask(250);
    expect(task.pollInterval).toBe(250);
    expect((await conn.client.experimental.tasks.getTask(task.taskId)).pollInterval).toBe(250);
    expect((await ask(1)).task.pollInterval).toBe(100);
  });
});
