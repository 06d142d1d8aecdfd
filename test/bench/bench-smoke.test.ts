/**
 * Smoke test of the benchmark harness (the benchmarks themselves run with
 * `npm run bench`, not here): the built runner lists its benchmarks, refuses
 * an unknown name, and in quick mode produces figures from real runs,
 * including the fixture worker that writes results.json on a signal.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIST } from '../helpers.js';

const RUNNER = join(DIST, 'bench', 'run.js');

function bench(args: string[], env: NodeJS.ProcessEnv = {}) {
  const run = spawnSync(process.execPath, [RUNNER, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

describe('npm run bench (smoke)', () => {
  it('lists the benchmarks', () => {
    const { code, out } = bench(['--list']);
    expect(code).toBe(0);
    for (const name of ['submit', 'e2e', 'wrapper-startup', 'result-latency', 'startup', 'mcp']) expect(out).toMatch(new RegExp(`^${name}\\s`, 'm'));
  });

  it('refuses an unknown benchmark name, naming the known ones', () => {
    const { code, err } = bench(['nope']);
    expect(code).toBe(2);
    expect(err).toContain('Unknown benchmark `nope`');
    expect(err).toContain('result-latency');
  });

  it('measures submit latency and result latency in quick mode', () => {
    const { code, out, err } = bench(['submit', 'result-latency'], { MCP_JOBS_BENCH_QUICK: '1' });
    expect(code, err).toBe(0);
    expect(out).toMatch(/submit latency p50 \(in-process, durable\): [\d.]+ ms/);
    expect(out).toMatch(/results\.json → job:completed p50 \(parent manager\): [\d.]+ ms/);
    expect(out).toMatch(/results\.json → job:completed p50 \(second manager, watcher\): [\d.]+ ms/);
  });
});
