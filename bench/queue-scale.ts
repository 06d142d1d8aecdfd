/**
 * Issue 8, "Scale of the queue": 5,000 queued jobs behind one running job
 * (`node dist/server.js --max-concurrent 1`, real stdio, SDK Client):
 *
 * - submit (start tool) round trip p50/p99 while the queue grows to 5,000;
 * - `list_jobs {status: queued}` and `health` round trips with 5,000 queued;
 * - restart to first answer: a new server on the folder, spawn → first
 *   `tools/call health` answered (and spawn → initialize, for the split);
 * - in-process, with the same folder: one dispatch pass that finds nothing to
 *   start, against `store.activeRecords()` (what every pass read before
 *   src/runner/active-cache.ts), and the startup phases.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createJobRunner } from '../src/index.js';
import type { JobManager } from '../src/runner/job-manager.js';
import { type Figure, benchTemp, describeSamples, distPath, info, now, percentile, removeDir, round, runs, waitUntil } from './lib.js';
import { killQuietly } from './proc.js';

const QUEUED = runs(5000, 200);
const READS = runs(20, 3);
const RESTARTS = runs(3, 1);
const PASSES = runs(10, 2);

export const queueScaleMethod = [
  `\`node dist/server.js --max-concurrent 1\` on a fresh temp folder, driven over real stdio by the SDK Client. One \`simulate\` job of 10 minutes holds the only slot; then ${QUEUED.toLocaleString('en')} \`simulate {steps: 1, step_ms: 0}\` jobs are submitted one after the other through the start tool, each timed from request to answer. They all stay queued.`,
  `With ${QUEUED.toLocaleString('en')} queued: ${READS} round trips each of \`list_jobs {status: "queued"}\` (first page, 20 jobs) and \`health\`.`,
  `Restart to first answer (${RESTARTS}×): the client closes (the server exits on end of stdin; the long worker keeps running), a new server is spawned on the same folders and timed from \`spawn\` to the answer of its first \`tools/call health\`, and to the \`initialize\` answer (the server connects stdio only once its runner has started: folders, state, recovery scan).`,
  `In-process, on the same folder once the server is gone (\`createJobRunner\`, \`maxConcurrent: 1\`, the long job still running): startup (\`createJobRunner\` until ready) and ${PASSES} dispatch passes that find the slot full (\`schedule()\`, then \`idle()\`), against ${PASSES} calls of \`store.activeRecords()\`, which is what every dispatch pass read (every active job.json, read and schema-checked) before \`src/runner/active-cache.ts\`.`,
];

interface Server {
  client: Client;
  pid: number;
  close(): Promise<void>;
}

async function startServer(root: string): Promise<{ server: Server; initMs: number; spawnedAt: number }> {
  const spawnedAt = now();
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [distPath('server.js'), '--jobs-dir', join(root, 'jobs'), '--state-dir', join(root, 'state'), '--max-concurrent', '1'],
    cwd: root,
    env: { PATH: process.env.PATH ?? '' },
    stderr: 'ignore',
  });
  const client = new Client({ name: 'bench', version: '1.0.0' });
  await client.connect(transport);
  const initMs = now() - spawnedAt;
  const pid = transport.pid!;
  return { server: { client, pid, close: () => client.close() }, initMs, spawnedAt };
}

const callTool = async (client: Client, name: string, args: Record<string, unknown>) => {
  const result = await client.callTool({ name, arguments: args }, CallToolResultSchema, { timeout: 600_000 });
  if (result.isError) throw new Error(`bench: ${name} failed: ${JSON.stringify(result.content)}`);
  return result.structuredContent as Record<string, unknown>;
};

async function timed(samples: number[], call: () => Promise<unknown>): Promise<void> {
  const t0 = now();
  await call();
  samples.push(now() - t0);
}

function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

type Dispatching = { dispatcher: { schedule(): void; idle(): Promise<void>; active?: { stats: { passes: number; reads: number; hits: number } } } };

/** One dispatch pass of `manager` (private to the runner: reached for the bench only). */
async function pass(manager: JobManager): Promise<void> {
  const { dispatcher } = manager as unknown as Dispatching;
  dispatcher.schedule();
  await dispatcher.idle();
}

async function restartToFirstAnswer(root: string): Promise<{ initMs: number; firstMs: number; server: Server }> {
  const { server, initMs, spawnedAt } = await startServer(root);
  await callTool(server.client, 'health', {});
  return { initMs, firstMs: now() - spawnedAt, server };
}

async function stop(server: Server): Promise<void> {
  await server.close();
  await waitUntil(() => gone(server.pid), 'the server to exit', 60_000, 20);
}

