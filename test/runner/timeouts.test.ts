/**
 * Timeouts measure the attempt's elapsed time on the monotonic clock of the
 * boot it started in: a restarted manager neither starts the timeout again
 * from zero nor trusts a wall clock that jumped while it was down.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { elapsedMs, systemClock, type Clock } from '../../src/runner/clock.js';
import { isProcessAlive, signalGroup } from '../../src/runner/proc.js';
import type { JobRecord } from '../../src/types.js';
import { tempDir, waitFor } from '../helpers.js';
import { makeManager } from './setup.js';

const HOUR = 3_600_000;

/** The system clock with its wall time shifted (a clock jump); the monotonic clock is the real one. */
const jumped = (offsetMs: number): Clock => ({ now: () => Date.now() + offsetMs, monotonic: () => systemClock.monotonic() });

const started: JobRecord[] = [];
afterEach(() => {
  // Workers outlive their managers: stop every one this file started, also when a test failed.
  for (const record of started.splice(0)) if (record.pid && isProcessAlive(record.pid, record.pidStartTime)) signalGroup(record.pid, 'SIGKILL');
});

const monoNow = () => systemClock.monotonic()!.ms;

/** Starts a `forever` job with `timeoutMs` in a first manager, closes that manager once the worker runs. */
async function startThenLeave(dir: string, timeoutMs: number): Promise<JobRecord> {
  const first = await makeManager({}, dir);
  const { jobId } = await first.submit('forever', {}, { timeoutMs });
  const record = await waitFor(async () => {
    const r = await first.store.get(jobId);
    return r.pid ? r : undefined;
  }, 'the worker to start');
  started.push(record);
  await first.close();
  return record;
}

describe('elapsedMs', () => {
  const boot = systemClock.monotonic()?.boot ?? 'boot-a';
  const clock = (wall: number, mono: number, bootId = boot): Clock => ({ now: () => wall, monotonic: () => ({ boot: bootId, ms: mono }) });
  const record = { createdAt: '2026-01-01T00:00:00.000Z', startedAt: '2026-01-01T00:00:10.000Z', startedMono: { boot, ms: 50_000 } };

  it('uses the monotonic clock of the same boot, whatever the wall clock says', () => {
    const wall10s = Date.parse('2026-01-01T00:00:20.000Z');
    expect(elapsedMs(record, clock(wall10s, 56_000))).toBe(6_000);
    expect(elapsedMs(record, clock(wall10s + 2 * HOUR, 56_000))).toBe(6_000);
    expect(elapsedMs(record, clock(wall10s - 2 * HOUR, 56_000))).toBe(6_000);
  });

  it('falls back to the wall clock across a reboot, and to createdAt without startedAt; never negative', () => {
    const wall = Date.parse('2026-01-01T00:00:25.000Z');
    expect(elapsedMs(record, clock(wall, 1_000, 'another-boot'))).toBe(15_000);
    expect(elapsedMs({ createdAt: record.createdAt }, clock(wall, 1_000))).toBe(25_000);
    expect(elapsedMs(record, clock(wall - HOUR, 1_000, 'another-boot'))).toBe(0);
    expect(elapsedMs(record, { now: () => wall, monotonic: () => undefined })).toBe(15_000);
  });
});

describe.skipIf(!systemClock.monotonic())('a restarted manager', () => {
  it('keeps the attempt\'s elapsed time: it does not start the timeout again from zero', async () => {
    const dir = tempDir();
    const record = await startThenLeave(dir, 4_000);
    // The "server" stays down for 2.5 s of the 4 s budget.
    await waitFor(() => monoNow() - record.startedMono!.ms >= 2_500, 'the downtime');
    const second = await makeManager({}, dir);
    const done = await second.wait(record.id, 15_000);
    const ranFor = monoNow() - record.startedMono!.ms;
    expect(done.status).toBe('failed');
    expect(done.error?.kind).toBe('timeout');
    // From zero it would end at >= 6.5 s.
    expect(ranFor).toBeGreaterThanOrEqual(3_900);
    expect(ranFor).toBeLessThan(5_800);
  });

  it('does not trust a wall clock that jumped 2 h forward while it was down (no early kill)', async () => {
    const dir = tempDir();
    const record = await startThenLeave(dir, 3_000);
    const second = await makeManager({ clock: jumped(2 * HOUR) }, dir);
    const done = await second.wait(record.id, 15_000);
    expect(done.error?.kind).toBe('timeout');
    expect(monoNow() - record.startedMono!.ms).toBeGreaterThanOrEqual(2_900);
  });

  it('does not trust a wall clock that jumped 2 h back while it was down (the timeout is still enforced)', async () => {
    const dir = tempDir();
    const record = await startThenLeave(dir, 2_000);
    const second = await makeManager({ clock: jumped(-2 * HOUR) }, dir);
    const done = await second.wait(record.id, 8_000);
    expect(done.status).toBe('failed');
    expect(done.error?.kind).toBe('timeout');
    expect(monoNow() - record.startedMono!.ms).toBeLessThan(6_000);
  });

  it('records the monotonic start and boot id with the attempt', async () => {
    const dir = tempDir();
    const before = monoNow();
    const record = await startThenLeave(dir, 60_000);
    expect(record.startedMono).toEqual({ boot: systemClock.monotonic()!.boot, ms: expect.any(Number) });
    expect(record.startedMono!.ms).toBeGreaterThanOrEqual(before);
    expect(record.startedMono!.ms).toBeLessThanOrEqual(monoNow());
  });
});

describe('a tiny timeout', () => {
  it('on the command line rounds up to 1 ms, never down to 0 (= none)', async () => {
    const { secondsOption } = await import('../../src/cli/options.js');
    expect(secondsOption('--timeout')('0.0004')).toBe(1);
    expect(secondsOption('--timeout')('0.4ms')).toBe(1);
    expect(secondsOption('--timeout')('0')).toBe(0);
    expect(secondsOption('--timeout')('1.5')).toBe(1500);
  });
});
