/**
 * Issue 2 (a): in-process submit latency, durable (input.json and job.json
 * fsynced in a staging folder, renamed into place, parent folder fsynced).
 */
import { join } from 'node:path';
import { JobManager } from '../src/index.js';
import simulate from '../cli-wrappers/simulate.js';
import { type Figure, atMost, benchTemp, describeSamples, info, now, percentile, removeDir, round, runs } from './lib.js';

const WARMUP = runs(50);
const SUBMITS = runs(600, 20);

export const submitMethod = [
  `${SUBMITS} sequential \`submit('simulate', {steps: 1, step_ms: 0})\` calls on one \`JobManager\` (after ${WARMUP} warm-up submits), each timed from call to resolution.`,
  'The manager runs with `dispatch: false`, so no worker is spawned during the measurement: the figure is the submit path alone (validation, digest, job folder written durably: files fsynced, staging folder renamed into place, parent fsynced).',
  'Temp folder on the machine\'s root filesystem (ext4); the folder watcher is on (fs.watch, default options), scans and liveness checks run at their defaults.',
];

export async function benchSubmit(): Promise<Figure[]> {
  const dir = await benchTemp('submit');
  const manager = new JobManager({ jobsDir: join(dir, 'jobs'), stateDir: join(dir, 'state'), dispatch: false });
  try {
    await manager.registerWrapper(simulate);
    await manager.start();
    const input = { steps: 1, step_ms: 0 };
    for (let i = 0; i < WARMUP; i++) await manager.submit('simulate', input);
    const samples: number[] = [];
    for (let i = 0; i < SUBMITS; i++) {
      const started = now();
      await manager.submit('simulate', input);
      samples.push(now() - started);
    }
    const queued = (await manager.list({ status: 'queued', limit: 1000 })).jobs.length;
    if (queued !== WARMUP + SUBMITS) throw new Error(`bench: expected ${WARMUP + SUBMITS} queued jobs, found ${queued}`);
    const note = describeSamples(samples);
    return [
      atMost('submit latency p50 (in-process, durable)', round(percentile(samples, 50), 3), 'ms', 1, 'p50 ≤ 1 ms', note),
      info('submit latency p99 (in-process, durable)', round(percentile(samples, 99), 3), 'ms'),
    ];
  } finally {
    await manager.close();
    await removeDir(dir);
  }
}
