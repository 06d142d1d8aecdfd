/**
 * Issue 3 (d): from the rename of results.json to `job:completed` (which is
 * emitted after the state patch is applied). The worker is a long-lived
 * fixture (bench/fixtures/hold-result.ts) that writes results.json when sent
 * SIGUSR2 and stamps the instant of the rename; it stays alive afterwards, so
 * nothing but the result file settles the job.
 *
 * Two cases: the manager that launched the worker (its parent), and a second
 * manager on the same folders that picked the running job up by a scan and
 * follows it through its folder watcher (fs.watch, the default) (the launching one does not watch).
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { JobManager, type RunnerOptions } from '../src/index.js';
import { isProcessAlive } from '../src/runner/proc.js';
import { EventClock } from './events.js';
import { type Figure, atMost, benchTemp, describeSamples, distPath, info, pause, percentile, removeDir, round, runs, waitUntil } from './lib.js';
import { killQuietly } from './proc.js';

const RUNS = runs(40);
const WARMUP = runs(3, 1);

export const resultLatencyMethod = [
  `${RUNS} jobs per case after ${WARMUP} warm-up jobs. Job type \`bench_hold\` runs \`node dist/bench/fixtures/hold-result.js\` and carries an \`append\` state patch (field \`benchParent\` / \`benchWatcher\`).`,
  'Per job: wait for `job:started`, then for a `job:progress` event from the manager under test (proof that its watcher sees the folder; the bench rewrites progress.json until it does), then send SIGUSR2. The fixture writes results.json (temp file, fsync, rename) and stamps the wall-clock instant right after the rename; the latency is `job:completed` (wall clock, in the manager under test) minus that stamp. Both processes read `performance.timeOrigin + performance.now()`.',
  'The fixture keeps running until the bench stops it after `job:completed`, so neither an exit event nor a liveness check can settle the job: the watcher path alone does.',
  'Parent case: one manager with defaults (watch on). Watcher case: manager A launches the job with `watch: false`, `scanIntervalMs: 0`; manager B on the same folders (`dispatch: false`, `scanIntervalMs: 0`, `livenessIntervalMs: 600000` so no liveness poll interferes) picks the running job up with `reconcile()` and settles it from its fs.watch event. Both managers live in the bench process.',
  'Every job\'s result is checked to be in its state field exactly once at the end.',
];

export async function benchResultLatency(): Promise<Figure[]> {
  const dir = await benchTemp('result-latency');
  const folders = { jobsDir: join(dir, 'jobs'), stateDir: join(dir, 'state') };
  const figures: Figure[] = [];
  try {
    const { samples: parent, cpu } = await measure('benchParent', { ...folders }, undefined);
    const { samples: watcher } = await measure('benchWatcher', { ...folders, watch: false, scanIntervalMs: 0 }, { ...folders, dispatch: false, scanIntervalMs: 0, livenessIntervalMs: 600_000 });
    figures.push(
      atMost('results.json → job:completed p50 (parent manager)', round(percentile(parent, 50)), 'ms', 10, 'p50 ≤ 10 ms', describeSamples(parent)),
      atMost('results.json → job:completed p50 (second manager, watcher)', round(percentile(watcher, 50)), 'ms', 10, 'p50 ≤ 10 ms', describeSamples(watcher)),
      info('results.json → job:completed p99 (parent manager)', round(percentile(parent, 99)), 'ms'),
      info('results.json → job:completed p99 (second manager, watcher)', round(percentile(watcher, 99)), 'ms'),
      info('manager CPU per settled job p50 (parent manager)', round(percentile(cpu, 50)), 'ms', `process.cpuUsage() (all threads of the bench process, which is the manager) from SIGUSR2 to job:completed: ${describeSamples(cpu)}. Less sensitive to other processes' load than the latency.`),
    );
    return figures;
  } finally {
    await removeDir(dir);
  }
}

/** Runs the jobs with `launcherOptions`; the follower (if given) is the manager under test, else the launcher is. */
async function measure(field: string, launcherOptions: RunnerOptions, followerOptions: RunnerOptions | undefined): Promise<{ samples: number[]; cpu: number[] }> {
  const launcher = new JobManager(launcherOptions);
  const follower = followerOptions ? new JobManager(followerOptions) : launcher;
  const clock = new EventClock(follower);
  const launches = followerOptions ? new EventClock(launcher) : clock;
  const type = {
    name: 'bench_hold',
    description: 'Benchmark fixture: writes results.json on SIGUSR2',
    command: [process.execPath, distPath('bench/fixtures/hold-result.js')],
    schema: z.object({ n: z.number() }),
    statePatch: { field, mode: 'append' as const },
  };
  const samples: number[] = [];
  const cpu: number[] = [];
  const pids = new Set<number>();
  try {
    for (const m of new Set([launcher, follower])) {
      m.register(type);
      await m.start();
    }
    for (let n = 0; n < WARMUP + RUNS; n++) {
      const { jobId } = await launcher.submit('bench_hold', { n });
      const { record } = await launches.wait(jobId, 'job:started');
      const pid = record.pid!;
      pids.add(pid);
      const jobDir = launcher.store.dir(jobId);
      await waitUntil(() => readFile(join(jobDir, 'progress.json')).then(() => true, () => false), `fixture ${pid} to be ready`);
      if (follower !== launcher) await follower.reconcile();
      await watcherLive(clock, jobId, jobDir);
      await pause(5); // let the progress event's own work finish
      const cpu0 = process.cpuUsage();
      process.kill(pid, 'SIGUSR2');
      const done = await clock.completed(jobId);
      const used = process.cpuUsage(cpu0);
      const doneWall = performance.timeOrigin + done.at;
      const landed = await waitUntil(async () => /landed (\d+(\.\d+)?)/.exec(await readFile(join(jobDir, 'stderr.log'), 'utf8'))?.[1], `the landing stamp of ${jobId}`);
      if (n >= WARMUP) {
        samples.push(doneWall - Number(landed));
        cpu.push((used.user + used.system) / 1000);
      }
      killQuietly(pid, 'SIGTERM');
      await waitUntil(() => !isProcessAlive(pid), `fixture ${pid} to exit`);
      await launcher.idle();
    }
    const value = (await follower.state.get(field)) as { n: number }[] | undefined;
    const got = (value ?? []).length;
    if (got !== WARMUP + RUNS) throw new Error(`bench: state field ${field} holds ${got} results, expected ${WARMUP + RUNS}`);
    return { samples, cpu };
  } finally {
    for (const pid of pids) killQuietly(pid);
    await follower.close();
    await launcher.close();
  }
}

/** Resolves once the manager under test emitted `job:progress` for the job; rewrites progress.json until it does. */
async function watcherLive(clock: EventClock, jobId: string, jobDir: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const seen = await waitUntil(() => clock.has(jobId, 'job:progress'), 'progress', 100, 2).catch(() => false);
    if (seen) return;
    const temp = join(jobDir, `.progress.json.bench.tmp`);
    await writeFile(temp, `${JSON.stringify({ current: 0, total: 1, message: 'bench', updatedAt: new Date().toISOString() })}\n`);
    await rename(temp, join(jobDir, 'progress.json'));
  }
  throw new Error(`bench: the watcher never reported progress of ${jobId}`);
}
