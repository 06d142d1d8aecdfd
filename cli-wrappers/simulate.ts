/**
 * simulate: a stand-in for a heavy computation. Runs `steps` steps of
 * `step_ms` each, reports progress every step, stops between steps when
 * cancelled, fails at `fail_at_step` if given, and returns a checksum plus an
 * optional deterministic payload of `result_kb` KiB.
 *
 *   node dist/cli-wrappers/simulate.js --job-dir <dir>    (<dir>/input.json)
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { defineWrapper } from '../src/worker/define-wrapper.js';

export default defineWrapper(import.meta, {
  name: 'simulate',
  description: 'Simulate a long computation: `steps` steps of `step_ms` ms each, with progress, cancellation and an optional failure or payload.',
  input: (z) =>
    z.strictObject({
      steps: z.number().int().min(1).max(1_000_000).describe('number of steps'),
      step_ms: z.number().int().min(0).max(600_000).describe('milliseconds per step'),
      fail_at_step: z.number().int().min(1).optional().describe('fail with an error at this step'),
      result_kb: z.number().int().min(0).max(65_536).optional().describe('KiB of deterministic payload text to return'),
      seed: z.string().max(256).optional().describe('seed for the checksum and payload'),
    }),
  allowStatePatchOverride: true,
  async run(input, ctx) {
    const seed = input.seed ?? 'mcp-jobs';
    let checksum = fnv1a(seed);
    for (let step = 1; step <= input.steps; step++) {
      ctx.signal.throwIfAborted();
      if (step === input.fail_at_step) throw new Error(`simulated failure at step ${step} of ${input.steps}`);
      if (input.step_ms > 0) await sleep(input.step_ms, undefined, { signal: ctx.signal });
      else if (step % 1000 === 0) await new Promise((resolve) => setImmediate(resolve));
      checksum = fnv1a(`${checksum}:${step}`);
      ctx.progress(step, input.steps, `step ${step}/${input.steps}`);
    }
    const result: { steps: number; checksum: string; payload?: string } = { steps: input.steps, checksum: checksum.toString(16).padStart(8, '0') };
    if (input.result_kb) result.payload = payload(seed, input.result_kb * 1024);
    return result;
  },
});

/** 32-bit FNV-1a of a string. */
function fnv1a(text: string | number): number {
  const s = String(text);
  let hash = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    hash ^= s.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** `bytes` bytes of printable text determined by the seed. */
function payload(seed: string, bytes: number): string {
  const line = `${seed}:${fnv1a(seed).toString(16)} the quick brown fox jumps over the lazy dog\n`;
  return line.repeat(Math.ceil(bytes / line.length)).slice(0, bytes);
}
