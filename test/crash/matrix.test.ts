/**
 * The crash matrix (issue 3, item 9): a real child process runs a manager and
 * is SIGKILLed at each phase of a job's life; a new child on the same folders
 * must converge to the state of a run without a crash, and a second restart
 * must change nothing (see scenario.ts and converged.ts for what is checked).
 *
 * Each case first proves that the kill happened where it says it did, from the
 * files the dead manager left.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CrashPoint } from './child.js';
import { APPEND, crashJobSet } from './converged.js';
import { readLaunches, readResult, readState } from './folders.js';
import { waitFor } from '../helpers.js';
import { crash, recoverAndCheck, type Crashed } from './scenario.js';
import type { JobRecord } from '../../src/types.js';

const hasResults = (run: Crashed, r: JobRecord) => existsSync(join(run.folders.jobsDir, r.id, 'results.json'));
const fieldOf = (r: JobRecord) => (r.patch?.kind === 'declarative' ? r.patch.patch.field : '');
const inState = (run: Crashed, r: JobRecord) => readState(run.folders.stateDir, fieldOf(r))?.applied[r.id] !== undefined;

/** What the files must show right after the kill, per crash point. */
const phase: Record<CrashPoint, (run: Crashed) => void> = {
  'after-submit': (run) => {
    expect(run.atCrash.map((r) => r.status)).toEqual(['queued']);
    expect(readLaunches(run.folders.launchLog)).toEqual([]);
  },
  'after-claim': (run) => {
    expect(run.atCrash.some((r) => r.status === 'running' && r.pid === undefined)).toBe(true);
    expect(readLaunches(run.folders.launchLog)).toEqual([]);
  },
  'after-spawn': (run) => {
    const launched = run.atCrash.filter((r) => r.status === 'running' && r.pid !== undefined);
    expect(launched.length).toBeGreaterThan(0);
    // The manager is dead; its detached workers are not.
    expect(run.survivors.map((s) => s.id)).toEqual(expect.arrayContaining(launched.map((r) => r.id)));
  },
  'before-settle': (run) => {
    expect(run.atCrash.some((r) => r.status === 'running' && hasResults(run, r))).toBe(true);
    expect(run.atCrash.some((r) => r.status === 'completed')).toBe(false);
  },
  'before-patch': (run) => {
    const pending = run.atCrash.filter((r) => r.status === 'completed' && r.patchState === 'pending');
    expect(pending.length).toBeGreaterThan(0);
    expect(pending.some((r) => !inState(run, r))).toBe(true);
  },
  'after-state-write': (run) => {
    const pending = run.atCrash.filter((r) => r.status === 'completed' && r.patchState === 'pending');
    expect(pending.some((r) => inState(run, r))).toBe(true);
  },
};

describe('crash matrix: the manager SIGKILLs itself at each crash point, a new one converges', () => {
  for (const point of Object.keys(phase) as CrashPoint[]) {
    it(`crash at ${point}`, async () => {
      // Longer jobs for after-spawn, so the surviving worker is certainly still running when checked.
      const specs = point === 'after-spawn' ? crashJobSet(point, 6, 8, 40) : crashJobSet(point, 6);
      const run = await crash({ point, specs });
      phase[point](run);
      // after-claim: claimed jobs without a pid wait out the core's 10 s launch grace before they are requeued.
      await recoverAndCheck(run, point === 'after-claim' ? 45_000 : 30_000);
    }, 70_000);
  }
});

describe('crash matrix: a real SIGKILL from outside at an observed moment', () => {
  it('while workers run (progress reported), the workers outlive it and are reconciled, not rerun', async () => {
    const run = await crash({ specs: crashJobSet('while-running', 6, 8, 40), killWhen: (e) => e.event === 'job:progress' && Number(e.current) >= 2 });
    expect(run.atCrash.some((r) => r.status === 'running' && r.pid !== undefined)).toBe(true);
    expect(run.survivors.length).toBeGreaterThan(0);
    await recoverAndCheck(run);
  }, 70_000);

  it('right after a result is applied to the state (state:changed), with the next jobs in flight', async () => {
    const run = await crash({ specs: crashJobSet('after-apply', 6), killWhen: (e) => e.event === 'state:changed' });
    expect(run.atCrash.some((r) => r.status === 'completed')).toBe(true);
    await recoverAndCheck(run);
  }, 70_000);

  it('at a random reported event', async () => {
    const k = 2 + Math.floor(Math.random() * 45);
    // (a k past the last event kills it once all is settled: then the restart has nothing to do)
    const run = await crash({ specs: crashJobSet(`random-${k}`, 6), killWhen: (e, index) => index >= k || e.event === 'settled' });
    await recoverAndCheck(run, 45_000).catch((error: Error) => {
      throw new Error(`killed after event #${k}: ${error.message}`);
    });
  }, 80_000);
});

describe('crash matrix: replay order', () => {
  // Regression guard (found here, fixed in 3fa3c8c): the startup scan used to settle a job that ended while no manager
  // ran (applying its patch) inline, before replaying the patches left pending, so `append` got the later finish first.
  // A run without the crash appends them in finish order (0.8 s apart here).
  it('append keeps finish order: a job finished before the crash comes before one that finished while down', async () => {
    const specs = [
      { input: { steps: 2, step_ms: 20, seed: `first-${Math.random()}` }, statePatch: { ...APPEND } },
      { input: { steps: 15, step_ms: 60, seed: `second-${Math.random()}` }, statePatch: { ...APPEND } },
    ];
    const run = await crash({ point: 'before-patch', specs });
    const [first, second] = run.atCrash;
    expect([first?.status, first?.patchState, second?.status]).toEqual(['completed', 'pending', 'running']);
    await waitFor(() => existsSync(join(run.folders.jobsDir, second!.id, 'results.json')), 'the second job to finish while no manager runs');
    await recoverAndCheck(run);
    const checksum = (id: string) => readResult(run.folders.jobsDir, id).checksum;
    expect(readState(run.folders.stateDir, 'runs')!.value).toEqual([checksum(first!.id), checksum(second!.id)]);
  }, 60_000);
});
