/**
 * This machine is shared (2 cores): before each section, wait until other
 * processes leave the CPUs mostly idle, and record how busy they were, so a
 * figure taken on a loaded machine says so.
 */
import { readFileSync } from 'node:fs';
import { pause } from './lib.js';

function cpuTimes(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const [, ...fields] = line.trim().split(/\s+/);
    const n = fields.map(Number);
    const idle = (n[3] ?? 0) + (n[4] ?? 0);
    const total = n.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return undefined; // not Linux: no measurement
  }
}

/** Percentage of all CPUs busy over the next `ms` (undefined where /proc/stat is missing). */
export async function cpuBusy(ms = 500): Promise<number | undefined> {
  const a = cpuTimes();
  await pause(ms);
  const b = cpuTimes();
  if (!a || !b || b.total === a.total) return undefined;
  return Math.round((100 * (b.busy - a.busy)) / (b.total - a.total));
}

/**
 * Waits (up to `maxWaitMs`) until the CPUs are at most `threshold` % busy for
 * one sample. Returns the last busy figure seen and how long it waited.
 */
export async function waitForQuiet(threshold = 25, maxWaitMs = 20_000): Promise<{ busy: number | undefined; waitedMs: number }> {
  const started = Date.now();
  let busy = await cpuBusy();
  while (busy !== undefined && busy > threshold && Date.now() - started < maxWaitMs) busy = await cpuBusy();
  return { busy, waitedMs: Date.now() - started };
}
