/**
 * Issue 2 (c): what the wrapper runtime adds to a bare node start. A no-op
 * wrapper (bench/fixtures/noop.ts: `defineWrapper`, run returns `{}` at once)
 * on a folder whose job.json carries the matching digest, against `node -e ""`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeDirectFolder } from './folders.js';
import { type Figure, atMost, benchTemp, describeSamples, distPath, info, percentile, removeDir, round, runs } from './lib.js';
import { timeSpawnOk } from './proc.js';

const RUNS = runs(60);
const WARMUP = runs(5, 1);

export const wrapperStartupMethod = [
  `${RUNS} runs of each, interleaved (alternating which goes first), after ${WARMUP} warm-up pairs; each timed from \`spawn()\` to the \`exit\` event by the bench process.`,
  '`node dist/bench/fixtures/noop.js --job-dir <dir>`: a `defineWrapper` wrapper whose run returns `{}` at once, on a fresh folder with input.json and a job.json carrying the matching `inputDigest` (so it takes the lock, reads input.json and job.json, skips validation, writes results.json atomically, releases the lock).',
  'Baseline: `node -e ""`. Ratio = p50(no-op wrapper) / p50(node -e "").',
];

export async function benchWrapperStartup(): Promise<Figure[]> {
  const dir = await benchTemp('wrapper-startup');
  const script = distPath('bench/fixtures/noop.js');
  let count = 0;
  const wrapper = async () => {
    const folder = join(dir, String(count++));
    writeDirectFolder(folder, {}, [process.execPath, script]);
    const ms = await timeSpawnOk([process.execPath, script, '--job-dir', folder], 'no-op wrapper');
    if (!existsSync(join(folder, 'results.json'))) throw new Error(`bench: no-op wrapper left no results.json in ${folder}`);
    return ms;
  };
  const bare = () => timeSpawnOk([process.execPath, '-e', ''], 'node -e ""');
  try {
    for (let i = 0; i < WARMUP; i++) {
      await bare();
      await wrapper();
    }
    const wrapperMs: number[] = [];
    const bareMs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      if (i % 2 === 0) {
        bareMs.push(await bare());
        wrapperMs.push(await wrapper());
      } else {
        wrapperMs.push(await wrapper());
        bareMs.push(await bare());
      }
    }
    const ratio = percentile(wrapperMs, 50) / percentile(bareMs, 50);
    return [
      info('no-op wrapper start-up p50', round(percentile(wrapperMs, 50)), 'ms', describeSamples(wrapperMs)),
      info('node -e "" p50', round(percentile(bareMs, 50)), 'ms', describeSamples(bareMs)),
      atMost('no-op wrapper / node -e "" (p50s)', round(ratio, 3), '×', 1.25, '≤ 1.25×'),
    ];
  } finally {
    await removeDir(dir);
  }
}