export async function benchQueueScale(): Promise<Figure[]> {
  const root = await benchTemp('queue-scale');
  const empty = await benchTemp('queue-scale-empty');
  let blockerPid: number | undefined;
  try {
    // Floor: restart to first answer on an empty folder.
    const floor: number[] = [];
    for (let i = 0; i < RESTARTS; i++) {
      const r = await restartToFirstAnswer(empty);
      floor.push(r.firstMs);
      await stop(r.server);
    }

    let { server } = await startServer(root);
    // Holds the only slot for as long as the bench runs (killed at the end, by its recorded pid).
    const blocker = (await callTool(server.client, 'simulate', { steps: 1000, step_ms: 600_000 })).job_id as string;
    await waitUntil(async () => (await callTool(server.client, 'get_job_status', { job_id: blocker })).status === 'running', 'the long job to run', 30_000, 50);
    blockerPid = await waitUntil(() => (JSON.parse(readFileSync(join(root, 'jobs', blocker, 'job.json'), 'utf8')) as { pid?: number }).pid, 'the long job\'s pid', 10_000, 20);
    const submits: number[] = [];
    const t0 = now();
    for (let i = 0; i < QUEUED; i++) await timed(submits, () => callTool(server.client, 'simulate', { steps: 1, step_ms: 0 }));
    const submitAllMs = now() - t0;
    const lists: number[] = [];
    const healths: number[] = [];
    let queuedSeen = 0;
    for (let i = 0; i < READS; i++) {
      await timed(lists, () => callTool(server.client, 'list_jobs', { status: 'queued' }));
      await timed(healths, async () => (queuedSeen = (await callTool(server.client, 'health', {})).queued as number));
    }
    await stop(server);

    const restarts: number[] = [];
    const inits: number[] = [];
    for (let i = 0; i < RESTARTS; i++) {
      const r = await restartToFirstAnswer(root);
      restarts.push(r.firstMs);
      inits.push(r.initMs);
      server = r.server;
      await stop(server);
    }

    // In-process: startup, passes, the old per-pass read, a scan, health.
    const t1 = now();
    const manager = await createJobRunner({ jobsDir: join(root, 'jobs'), stateDir: join(root, 'state'), maxConcurrent: 1 });
    const startupMs = now() - t1;
    const passes: number[] = [];
    const reads: number[] = [];
    const scans: number[] = [];
    const inProcessHealth: number[] = [];
    await pass(manager);
    for (let i = 0; i < PASSES; i++) {
      await timed(passes, () => pass(manager));
      await timed(reads, () => manager.store.activeRecords());
      await timed(scans, () => manager.reconcile());
      await timed(inProcessHealth, () => manager.health());
    }
    const cacheStats = (manager as unknown as Dispatching).dispatcher.active?.stats;
    await manager.close();

    const last = submits.slice(-Math.ceil(QUEUED / 10));
    const n = QUEUED.toLocaleString('en');
    return [
      info(`submit round trip p50 (queue growing to ${n})`, round(percentile(submits, 50), 2), 'ms', `${describeSamples(submits)}; all ${n} submits took ${round(submitAllMs / 1000, 1)} s`),
      info(`submit round trip p99 (queue growing to ${n})`, round(percentile(submits, 99), 2), 'ms', `last ${last.length} submits (queue ${QUEUED - last.length}–${QUEUED}): ${describeSamples(last)}`),
      info(`list_jobs {status: queued} p50 (${n} queued)`, round(percentile(lists, 50), 2), 'ms', describeSamples(lists)),
      info(`health p50 (${n} queued)`, round(percentile(healths, 50), 2), 'ms', `${describeSamples(healths)}; in-process manager.health(): ${describeSamples(inProcessHealth)}`),
      info(`queued jobs missing from the index after ${n} submits`, QUEUED - queuedSeen, 'jobs', `health counted ${queuedSeen} queued of the ${n} submitted (all of them stay queued behind the long job)${queuedSeen < QUEUED ? ': the others lost their .active marker (the index rule of issue 8, defect 1, must have regressed)' : ''}`),
      info(`restart to first answer p50 (${n} queued)`, round(percentile(restarts, 50), 1), 'ms', `spawn → first tools/call health answered: ${describeSamples(restarts)}; spawn → initialize answered: ${describeSamples(inits)}; empty folder: ${describeSamples(floor)}`),
      info(`dispatch pass p50 (${n} queued, slot full)`, round(percentile(passes, 50), 2), 'ms', `${describeSamples(passes)}; ${cacheStats ? `job.json files read by the dispatcher's cache over its ${cacheStats.passes} passes (the first fills it): ${cacheStats.reads}, served from memory: ${cacheStats.hits}` : 'no active-records cache: every pass reads every active job.json'}`),
      info(`store.activeRecords() p50 (${n} queued)`, round(percentile(reads, 50), 2), 'ms', `what every dispatch pass read before the active-records cache: ${describeSamples(reads)}`),
      info(`reconcile scan p50 (${n} queued)`, round(percentile(scans, 50), 2), 'ms', `${describeSamples(scans)}; in-process startup (createJobRunner until ready): ${round(startupMs, 1)} ms`),
    ];
  } finally {
    if (blockerPid) killQuietly(-blockerPid);
    await removeDir(root);
    await removeDir(empty);
  }
}
