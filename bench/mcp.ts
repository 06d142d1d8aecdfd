/**
 * Issue 4: the MCP layer over real stdio (`node dist/server.js`, SDK Client),
 * with 1,000 finished job folders present:
 *
 * - start-tool round trip p50 (target ≤ 3 ms) and its ratio to a `ping`;
 * - `get_job_status` round trip p50 (target ≤ 1.5 ms) and its ratio to a `ping`;
 * - completion → `notifications/tasks/status` received p50 (target ≤ 15 ms).
 *
 *   node dist/bench/mcp.js      (standalone; also part of `npm run bench`)
 */
import { existsSync, mkdirSync, realpathSync, watch } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CallToolResultSchema, EmptyResultSchema, TaskStatusNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { inputTextOf, makeRecord, sha256, writeJobFolder } from './folders.js';
import { type Figure, atMost, benchTemp, describeSamples, distPath, info, now, percentile, removeDir, round, runs, waitUntil } from './lib.js';

const FOLDERS = 1000;
const ROUND_TRIPS = runs(400, 5);
const STARTS = runs(200, 5);
const COMPLETIONS = runs(30, 3);

export const mcpMethod = [
  `A temp folder holds ${FOLDERS} finished \`simulate\` job folders (job.json, input.json, results.json). The server is \`node dist/server.js --max-concurrent 1\` on it, driven over real stdio by the SDK Client (\`StdioClientTransport\`), in a separate process from the bench.`,
  `Round trips are timed in the client, request sent to response parsed, ${ROUND_TRIPS} each after a warm-up: \`ping\`; \`tools/call get_job_status\` on one of the finished jobs. Calls go through \`client.request\` (the protocol's result parsing, without the client's optional output-schema check), like the ping.`,
  `Start tool: ${STARTS} \`tools/call simulate {steps: 1, step_ms: 0}\` while one long job holds the single slot, so each call is a durable submit (folder written and fsynced) plus the reply, without a worker launch competing for the 2 CPUs. After each sample (untimed) the new job is cancelled, so every sample meets a server with one running and no queued job, its previous dispatch pass finished.`,
  `Completion → notification: ${COMPLETIONS} jobs \`simulate {steps: 1, step_ms: 50}\` run one at a time. The bench watches each job folder (fs.watch) and stamps the rename of results.json; the latency is the arrival of \`notifications/tasks/status\` with status \`completed\` for that task in the client minus that stamp (one process, one clock).`,
];

async function seedFolders(jobsDir: string): Promise<string[]> {
  mkdirSync(jobsDir, { recursive: true });
  const input = { steps: 10, step_ms: 0 };
  const inputText = inputTextOf(input);
  const start = Date.now() - FOLDERS * 1000;
  const ids: string[] = [];
  for (let i = 0; i < FOLDERS; i++) {
    const created = start + i * 1000;
    const record = makeRecord(
      {
        command: [process.execPath, distPath('cli-wrappers/simulate.js')],
        inputDigest: sha256(inputText),
        status: 'completed',
        startedAt: new Date(created + 10).toISOString(),
        finishedAt: new Date(created + 500).toISOString(),
      },
      created,
    );
    writeJobFolder(jobsDir, record, inputText, { steps: 10, checksum: '0123abcd' });
    ids.push(record.id);
  }
  return ids;
}

async function timed(samples: number[], call: () => Promise<unknown>): Promise<void> {
  const started = now();
  await call();
  samples.push(now() - started);
}

