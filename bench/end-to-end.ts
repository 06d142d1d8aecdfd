/**
 * Issue 2 (b): a `simulate {steps: 1, step_ms: 0}` job end to end (submit →
 * `job:completed`), against the floor: the same wrapper run directly with
 * `node` on a folder with the same input.json and a job.json carrying the
 * matching `inputDigest`, so it does the same work (no validation, no zod).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { JobManager } from '../src/index.js';
import simulate from '../cli-wrappers/simulate.js';
import { isProcessAlive } from '../src/runner/proc.js';
import { EventClock } from './events.js';
import { writeDirectFolder } from './folders.js';
import { type Figure, atMost, benchTemp, describeSamples, info, now, percentile, removeDir, round, runs, waitUntil } from './lib.js';
import { timeSpawnOk } from './proc.js';

const RUNS = runs(40);
const WARMUP = runs(4, 1);
const INPUT = { steps: 1, step_ms: 0 };

export const endToEndMethod = [
  `${RUNS} managed runs and ${RUNS} direct runs, interleaved (alternating which goes first), after ${WARMUP} warm-up pairs; figures are p50s.`,
  'Managed: one `JobManager` (defaults: dispatch on, fs.watch watcher on, `maxConcurrent: 2`), timed from the `submit()` call to the `job:completed` event. Before the next run the worker has exited and the dispatcher is idle.',
  'Direct (the floor): `node dist/cli-wrappers/simulate.js --job-dir <dir>` spawned by the bench process, timed from `spawn()` to the `exit` event; `<dir>` holds the same input.json and a job.json with the matching `inputDigest`, so the wrapper skips validation exactly as a managed worker does.',
  'Overhead = p50(managed) − p50(direct); ratio = p50(managed) / p50(direct). The breakdown (submit, submit → `job:started`, `job:started` → `job:completed`) is in the details.',
];

export async function benchEndToEnd(): Promise<Figure[]> {
  const dir = await benchTemp('e2e');
  const manager = new JobManager({ jobsDir: join(dir, 'jobs'), stateDir: join(dir, 'state'), maxConcurrent: 2 });
  const clock = new EventClock(manager);
  const command = [process.execPath, simulate.scriptPath];
  let directCount = 0;
  const direct = async (): Promise<number> => {
    const folder = join(dir, 'direct', String(directCount++));
    writeDirectFolder(folder, INPUT, command);
    const ms = await timeSpawnOk([...command, '--job-dir', folder], 'simulate (direct)');
    if (!existsSync(join(folder, 'results.json'))) throw new Error(`bench: direct simulate left no results.json in ${folder}`);
    return ms;
  };
  const managed = async () => {
    const started = now();
    const { jobId } = await manager.submit('simulate', INPUT);
    const submitted = now();
    const launch = await clock.wait(jobId, 'job:started');
    const done = await clock.completed(jobId);
    const pid = launch.record.pid!;
    await waitUntil(() => !isProcessAlive(pid), `worker ${pid} to exit`);
    await manager.idle();
    clock.forget(jobId);
    return { total: done.at - started, submit: submitted - started, toStart: launch.at - started, startToDone: done.at - launch.at };
  };
  try {
    await manager.registerWrapper(simulate);
    await manager.start();
    for (let i = 0; i < WARMUP; i++) {
      await direct();
      await managed();
    }
    const directMs: number[] = [];
    const runs: Awaited<ReturnType<typeof managed>>[] = [];
    for (let i = 0; i < RUNS; i++) {
      if (i % 2 === 0) {
        directMs.push(await direct());
        runs.push(await managed());
      } else {
        runs.push(await managed());
        directMs.push(await direct());
      }
    }
    const total = runs.map((r) => r.total);
    const floor = percentile(directMs, 50);
    const p50 = percentile(total, 50);
    const paired = runs.map((r, i) => r.total - directMs[i]!);
    return [
      info('e2e simulate job p50 (managed)', round(p50), 'ms', describeSamples(total)),
      info('simulate run directly p50 (floor)', round(floor), 'ms', describeSamples(directMs)),
      atMost('e2e overhead over direct p50', round(p50 - floor), 'ms', 3, 'overhead ≤ 3 ms p50', `paired differences: ${describeSamples(paired)}. Breakdown: submit ${describeSamples(runs.map((r) => r.submit))}; submit → job:started ${describeSamples(runs.map((r) => r.toStart))}; job:started → job:completed ${describeSamples(runs.map((r) => r.startToDone))}`),
      info('e2e / direct ratio (p50s)', round(p50 / floor, 3), '×'),
    ];
  } finally {
    await manager.close();
    await removeDir(dir);
  }
}
