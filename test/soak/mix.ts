/**
 * The soak's job mix, drawn from a seeded generator (the seed is in the
 * summary): short jobs, multi-second ones, failing ones and large results,
 * most with an `append` patch on `soak` (pointer `/checksum`), some with a
 * `replace` on `latest`, some with none. Every job's seed is unique, so the
 * job folders' input.json says which spec each one is.
 */
export type Kind = 'short' | 'multi' | 'fail' | 'large';
export type PatchMode = 'append' | 'replace' | 'none';

export interface Spec {
  seed: string;
  kind: Kind;
  patch: PatchMode;
  /** The start tool's arguments. */
  args: Record<string, unknown>;
}

/** What a job ends as when nothing kills its worker. */
export type Expected = { status: 'completed' } | { status: 'failed'; kind: string };

export const APPEND_FIELD = 'soak';
export const REPLACE_FIELD = 'latest';

/** mulberry32: small, fast, good enough to draw a job mix reproducibly. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: () => number, weighted: [T, number][]): T => {
  let r = random() * weighted.reduce((sum, [, w]) => sum + w, 0);
  for (const [value, w] of weighted) if ((r -= w) < 0) return value;
  return weighted[weighted.length - 1]![0];
};
const int = (random: () => number, lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));

export function makeSpec(i: number, random: () => number, tag: string): Spec {
  const kind = pick<Kind>(random, [['short', 50], ['multi', 20], ['fail', 15], ['large', 15]]);
  const patch = pick<PatchMode>(random, [['append', 80], ['replace', 10], ['none', 10]]);
  const seed = `${tag}-${i}`;
  const args: Record<string, unknown> = { seed };
  if (kind === 'short') Object.assign(args, { steps: int(random, 1, 3), step_ms: int(random, 0, 30) });
  if (kind === 'multi') Object.assign(args, { steps: int(random, 4, 8), step_ms: int(random, 300, 600) });
  if (kind === 'fail') Object.assign(args, { steps: 4, step_ms: int(random, 10, 200), fail_at_step: int(random, 1, 4) });
  if (kind === 'large') Object.assign(args, { steps: 2, step_ms: 20, result_kb: int(random, 200, 1500) });
  if (patch === 'append') args.state_patch = { field: APPEND_FIELD, mode: 'append', pointer: '/checksum' };
  if (patch === 'replace') args.state_patch = { field: REPLACE_FIELD, mode: 'replace', pointer: '/checksum' };
  return { seed, kind, patch, args };
}

export function expectedOf(kind: Kind): Expected {
  return kind === 'fail' ? { status: 'failed', kind: 'error' } : { status: 'completed' };
}
