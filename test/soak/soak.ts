/**
 * "Soak with faults" (issue 8): mixed jobs through the real MCP server while
 * chaos loops SIGKILL the server and workers, readers and a second process
 * (the CLI) work on the same folders; then every job is settled and checked
 * from the files (verify.ts), and /proc is searched for orphans.
 */
import { join } from 'node:path';
import { cliSide } from './cli-side.js';
import { serverChaos, workerChaos } from './chaos.js';
import { Ledger } from './ledger.js';
import { makeSpec, rng } from './mix.js';
import { killQuietly, processesUnder, type Orphan } from './procs.js';
import { mcpReader, stateFileReader } from './readers.js';
import { ServerGone, SoakServer } from './server.js';
import { settle } from './settle.js';
import { verify, type Verdict } from './verify.js';

export interface SoakConfig {
  root: string;
  jobs: number;
  serverKills: number;
  workerKills: number;
  /** Submits are spread over about this long; the kills too. */
  spreadMs: number;
  maxConcurrent: number;
  readers: number;
  seed: number;
  /** After the chaos: how long every job may take to end. */
  settleMs: number;
}

export interface SoakReport {
  config: SoakConfig;
  verdict: Verdict;
  acked: { mcp: number; cli: number };
  unacked: number;
  kills: { serverRandom: number; serverCrashPoints: number; workers: number };
  orphans: Orphan[];
  anomalies: string[];
  counts: Record<string, number>;
  /** Pids the soak SIGKILLed, and those of server generations that died at their crash point. */
  killedPids: number[];
  /** Every process the soak started (servers, CLI calls, killed workers): pid → what and how it ended. */
  processes: Record<number, string>;
  durationS: number;
  serverStderr: string;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runSoak(config: SoakConfig): Promise<SoakReport> {
  const t0 = Date.now();
  const folders = { root: config.root, jobsDir: join(config.root, 'jobs'), stateDir: join(config.root, 'state') };
  const ledger = new Ledger();
  const server = new SoakServer({ ...folders, maxConcurrent: config.maxConcurrent });
  const random = rng(config.seed);
  let chaosOver = false;
  let readersOver = false;
  await server.up();

  let next = 0;
  const mcpAcked = () => [...ledger.acked.values()].filter((a) => a.via === 'mcp').length;
  let submitting = 0; // submits in flight: two submitters never overshoot the count together
  const submitter = async () => {
    while (mcpAcked() + submitting < config.jobs) {
      const spec = makeSpec(next++, random, 'soak');
      ledger.specs.set(spec.seed, spec);
      submitting += 1;
      try {
        const result = await server.call('simulate', spec.args);
        const id = (result.structuredContent as { job_id?: string } | undefined)?.job_id;
        if (result.isError || !id) ledger.anomaly(`submit ${spec.seed}: ${JSON.stringify(result.content)}`);
        else ledger.acked.set(id, { id, via: 'mcp', spec });
      } catch (error) {
        if (!(error instanceof ServerGone)) throw error;
        ledger.unacked += 1;
      } finally {
        submitting -= 1;
      }
      await pause(random() * 2 * (config.spreadMs / config.jobs) * 2);
    }
  };
  const every = (kills: number): [number, number] => [0.3 * (config.spreadMs / kills), 1.5 * (config.spreadMs / kills)];
  const chaos = Promise.all([
    serverChaos(server, ledger, config.serverKills, { random, everyMs: every(config.serverKills), stopped: () => chaosOver }),
    workerChaos(ledger, folders.jobsDir, config.workerKills, { random, everyMs: every(config.workerKills), stopped: () => chaosOver }),
  ]);
  const readers = [
    ...Array.from({ length: config.readers }, () => mcpReader(server, ledger, random, () => readersOver)),
    stateFileReader(folders.stateDir, ledger, () => readersOver),
  ];
  const cli = cliSide(folders, ledger, () => chaosOver);

  await Promise.all([submitter(), submitter()]);
  // The chaos ends once its kills are done, or at twice the planned time.
  await Promise.race([chaos, pause(config.spreadMs * 2)]);
  chaosOver = true;
  await Promise.all([chaos, cli]);
  await server.cleanGeneration();
  ledger.counts['settle ms'] = await settle(folders.jobsDir, server, config.settleMs);
  readersOver = true;
  await Promise.all(readers);
  await server.stop();

  // Every job has ended: nothing may still run on behalf of the soak's folders.
  const deadline = Date.now() + 10_000;
  let orphans = processesUnder(config.root);
  while (orphans.length && Date.now() < deadline) {
    await pause(100);
    orphans = processesUnder(config.root);
  }
  for (const o of orphans) killQuietly(o.pid);

  return {
    config,
    verdict: verify(folders.jobsDir, folders.stateDir, ledger),
    acked: { mcp: mcpAcked(), cli: ledger.acked.size - mcpAcked() },
    unacked: ledger.unacked,
    kills: { serverRandom: server.randomKills, serverCrashPoints: server.crashPointDeaths, workers: ledger.killed.size },
    orphans,
    anomalies: ledger.anomalies,
    counts: ledger.counts,
    killedPids: [...ledger.killedPids, ...server.started.filter((g) => g.crashAt).map((g) => g.pid)],
    processes: Object.fromEntries([
      ...ledger.processes,
      ...server.started.map((g) => [g.pid, `server${g.crashAt ? ` (crash point ${g.crashAt})` : ''}${ledger.killedPids.has(g.pid) ? ', SIGKILLed' : ''}`] as const),
    ]),
    durationS: Math.round((Date.now() - t0) / 100) / 10,
    serverStderr: server.stderr.slice(-3000),
  };
}
