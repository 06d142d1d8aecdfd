/**
 * Soak with faults (issue 8). In CI: the short variant (60 jobs, 3 server
 * kills, 5 worker kills). `npm run soak`: the long one (MCP_JOBS_SOAK=long:
 * 500 jobs, 12 server kills, 25 worker kills), counts overridable by
 * SOAK_JOBS, SOAK_SERVER_KILLS, SOAK_WORKER_KILLS, SOAK_SEED; SOAK_REPORT=<file>
 * also writes the report as JSON.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { killQuietly, processesUnder } from './procs.js';
import { runSoak, type SoakConfig, type SoakReport } from './soak.js';
import { summarize } from './summary.js';

const long = process.env.MCP_JOBS_SOAK === 'long';
const num = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const root = tempDir('mcp-jobs-soak-');
const config: SoakConfig = {
  root,
  jobs: num('SOAK_JOBS', long ? 500 : 60),
  serverKills: num('SOAK_SERVER_KILLS', long ? 12 : 3),
  workerKills: num('SOAK_WORKER_KILLS', long ? 25 : 5),
  spreadMs: num('SOAK_SPREAD_MS', long ? 240_000 : 30_000),
  maxConcurrent: long ? 6 : 4,
  readers: 3,
  seed: num('SOAK_SEED', Math.floor(Math.random() * 2 ** 31)),
  settleMs: long ? 120_000 : 30_000,
};
const budgetMs = config.spreadMs * 2 + config.settleMs + 60_000;

let report: SoakReport;

beforeAll(async () => {
  report = await runSoak(config);
  console.log(summarize(report));
  if (process.env.SOAK_REPORT) writeFileSync(process.env.SOAK_REPORT, JSON.stringify(report, null, 2));
}, budgetMs);

// Also when the soak itself failed: nothing started for its folders may outlive the test.
afterAll(() => {
  for (const p of processesUnder(root)) killQuietly(p.pid);
});

describe(`soak with faults (${config.jobs} jobs, ${config.serverKills} server kills, ${config.workerKills} worker kills, seed ${config.seed})`, () => {
  it('the chaos happened as planned', () => {
    expect(report.kills.serverRandom + report.kills.serverCrashPoints).toBeGreaterThanOrEqual(config.serverKills);
    expect(report.kills.workers).toBe(config.workerKills);
    expect(report.acked.mcp).toBe(config.jobs);
    expect(report.acked.cli).toBeGreaterThan(0);
    expect(report.counts['state file reads']).toBeGreaterThan(0);
  });

  it('every acknowledged job ended, in the state that matches what happened to it', () => {
    // Jobs stuck `queued` without their .active marker are defect 1's, asserted below.
    const unindexed = new Set(report.verdict.lostUnindexed);
    expect(report.verdict.lost.filter((line) => !unindexed.has(line.split(' ')[0]!))).toEqual([]);
    expect(report.verdict.wrong).toEqual([]);
  });

  // Issue 8, defect 1: a scan in another manager (the CLI's `run`, the 30 s scan) that ran between
  // a submit's marker and its folder rename deleted the marker; the job stayed queued forever
  // (5 of 527 in the first long soak). Fixed by the index rule in JobStore.unmarkActive().
  it('no acknowledged job is stuck queued without its .active marker (defect 1)', () => {
    expect(report.verdict.lostUnindexed).toEqual([]);
  });

  it('each completed append job is in the state exactly once, and every replace job was absorbed', () => {
    const a = report.verdict.appends;
    expect({ duplicates: a.duplicates, missing: a.missing, extra: a.extra, values: a.values, replaceMissing: report.verdict.replaceMissing }).toEqual({
      duplicates: 0, missing: 0, extra: 0, values: a.expected, replaceMissing: 0,
    });
    expect(a.absorbed).toBe(a.expected);
  });

  it('no orphan process, no .active marker or staging folder left', () => {
    expect(report.orphans).toEqual([]);
    expect({ markers: report.verdict.leftovers.markers, staging: report.verdict.leftovers.staging }).toEqual({ markers: [], staging: [] });
  });

  it('temp files left behind are only those of writers SIGKILLed mid-write, or of CLI calls (gap below)', () => {
    // `.<name>.<pid>.<counter>.<random>.tmp` (src/store/atomic.ts tempPathFor)
    const writers = report.verdict.leftovers.tmp.map((path) => Number(/\.(\d+)\.\d+\.[a-z0-9]+\.tmp$/.exec(path)?.[1]));
    const unexplained = writers
      .filter((pid) => !report.killedPids.includes(pid) && !report.processes[pid]?.startsWith('cli '))
      .map((pid) => `${pid}: ${report.processes[pid] ?? 'not started by the soak'}`);
    expect(unexplained).toEqual([]);
  });

  // Two gaps the first soaks found, both closed: a writer SIGKILLed between creating its temp
  // file and the rename left it forever (now swept: src/store/temp-sweep.ts), and `mcp-jobs run`
  // exited while its manager still wrote (JobManager.close() now waits for settles in flight).
  it('no *.tmp temp file left at all', () => {
    expect(report.verdict.leftovers.tmp).toEqual([]);
  });

  it('the state file parsed at every read, and no reader saw an error from a live server', () => {
    expect(report.counts['state file parse failures'] ?? 0).toBe(0);
    expect(report.anomalies).toEqual([]);
  });
});