export async function benchMcp(): Promise<Figure[]> {
  const server = distPath('server.js');
  if (!existsSync(server)) throw new Error(`${server} is missing: run \`npm run build\` first`);
  const dir = await benchTemp('mcp');
  const jobsDir = join(dir, 'jobs');
  const stateDir = join(dir, 'state');
  const ids = await seedFolders(jobsDir);
  const client = new Client({ name: 'bench', version: '1.0.0' });
  const completedAt = new Map<string, number>();
  client.setNotificationHandler(TaskStatusNotificationSchema, (n) => {
    if (n.params.status === 'completed' && !completedAt.has(n.params.taskId)) completedAt.set(n.params.taskId, now());
  });
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [server, '--jobs-dir', jobsDir, '--state-dir', stateDir, '--max-concurrent', '1'],
    cwd: dir,
    env: { PATH: process.env.PATH ?? '' },
    stderr: 'ignore',
  });
  try {
    await client.connect(transport);
    const ping = () => client.request({ method: 'ping' }, EmptyResultSchema);
    const tool = (name: string, args: Record<string, unknown>) => client.request({ method: 'tools/call', params: { name, arguments: args } }, CallToolResultSchema);
    const status = () => tool('get_job_status', { job_id: ids[ids.length >> 1]! });
    for (let i = 0; i < 30; i++) await Promise.all([ping(), status()]);

    const pings: number[] = [];
    const statuses: number[] = [];
    for (let i = 0; i < ROUND_TRIPS; i++) {
      await timed(pings, ping);
      await timed(statuses, status);
    }

    const blocker = await tool('simulate', { steps: 1, step_ms: 600_000 });
    const blockerId = (blocker.structuredContent as { job_id: string }).job_id;
    await waitUntil(async () => (await tool('get_job_status', { job_id: blockerId })).structuredContent?.status === 'running', 'the blocking job to run');
    const starts: number[] = [];
    for (let i = 0; i < STARTS; i++) {
      const started = now();
      const result = await tool('simulate', { steps: 1, step_ms: 0 });
      starts.push(now() - started);
      // Untimed: the queue stays at one job, and the dispatch pass this submit started is over before the next sample.
      await tool('cancel_job', { job_id: (result.structuredContent as { job_id: string }).job_id });
    }
    await tool('cancel_job', { job_id: blockerId });

    const notifications: number[] = [];
    for (let i = 0; i < COMPLETIONS; i++) {
      const result = await tool('simulate', { steps: 1, step_ms: 50 });
      const id = (result.structuredContent as { job_id: string }).job_id;
      const folder = join(jobsDir, id);
      let landed: number | undefined;
      const watcher = watch(folder, (_event, name) => {
        if (name === 'results.json' && landed === undefined && existsSync(join(folder, 'results.json'))) landed = now();
      });
      try {
        const arrived = await waitUntil(() => completedAt.get(id), `the completed notification of ${id}`, 20_000, 1);
        if (landed !== undefined) notifications.push(arrived - landed);
      } finally {
        watcher.close();
      }
    }

    const ping50 = percentile(pings, 50);
    const start50 = percentile(starts, 50);
    const status50 = percentile(statuses, 50);
    return [
      info('MCP ping round trip p50 (stdio)', round(ping50, 3), 'ms', describeSamples(pings)),
      atMost('start-tool round trip p50 (stdio, 1,000 folders)', round(start50, 3), 'ms', 3, 'p50 ≤ 3 ms', describeSamples(starts)),
      info('start-tool round trip / ping (p50s)', round(start50 / ping50, 2), '×'),
      atMost('get_job_status round trip p50 (stdio, 1,000 folders)', round(status50, 3), 'ms', 1.5, 'p50 ≤ 1.5 ms', describeSamples(statuses)),
      info('get_job_status round trip / ping (p50s)', round(status50 / ping50, 2), '×'),
      atMost('completion → notifications/tasks/status p50', round(percentile(notifications, 50), 2), 'ms', 15, 'p50 ≤ 15 ms', describeSamples(notifications)),
    ];
  } finally {
    await client.close().catch(() => {});
    await removeDir(dir);
  }
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const figures = await benchMcp();
  for (const f of figures) {
    const verdict = f.pass === undefined ? '' : `  (target ${f.target}: ${f.pass ? 'pass' : 'FAIL'})`;
    console.log(`${f.name}: ${f.value} ${f.unit}${verdict}${f.note ? `\n    ${f.note}` : ''}`);
  }
}
