/** Benchmark helpers shared by every bench/*.ts: percentiles and the figure format printed and written to BENCHMARKS.md. */

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
