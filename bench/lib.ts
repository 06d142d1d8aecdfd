/** Benchmark helpers shared by every bench/*.ts: percentiles, the figure format printed and written to BENCHMARKS.md, clocks, temp folders. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One measured figure. `target` is the issue's target in words; `pass` whether the figure meets it. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  target?: string;
  pass?: boolean;
  note?: string;
}

export function percentile(samples: number[], p: number): number {
  if (!samples.length) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** p50 / p90 / p99 / min / max of a sample set, rounded to `digits`. */
export function summary(samples: number[], digits = 2): { n: number; p50: number; p90: number; p99: number; min: number; max: number } {
  return {
    n: samples.length,
    p50: round(percentile(samples, 50), digits),
    p90: round(percentile(samples, 90), digits),
    p99: round(percentile(samples, 99), digits),
    min: round(Math.min(...samples), digits),
    max: round(Math.max(...samples), digits),
  };
}

/** `p50 1.2 / p90 1.5 / p99 2.0 ms (n=500)`: the short form used in notes. */
export function describeSamples(samples: number[], unit = 'ms'): string {
  const s = summary(samples);
  return `p50 ${s.p50} / p90 ${s.p90} / p99 ${s.p99} / min ${s.min} / max ${s.max} ${unit} (n=${s.n})`;
}

/** Monotonic milliseconds within this process. */
export const now = (): number => performance.now();

/**
 * Wall-clock milliseconds with sub-millisecond resolution, comparable across
 * processes on one machine (time origin + monotonic clock). Used where one
 * process stamps an instant and another measures from it.
 */
export const wallNow = (): number => performance.timeOrigin + performance.now();

/** The repository root and the compiled tree (this file is dist/bench/lib.js). */
export const DIST = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
export const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
/** A compiled script under dist/, e.g. `distPath('cli-wrappers/simulate.js')`. */
export const distPath = (relative: string): string => join(DIST, relative);

/** A fresh temp folder for one benchmark; remove it with `removeDir` when done. */
export function benchTemp(name: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `mcp-jobs-bench-${name}-`));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

/** Figure helper for a "lower is better" target: pass when `value <= limit`. */
export function atMost(name: string, value: number, unit: string, limit: number, target: string, note?: string): Figure {
  return { name, value, unit, target, pass: value <= limit, ...(note ? { note } : {}) };
}

/** A figure given for information (no target). */
export function info(name: string, value: number, unit: string, note?: string): Figure {
  return { name, value, unit, ...(note ? { note } : {}) };
}

/** Resolves after `ms`: only to let a busy machine settle between phases, never to wait for a condition. */
export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` until truthy or throws after `timeoutMs` naming `what`. */
export async function waitUntil<T>(check: () => T | Promise<T>, what: string, timeoutMs = 10_000, everyMs = 5): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`bench: timed out after ${timeoutMs} ms waiting for ${what}`);
    await pause(everyMs);
  }
}

/**
 * `MCP_JOBS_BENCH_QUICK=1`: a handful of runs per figure and no waiting for a
 * quiet machine. Only for the smoke test: the figures are not meaningful.
 */
export const QUICK = process.env.MCP_JOBS_BENCH_QUICK === '1';

/** The number of runs to make: `full` normally, `quick` in quick mode. */
export const runs = (full: number, quick = 3): number => (QUICK ? quick : full);
