/**
 * Resources and subscriptions, and principal isolation on every entry point:
 * two servers bound to two principals share one runner; each one's job ids
 * answer the other exactly as a nonexistent id does.
 */
import { CallToolResultSchema, LoggingMessageNotificationSchema, McpError, ResourceUpdatedNotificationSchema, TaskStatusNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { log } from '../../src/log.js';
import type { JobManager } from '../../src/runner/job-manager.js';
import { tempDir, waitFor } from '../helpers.js';
import { call, callOk, connectInProcess, distRunner, pollStatus, startSimulate, textOf, resourceText, type Connected } from './helpers.js';

let runner: JobManager;
let alice: Connected;
let bob: Connected;
const NONEXISTENT = '0000000000-00000000-0000-0000-0000-000000000000';

beforeAll(async () => {
  runner = await distRunner(tempDir());
  alice = await connectInProcess(runner, { owner: 'alice', listTasks: true });
  bob = await connectInProcess(runner, { owner: 'bob', listTasks: true });
});
afterAll(async () => {
  await alice?.close();
  await bob?.close();
  await runner?.close();
});

describe('resources', () => {
  it('reads job://<id>, job://<id>/results and state://<field>', async () => {
    const id = await startSimulate(alice.client, { steps: 2, step_ms: 0, state_patch: { field: 'last', mode: 'replace' } });
    await pollStatus(alice.client, id, (s) => s.status === 'completed', 'completion');
    const job = await alice.client.readResource({ uri: `job://${id}` });
    expect(JSON.parse(resourceText(job))).toMatchObject({ job_id: id, status: 'completed' });
    const results = await alice.client.readResource({ uri: `job://${id}/results` });
    expect(JSON.parse(resourceText(results))).toMatchObject({ steps: 2 });
    await waitFor(async () => (await runner.state.fields()).includes('last'), 'state field');
    const state = await alice.client.readResource({ uri: 'state://last' });
    expect(JSON.parse(resourceText(state))).toMatchObject({ field: 'last', value: { steps: 2 } });
    const { resourceTemplates } = await alice.client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate).sort()).toEqual(['job://{id}', 'job://{id}/results', 'state://{field}']);
    const { resources } = await alice.client.listResources();
    expect(resources.map((r) => r.uri)).toEqual(expect.arrayContaining([`job://${id}`, 'state://last']));
  });

  it('subscriptions bring notifications/resources/updated for the job and its results', async () => {
    const updates: string[] = [];
    alice.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updates.push(n.params.uri));
    const id = await startSimulate(alice.client, { steps: 3, step_ms: 100 });
    await alice.client.subscribeResource({ uri: `job://${id}` });
    await alice.client.subscribeResource({ uri: `job://${id}/results` });
    await pollStatus(alice.client, id, (s) => s.status === 'completed', 'completion');
    await waitFor(() => updates.includes(`job://${id}/results`), 'results updated');
    expect(updates.filter((uri) => uri === `job://${id}`).length).toBeGreaterThan(1);
    await alice.client.unsubscribeResource({ uri: `job://${id}` });
    const bad = await alice.client.subscribeResource({ uri: 'file:///etc/passwd' }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(McpError);
  });
});

describe('principals', () => {
  it('jobs are bound to their principal; lists show only one\'s own', async () => {
    const mine = await startSimulate(alice.client, { steps: 1, step_ms: 0 });
    const record = await runner.store.get(mine);
    expect(record.owner).toBe('alice');
    const bobs = await callOk<{ jobs: { job_id: string }[] }>(bob.client, 'list_jobs', { limit: 100 });
    expect(bobs.jobs.map((j) => j.job_id)).not.toContain(mine);
    const alices = await callOk<{ jobs: { job_id: string }[] }>(alice.client, 'list_jobs', { limit: 100 });
    expect(alices.jobs.map((j) => j.job_id)).toContain(mine);
    const tasks = await bob.client.experimental.tasks.listTasks();
    expect(tasks.tasks.map((t) => t.taskId)).not.toContain(mine);
    expect((await alice.client.experimental.tasks.listTasks()).tasks.map((t) => t.taskId)).toContain(mine);
  });

  it("another principal's job id answers exactly as a nonexistent one, on every tool, resource and task method", async () => {
    const id = await startSimulate(alice.client, { steps: 40, step_ms: 100 });
    const same = (text: string) => text.replaceAll(id, '<id>').replaceAll(NONEXISTENT, '<id>');
    for (const tool of ['get_job_status', 'get_job_results', 'cancel_job', 'get_job_logs', 'wait_for_job']) {
      const foreign = await call(bob.client, tool, { job_id: id, ...(tool === 'wait_for_job' ? { timeout_s: 0 } : {}) });
      const missing = await call(bob.client, tool, { job_id: NONEXISTENT, ...(tool === 'wait_for_job' ? { timeout_s: 0 } : {}) });
      expect(foreign.isError, tool).toBe(true);
      expect(same(textOf(foreign)), tool).toBe(same(textOf(missing)));
    }
    const errorOf = async (p: Promise<unknown>) => {
      const e = (await p.then(() => undefined, (err: unknown) => err)) as McpError;
      expect(e).toBeInstanceOf(McpError);
      return `${e.code} ${same(e.message)}`;
    };
    const tasks = bob.client.experimental.tasks;
    const methods: [string, (x: string) => Promise<unknown>][] = [
      ['resources/read', (x) => bob.client.readResource({ uri: `job://${x}` })],
      ['resources/read results', (x) => bob.client.readResource({ uri: `job://${x}/results` })],
      ['resources/subscribe', (x) => bob.client.subscribeResource({ uri: `job://${x}` })],
      ['tasks/get', (x) => tasks.getTask(x)],
      ['tasks/result', (x) => tasks.getTaskResult(x, CallToolResultSchema)],
      ['tasks/cancel', (x) => tasks.cancelTask(x)],
    ];
    for (const [name, method] of methods) expect(await errorOf(method(id)), name).toBe(await errorOf(method(NONEXISTENT)));
    // Nothing bob did touched alice's job.
    expect((await callOk(alice.client, 'get_job_status', { job_id: id })).status).not.toBe('cancelled');
    await callOk(alice.client, 'cancel_job', { job_id: id });
  });

  it('server logs reach unbound connections as MCP logging notifications, never principal-bound ones', async () => {
    const admin = await connectInProcess(runner);
    try {
      const received: Record<string, string[]> = { admin: [], alice: [] };
      admin.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void received.admin!.push(String(n.params.data)));
      alice.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void received.alice!.push(String(n.params.data)));
      log.warn('a record naming some job');
      await waitFor(() => received.admin!.includes('a record naming some job'), 'the logging notification');
      await callOk(alice.client, 'health'); // a round trip: anything sent to alice before it has arrived
      expect(received.alice).toEqual([]);
    } finally {
      await admin.close();
    }
  });

  it("task status notifications go only to the job's principal", async () => {
    const seen: Record<string, string[]> = { alice: [], bob: [] };
    alice.client.setNotificationHandler(TaskStatusNotificationSchema, (n) => void seen.alice!.push(n.params.taskId));
    bob.client.setNotificationHandler(TaskStatusNotificationSchema, (n) => void seen.bob!.push(n.params.taskId));
    const id = await startSimulate(alice.client, { steps: 1, step_ms: 0 });
    await waitFor(() => seen.alice!.includes(id), 'alice notified');
    await pollStatus(alice.client, id, (s) => s.status === 'completed', 'completion');
    expect(seen.bob).not.toContain(id);
  });
});
