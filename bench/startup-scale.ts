/**
 * Issue 3 (e): startup with 10,000 finished job folders and 20 running ones,
 * each measured in a fresh child process (bench/startup-child.ts) so that RSS
 * is the startup's own. Also 1,000 finished (startup must not grow with the
 * finished jobs) and the index rebuild (`.active/` deleted), for information.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type Figure, atMost, benchTemp, describeSamples, distPath, info, now, percentile, removeDir, round, runs } from './lib.js';
import { killQuietly, runForOutput } from './proc.js';
import { generateJobs, startSleepers } from './scale-folders.js';

const RUNNING = 20;
const BIG = runs(10_000, 200);
const SMALL = runs(1_000, 100);
const RUNS = runs(7, 1);
const REBUILDS = runs(3, 1);
const MB = 1024 * 1024;

interface Probe {
  importMs: number;
  readyMs: number;
  rss: number;
  maxRss: number;
  running: number;
  queued: number;
  watchedJobs: number;
  indexSize: number;
}

export const startupScaleMethod = [
  `Job folders written directly in the protocol's format: ${BIG.toLocaleString('en')} (and, separately, ${SMALL.toLocaleString('en')}) finished jobs (85 % completed with results.json, 10 % failed, 5 % cancelled; 500 carry an applied \`append\` patch, so \`state/designs.json\` holds 500 entries), plus ${RUNNING} running jobs in \`jobs/.active/\` whose workers are live \`sleep\` processes recorded with pid and /proc start time.`,
  `Each startup runs in a fresh \`node dist/bench/startup-child.js\` process: it imports the library, then times \`createJobRunner({ jobsDir, stateDir })\` until it resolves (folders ready, state loaded, recovery scan done, running jobs tracked and watched). RSS is the child's peak (\`process.resourceUsage().maxRSS\`) at that point. ${RUNS} runs per folder, 1k and 10k interleaved; figures are p50s (RSS: the maximum).`,
  `Every probe checks that the ${RUNNING} running jobs are still \`running\` (none marked lost) and that the index holds exactly them.`,
  `Index rebuild (information): \`jobs/.active/\` deleted before each of ${REBUILDS} startups, so the manager rebuilds it from all job folders.`,
];

export async function benchStartupScale(): Promise<Figure[]> {
  const dir = await benchTemp('startup');
  const sleepers = startSleepers(RUNNING);
  const folders = (name: string) => ({ jobsDir: join(dir, name, 'jobs'), stateDir: join(dir, name, 'state') });
  const big = folders('big');
  const small = folders('small');
  try {
    const t0 = now();
    generateJobs(big.jobsDir, big.stateDir, BIG, sleepers);
    const generateMs = now() - t0;
    generateJobs(small.jobsDir, small.stateDir, SMALL, sleepers);
    const bigRuns: Probe[] = [];
    const smallRuns: Probe[] = [];
    for (let i = 0; i < RUNS; i++) {
      smallRuns.push(await probe(small));
      bigRuns.push(await probe(big));
    }
    const rebuilds: Probe[] = [];
    for (let i = 0; i < REBUILDS; i++) {
      await rm(join(big.jobsDir, '.active'), { recursive: true, force: true });
      rebuilds.push(await probe(big));
    }
    const bigReady = bigRuns.map((p) => p.readyMs);
    const smallReady = smallRuns.map((p) => p.readyMs);
    const peak = Math.max(...bigRuns.map((p) => p.maxRss)) / MB;
    const ratio = percentile(bigReady, 50) / percentile(smallReady, 50);
    const importNote = `library import before it (not included): ${describeSamples(bigRuns.map((p) => p.importMs))}`;
    return [
      atMost(`startup ready p50 (${BIG / 1000}k finished + ${RUNNING} running)`, round(percentile(bigReady, 50), 1), 'ms', 1000, 'ready ≤ 1 s', `${describeSamples(bigReady)}; ${importNote}; generating the folders took ${round(generateMs / 1000, 1)} s`),
      atMost(`startup peak RSS (${BIG / 1000}k finished + ${RUNNING} running)`, round(peak, 1), 'MB', 150, 'RSS ≤ 150 MB', `max over ${RUNS} runs of the child's maxRSS; RSS right at ready: ${describeSamples(bigRuns.map((p) => p.rss / MB), 'MB')}`),
      info(`startup ready p50 (${SMALL / 1000}k finished + ${RUNNING} running)`, round(percentile(smallReady, 50), 1), 'ms', describeSamples(smallReady)),
      atMost(`startup ready ${BIG / 1000}k / ${SMALL / 1000}k finished (p50s)`, round(ratio, 2), '×', 1.25, 'flat: ≤ 1.25×'),
      info(`startup with index rebuild p50 (${BIG / 1000}k finished, .active deleted)`, round(percentile(rebuilds.map((p) => p.readyMs), 50), 1), 'ms', `${describeSamples(rebuilds.map((p) => p.readyMs))}; peak RSS ${round(Math.max(...rebuilds.map((p) => p.maxRss)) / MB, 1)} MB`),
    ];
  } finally {
    for (const s of sleepers) killQuietly(s.pid);
    await removeDir(dir);
  }
}

async function probe(folders: { jobsDir: string; stateDir: string }): Promise<Probe> {
  const out = await runForOutput([process.execPath, distPath('bench/startup-child.js'), folders.jobsDir, folders.stateDir]);
  const result = JSON.parse(out.trim().split('\n').pop()!) as Probe;
  if (result.running !== RUNNING || result.indexSize !== RUNNING || result.watchedJobs !== RUNNING) {
    throw new Error(`bench: startup saw ${result.running} running jobs, ${result.indexSize} in the index and ${result.watchedJobs} watched; expected ${RUNNING} each`);
  }
  return result;
}
