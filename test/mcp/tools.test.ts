/**
 * The job tools, in-process (SDK Client over InMemoryTransport; the workers
 * are real detached processes running the built `simulate` wrapper).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobManager } from '../../src/runner/job-manager.js';
import { JOB_TOOL_NAMES } from '../../src/mcp/register.js';
import { tempDir, waitFor } from '../helpers.js';
import { call, callOk, connectInProcess, distRunner, pollStatus, startSimulate, textOf, resourceText, type Connected } from './helpers.js';

let runner: JobManager;
let conn: Connected;

beforeAll(async () => {
  runner = await distRunner(tempDir());
  conn = await connectInProcess(runner, { maxResultBytes: 4096 });
});
afterAll(async () => {
  await conn?.close();
  await runner?.close();
});

describe('tools/list', () => {
  it('lists one start tool per job type and the job tools, each job tool with an outputSchema and annotations', async () => {
    const { tools } = await conn.client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(['simulate', ...JOB_TOOL_NAMES].sort());
    const simulate = tools.find((tool) => tool.name === 'simulate')!;
    expect(simulate.execution?.taskSupport).toBe('optional');
    expect(Object.keys(simulate.inputSchema.properties ?? {})).toEqual(expect.arrayContaining(['steps', 'step_ms', 'priority', 'timeout_s', 'state_patch']));
    expect(simulate.outputSchema).toBeUndefined();
    for (const name of JOB_TOOL_NAMES) {
      const tool = tools.find((t) => t.name === name)!;
      expect(tool.outputSchema, name).toBeDefined();
      expect(tool.annotations?.readOnlyHint, name).toBe(name !== 'cancel_job');
    }
  });
});

describe('start, poll, results', () => {
  it('returns a job id at once, then status, progress and the result', async () => {
    const started = await callOk(conn.client, 'simulate', { steps: 3, step_ms: 50, seed: 's1' });
    expect(started).toMatchObject({ status: 'queued', poll_interval_ms: 1000 });
    expect(started.message).toContain('get_job_status');
    const id = started.job_id as string;
    const done = await pollStatus(conn.client, id, (s) => s.status === 'completed', 'completion');
    expect(done).toMatchObject({ job_id: id, type: 'simulate', attempt: 1, error: null, progress: { current: 3, total: 3, percentage: 100 } });
    expect(done.elapsed_s).toBeGreaterThanOrEqual(0.1);
    const results = await callOk(conn.client, 'get_job_results', { job_id: id });
    expect(results).toMatchObject({ job_id: id, status: 'completed', truncated: false, result: { steps: 3 } });
  });

  it('says plainly that a running job has no result yet', async () => {
    const id = await startSimulate(conn.client, { steps: 50, step_ms: 100 });
    const result = await call(conn.client, 'get_job_results', { job_id: id });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toMatch(/has no result yet/);
    await callOk(conn.client, 'cancel_job', { job_id: id });
  });

  it('reports a failed job with its error', async () => {
    const id = await startSimulate(conn.client, { steps: 3, step_ms: 10, fail_at_step: 2 });
    await pollStatus(conn.client, id, (s) => s.status === 'failed', 'failure');
    const result = await call(conn.client, 'get_job_results', { job_id: id });
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({ status: 'failed', error: { kind: 'error', message: expect.stringContaining('step 2') } });
  });

  it('truncates a large result and links the resource that reads it in full', async () => {
    const id = await startSimulate(conn.client, { steps: 1, step_ms: 0, result_kb: 16 });
    await pollStatus(conn.client, id, (s) => s.status === 'completed', 'completion');
    const result = await call(conn.client, 'get_job_results', { job_id: id });
    expect(result.structuredContent).toMatchObject({ truncated: true, resource_uri: `job://${id}/results` });
    expect((result.structuredContent as { size_bytes: number }).size_bytes).toBeGreaterThan(16 * 1024);
    const link = result.content.find((item) => item.type === 'resource_link');
    expect(link).toMatchObject({ uri: `job://${id}/results` });
    const preview = result.content[1];
    expect(preview?.type === 'text' && preview.text.length).toBe(4096);
    const full = await conn.client.readResource({ uri: `job://${id}/results` });
    const text = resourceText(full);
    expect(JSON.parse(text).payload).toHaveLength(16 * 1024);
  });
});

describe('errors name the problem and never kill the server', () => {
  it('malformed and unknown ids', async () => {
    const malformed = await call(conn.client, 'get_job_status', { job_id: '../etc' });
    expect(malformed.isError).toBe(true);
    expect(textOf(malformed)).toMatch(/Expected a job id/);
    const unknown = await call(conn.client, 'get_job_status', { job_id: '0000000000-00000000-0000-0000-0000-000000000000' });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toMatch(/No job with id/);
  });

  it('invalid arguments name the field and create nothing', async () => {
    const before = (await runner.store.listIds()).length;
    const result = await call(conn.client, 'simulate', { steps: 'ten', step_ms: 1 });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/steps/);
    const patch = await call(conn.client, 'simulate', { steps: 1, step_ms: 1, state_patch: { field: '../x', mode: 'replace' } });
    expect(patch.isError).toBe(true);
    expect(textOf(patch)).toMatch(/state_patch\.field/);
    expect((await runner.store.listIds()).length).toBe(before);
  });

  it('a damaged job.json is reported as such, and the server keeps serving', async () => {
    const id = await startSimulate(conn.client, { steps: 1, step_ms: 0 });
    await pollStatus(conn.client, id, (s) => s.status === 'completed', 'completion');
    writeFileSync(join(runner.store.dir(id), 'job.json'), '{"v": 1, "id": "tor');
    const result = await call(conn.client, 'get_job_status', { job_id: id });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain(`job ${id}`);
    expect((await call(conn.client, 'get_job_results', { job_id: id })).isError).toBe(true);
    expect(await callOk(conn.client, 'health')).toMatchObject({ status: 'ok' });
  });

  it('a list cursor that is not one is refused plainly', async () => {
    const result = await call(conn.client, 'list_jobs', { cursor: 'nonsense' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/Invalid `cursor`/);
    expect(await callOk(conn.client, 'health')).toMatchObject({ status: 'ok' });
  });
});

describe('cancel, logs, wait, list, state, health', () => {
  it('cancels a running job; cancelling it again says it already ended', async () => {
    const id = await startSimulate(conn.client, { steps: 100, step_ms: 100 });
    await pollStatus(conn.client, id, (s) => s.status === 'running', 'running');
    const cancelled = await callOk(conn.client, 'cancel_job', { job_id: id });
    expect(cancelled.status).toBe('cancelled');
    const again = await call(conn.client, 'cancel_job', { job_id: id });
    expect(again.isError).toBe(true);
    expect(textOf(again)).toMatch(/already ended: cancelled/);
  });

  it('tails a log with a bound on lines', async () => {
    const id = await startSimulate(conn.client, { steps: 1, step_ms: 0 });
    await pollStatus(conn.client, id, (s) => s.status === 'completed', 'completion');
    writeFileSync(join(runner.store.dir(id), 'stdout.log'), Array.from({ length: 500 }, (_, i) => `line ${i + 1}`).join('\n') + '\n');
    const logs = await callOk<{ lines: string[]; truncated: boolean }>(conn.client, 'get_job_logs', { job_id: id, stream: 'stdout', tail_lines: 3 });
    expect(logs.lines).toEqual(['line 498', 'line 499', 'line 500']);
    expect(logs.truncated).toBe(true);
    const empty = await callOk<{ lines: string[] }>(conn.client, 'get_job_logs', { job_id: id, stream: 'stderr' });
    expect(empty.lines).toEqual([]);
  });

  it('wait_for_job returns early when the job ends and sends progress for a progress token', async () => {
    const id = await startSimulate(conn.client, { steps: 5, step_ms: 150 });
    const progress: number[] = [];
    const started = Date.now();
    const result = await conn.client.callTool({ name: 'wait_for_job', arguments: { job_id: id, timeout_s: 30 } }, undefined, {
      onprogress: (p) => progress.push(p.progress),
    });
    expect(result.structuredContent).toMatchObject({ status: 'completed', finished: true });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(progress.length).toBeGreaterThan(0);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    const short = await callOk(conn.client, 'wait_for_job', { job_id: await startSimulate(conn.client, { steps: 20, step_ms: 200 }), timeout_s: 0.2 });
    expect(short).toMatchObject({ finished: false });
    await callOk(conn.client, 'cancel_job', { job_id: short.job_id as string });
  });

  it('lists jobs newest first in pages, filtered by status', async () => {
    const first = await callOk<{ jobs: { job_id: string }[]; next_cursor?: string }>(conn.client, 'list_jobs', { limit: 2 });
    expect(first.jobs).toHaveLength(2);
    expect(first.next_cursor).toBeDefined();
    const second = await callOk<{ jobs: { job_id: string }[] }>(conn.client, 'list_jobs', { limit: 2, cursor: first.next_cursor });
    expect(second.jobs[0]!.job_id < first.jobs[1]!.job_id).toBe(true);
    const failed = await callOk<{ jobs: { status: string }[] }>(conn.client, 'list_jobs', { status: 'failed' });
    expect(failed.jobs.length).toBeGreaterThan(0);
    expect(failed.jobs.every((job) => job.status === 'failed')).toBe(true);
  });

  it('get_state serves what a state patch applied', async () => {
    const id = await startSimulate(conn.client, { steps: 2, step_ms: 0, state_patch: { field: 'checksums', pointer: '/checksum', mode: 'append' } });
    await pollStatus(conn.client, id, (s) => s.status === 'completed', 'completion');
    await waitFor(async () => (await callOk<{ fields: string[] }>(conn.client, 'get_state')).fields.includes('checksums'), 'state field');
    const state = await callOk<{ value: unknown }>(conn.client, 'get_state', { field: 'checksums' });
    expect(state.value).toEqual([expect.stringMatching(/^[0-9a-f]{8}$/)]);
    const missing = await call(conn.client, 'get_state', { field: 'nope' });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toMatch(/No state field `nope`/);
  });

  it('health reports counts, the watcher and the last reconcile', async () => {
    const health = await callOk(conn.client, 'health');
    expect(health).toMatchObject({ status: 'ok', queued: 0, watcher: { watching: true } });
    expect(health.last_reconcile).toMatchObject({ at: expect.any(String) });
    expect(health.version).toMatch(/^\d+\.\d+\.\d+/);
  });
});
