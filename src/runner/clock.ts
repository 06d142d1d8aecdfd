/**
 * Time for timeouts. The wall clock jumps (NTP, a manual change, a VM restore):
 * a timeout measured with it kills a job early (+2 h: a 600 s job after 10 s) or
 * never (-2 h). So an attempt records, next to `startedAt`, a reading of the
 * monotonic clock (CLOCK_MONOTONIC, via `process.hrtime`: the same clock for
 * every process of one boot; it does not run while the machine is suspended)
 * together with the boot id (`/proc/sys/kernel/random/boot_id`). Any process
 * of the same boot, e.g. a restarted server, computes the elapsed time from it;
 * only a process of another boot (or another host) falls back to the wall clock.
 *
 * The clock is a narrow dependency (`RunnerOptions.clock`), so a test can jump it.
 */
import { readFileSync } from 'node:fs';

/** A monotonic reading: ms since boot on CLOCK_MONOTONIC, and which boot. */
export interface MonotonicStamp {
  boot: string;
  ms: number;
}

export interface Clock {
  /** Wall-clock time, epoch ms. */
  now(): number;
  /** The monotonic clock now, or undefined where the boot cannot be identified (no /proc). */
  monotonic(): MonotonicStamp | undefined;
}

function readBootId(): string | undefined {
  try {
    const id = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return /^[0-9a-f-]{8,64}$/.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

const bootId = readBootId();

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => (bootId === undefined ? undefined : { boot: bootId, ms: Number(process.hrtime.bigint() / 1_000_000n) }),
};

/** What an attempt's record says about when it started. */
export interface StartedTimes {
  startedAt?: string | undefined;
  createdAt: string;
  startedMono?: MonotonicStamp | undefined;
}

/**
 * How long the attempt has been running, in ms (never negative): from the
 * monotonic stamp when it belongs to this boot, else from the wall clock.
 */
export function elapsedMs(record: StartedTimes, clock: Clock): number {
  const mono = record.startedMono;
  const current = mono ? clock.monotonic() : undefined;
  if (mono && current && current.boot === mono.boot && current.ms >= mono.ms) return current.ms - mono.ms;
  const started = Date.parse(record.startedAt ?? record.createdAt);
  return Number.isNaN(started) ? 0 : Math.max(0, clock.now() - started);
}
