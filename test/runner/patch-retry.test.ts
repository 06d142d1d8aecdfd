/**
 * The retry schedule of a patch that failed for a reason outside the job (runner/patch-retry.ts): the first
 * retry after 250 ms, doubling per failure up to 30 s; what operators read in the log (the first failure, then
 * every tenth; how many tries it took once it settled); and nothing scheduled after close. The clock is vitest's
 * fake one: the schedule is the behaviour under test, and a real one would take minutes to reach the cap.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { log, type LogLevel } from '../../src/log.js';
import { PATCH_RETRY_FIRST_MS, PATCH_RETRY_MAX_MS, PatchRetries } from '../../src/runner/patch-retry.js';

const ID = '0mx7ot1vn-0000-bf617185-e85d-46e1-bd00-fdaf6e0f3f10';

let logged: { level: LogLevel; message: string }[] = [];
let removeSink: () => void;
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  logged = [];
  removeSink = log.addSink((level, message) => logged.push({ level, message }));
});
afterEach(() => {
  removeSink();
  vi.useRealTimers();
});

describe('PatchRetries', () => {
  it('tries again after 250 ms, doubling per failure up to 30 s; list() shows the failures, the last error and when', () => {
    expect([PATCH_RETRY_FIRST_MS, PATCH_RETRY_MAX_MS]).toEqual([250, 30_000]);
    const tries: number[] = [];
    const retries = new PatchRetries(async () => void tries.push(Date.now()));
    const delays: number[] = [];
    for (let failure = 1; failure <= 9; failure++) {
      const before = Date.now();
      retries.failed(ID, new Error(`ENOSPC ${failure}`));
      expect(retries.isWaiting(ID)).toBe(true);
      expect(retries.list()).toEqual([{ jobId: ID, failures: failure, error: `ENOSPC ${failure}`, nextAt: expect.any(String) }]);
      const nextAt = Date.parse(retries.list()[0]!.nextAt);
      delays.push(nextAt - before);
      vi.advanceTimersByTime(nextAt - before - 1);
      expect(tries.length, `no try before the delay of failure ${failure}`).toBe(failure - 1);
      vi.advanceTimersByTime(1);
      expect(tries.length, `the try after the delay of failure ${failure}`).toBe(failure);
      expect(retries.isWaiting(ID)).toBe(false);
    }
    expect(delays).toEqual([250, 500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
  });

  it('logs the first failure and every tenth, then how many tries it took', () => {
    const retries = new PatchRetries(async () => {});
    for (let failure = 1; failure <= 20; failure++) retries.failed(ID, new Error('EROFS'));
    expect(logged).toEqual([
      { level: 'warning', message: `job ${ID}: state patch not applied yet (EROFS); trying again in 250 ms` },
      { level: 'warning', message: `job ${ID}: state patch not applied yet (EROFS); trying again in 30000 ms` },
      { level: 'warning', message: `job ${ID}: state patch not applied yet (EROFS); trying again in 30000 ms` },
    ]);
    retries.done(ID);
    expect(logged.at(-1)).toEqual({ level: 'info', message: `job ${ID}: state patch settled after 20 failed tries` });
    expect(retries.list()).toEqual([]);
    retries.failed(ID, new Error('EIO'));
    retries.done(ID);
    expect(logged.at(-1)).toEqual({ level: 'info', message: `job ${ID}: state patch settled after 1 failed try` });
  });

  it('done() stops the timer; done() for a job it does not know says nothing', () => {
    const tries: string[] = [];
    const retries = new PatchRetries(async (id) => void tries.push(id));
    retries.failed(ID, new Error('EIO'));
    retries.done(ID);
    vi.advanceTimersByTime(60_000);
    expect(tries).toEqual([]);
    const before = logged.length;
    retries.done('unknown');
    expect(logged.length).toBe(before);
  });

  it('a retry that throws is logged as an error and does not stop the others', async () => {
    const other = ID.replace('0000', '0001');
    const tries: string[] = [];
    const retries = new PatchRetries(async (id) => {
      tries.push(id);
      if (id === ID) throw new Error('disk gone');
    });
    retries.failed(ID, new Error('EIO'));
    retries.failed(other, new Error('EIO'));
    await vi.advanceTimersByTimeAsync(PATCH_RETRY_FIRST_MS);
    expect(tries.sort()).toEqual([ID, other].sort());
    expect(logged).toContainEqual({ level: 'error', message: `retrying the patch of ${ID}: disk gone` });
  });

  it('after close() nothing is tried and nothing new is scheduled', () => {
    const tries: string[] = [];
    const retries = new PatchRetries(async (id) => void tries.push(id));
    retries.failed(ID, new Error('EIO'));
    retries.close();
    expect(retries.list()).toEqual([]);
    retries.failed(ID, new Error('EIO'));
    expect(retries.isWaiting(ID)).toBe(false);
    vi.advanceTimersByTime(60_000);
    expect(tries).toEqual([]);
  });
});
