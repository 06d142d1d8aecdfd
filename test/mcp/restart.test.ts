/**
 * Crash recovery through MCP: SIGKILL the stdio server mid-job; its detached
 * worker keeps going; a new server on the same folder serves the same job id
 * to completion, by tool and by `tasks/result`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CallToolResultSchema, CreateTaskResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, describe, expect, it } from 'vitest';
import { pidAlive, tempDir, waitFor } from '../helpers.js';
import { callOk, pollStatus, startStdioServer, type StdioServer } from './helpers.js';

const servers: StdioServer[] = [];
afterAll(async () => {
  for (const server of servers) await server.close().catch(() => {});
});

describe('server killed mid-job', () => {
  it('the same job id completes after a restart and its result is served by tool and by tasks/result', async () => {
    const dir = tempDir();
    const first = await startStdioServer(dir);
    servers.push(first);
    const created = await first.client.request(
      { method: 'tools/call', params: { name: 'simulate', arguments: { steps: 20, step_ms: 100, seed: 'restart' }, task: { ttl: 600_000 } } },
      CreateTaskResultSchema,
    );
    const id = created.task.taskId;
    await pollStatus(first.client, id, (s) => s.status === 'running', 'running');
    const workerPid = await waitFor(async () => (JSON.parse(await readFile(join(dir, 'jobs', id, 'job.json'), 'utf8')) as { pid?: number }).pid, 'the worker pid');

    process.kill(first.pid, 'SIGKILL');
    await waitFor(() => !pidAlive(first.pid), 'the server to die');
    expect(pidAlive(workerPid)).toBe(true);

    const second = await startStdioServer(dir);
    servers.push(second);
    const viaTasks = await second.client.experimental.tasks.getTaskResult(id, CallToolResultSchema);
    expect(viaTasks).toMatchObject({ structuredContent: { steps: 20, checksum: expect.any(String) } });
    const viaTool = await callOk(second.client, 'get_job_results', { job_id: id });
    expect(viaTool).toMatchObject({ job_id: id, status: 'completed', result: { steps: 20 } });
    const status = await callOk(second.client, 'get_job_status', { job_id: id });
    expect(status).toMatchObject({ status: 'completed', attempt: 1, error: null });
    expect(await second.client.experimental.tasks.getTask(id)).toMatchObject({ status: 'completed', ttl: 600_000 });
  });
});
