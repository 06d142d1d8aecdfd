/**
 * The chaos loops. Server: SIGKILL the live server at random moments; about a
 * third of the next generations carry a crash point (`before-settle`,
 * `before-patch`, `after-state-write`), so they kill themselves at their first
 * settle, i.e. right after a results.json rename. Workers: SIGKILL a random
 * live worker; once it is gone, its files say what the job must end as.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Ledger } from './ledger.js';
import { aliveNotZombie, findWorkers, killQuietly } from './procs.js';
import type { SoakServer } from './server.js';
import type { Expected } from './mix.js';

export const SETTLE_POINTS = ['before-settle', 'before-patch', 'after-state-write'] as const;

export interface ChaosTiming {
  random: () => number;
  /** Milliseconds between two kills: uniform in [min, max]. */
  everyMs: [number, number];
  stopped: () => boolean;
}

const delay = (t: ChaosTiming) => new Promise((r) => setTimeout(r, t.everyMs[0] + t.random() * (t.everyMs[1] - t.everyMs[0])));

/** Kills the server until `target` generations have died (by our SIGKILL or their own crash point). */
export async function serverChaos(server: SoakServer, ledger: Ledger, target: number, timing: ChaosTiming): Promise<void> {
  while (!timing.stopped() && server.randomKills + server.crashPointDeaths < target) {
    await delay(timing);
    if (timing.stopped()) return;
    if (timing.random() < 0.35) server.nextCrashAt = SETTLE_POINTS[Math.floor(timing.random() * SETTLE_POINTS.length)];
    const pid = server.pid;
    if (await server.kill()) ledger.killedPids.add(pid!);
    await server.up().catch(() => {});
  }
}

/** Kills `target` workers, one at a time; records what each job must end as. */
export async function workerChaos(ledger: Ledger, jobsDir: string, target: number, timing: ChaosTiming): Promise<void> {
  let kills = 0;
  while (!timing.stopped() && kills < target) {
    await delay(timing);
    const workers = findWorkers(jobsDir).filter((w) => !ledger.killed.has(w.jobId));
    if (!workers.length) continue;
    const victim = workers[Math.floor(timing.random() * workers.length)]!;
    killQuietly(victim.pid);
    ledger.killedPids.add(victim.pid);
    while (aliveNotZombie(victim.pid)) await new Promise((r) => setTimeout(r, 5));
    const dir = join(jobsDir, victim.jobId);
    const expected: Expected = existsSync(join(dir, 'results.json'))
      ? { status: 'completed' }
      : existsSync(join(dir, 'error.json'))
        ? { status: 'failed', kind: 'error' }
        : { status: 'failed', kind: 'lost' };
    ledger.killed.set(victim.jobId, expected);
    ledger.count(`worker kill → ${expected.status === 'completed' ? 'completed' : `failed ${expected.kind}`}`);
    kills += 1;
  }
}
