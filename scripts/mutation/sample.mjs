// Chooses the mutants of a sampled mutation run (`npm run mutation:sample`; see stryker.config.mjs).
//
// A full run over src/store and src/runner is about 3,100 mutants; at 10-60 s each (every covered mutant runs
// every test that reaches it, real processes included) that is most of a day on a 2-core machine. A sampled run
// tests a stratified random sample instead and estimates the score with its margin (scripts/mutation/score.mjs).
//
// The unit of the sample is a mutated node (a source range): all mutants Stryker makes on one expression or
// statement are in or out together. Each file contributes the same fraction of its nodes (at least MIN_PER_FILE),
// chosen by a seeded generator, so a run is reproducible: `node scripts/mutation/sample.mjs [fraction] [seed]`
// (or MUTATION_FRACTION=0.06 MUTATION_SEED=7 npm run mutation:sample).
// Writes reports/mutation-sample.json: { fraction, seed, nodes: { "<file>": ["l:c-l:c", ...] }, mutants }.
import fs from 'node:fs';
import path from 'node:path';
import { Instrumenter } from '@stryker-mutator/instrumenter';
import { fromApi } from './node-keys.mjs';

const FOLDERS = ['src/store', 'src/runner'];
// Not mutated: a mutant in the tree finder (e.g. its match condition made `true`) signals every process on the
// machine that is not an ancestor of the test, and as root that is all of them: twice it SIGKILLed Stryker's own
// runner and the shell, ending the run with no report. Its rules are pinned by test/runner/descendants.test.ts.
// Nor the crash tests' fault hook (crash-points.ts): armed only by MCP_JOBS_CRASH_AT in test/crash's children, it
// is scaffolding of the tests, not behaviour of the runner.
const EXCLUDED = new Set(['src/runner/process-tree.ts', 'src/runner/crash-points.ts']);
const MIN_PER_FILE = 2;
const fraction = Number(process.argv[2] ?? process.env.MUTATION_FRACTION ?? 0.15);
const seed = Number(process.argv[3] ?? process.env.MUTATION_SEED ?? 20261203);
if (!(fraction > 0 && fraction <= 1) || !Number.isInteger(seed)) {
  console.error('usage: node scripts/mutation/sample.mjs [fraction in (0, 1]] [integer seed]');
  process.exit(2);
}

// mulberry32: small, seeded, good enough to draw a sample.
function generator(start) {
  let a = start >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const silent = { debug() {}, info() {}, warn() {}, error() {}, trace() {}, isDebugEnabled: () => false };
const files = FOLDERS.flatMap((dir) =>
  fs.readdirSync(dir).filter((f) => f.endsWith('.ts')).sort().map((f) => path.join(dir, f)).filter((f) => !EXCLUDED.has(f)),
);
const { mutants } = await new Instrumenter(silent).instrument(
  files.map((name) => ({ name, mutate: true, content: fs.readFileSync(name, 'utf8') })),
  { plugins: null, excludedMutations: [], ignorers: [], noHeader: true },
);

const byFile = new Map(files.map((f) => [f, new Map()]));
for (const m of mutants) {
  const nodes = byFile.get(path.relative(process.cwd(), m.fileName));
  const key = fromApi(m.location);
  nodes.set(key, (nodes.get(key) ?? 0) + 1);
}

const random = generator(seed);
const chosen = {};
let total = 0;
for (const [file, nodes] of byFile) {
  const keys = [...nodes.keys()];
  const want = Math.min(keys.length, Math.max(MIN_PER_FILE, Math.round(keys.length * fraction)));
  for (let i = keys.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [keys[i], keys[j]] = [keys[j], keys[i]];
  }
  chosen[file] = keys.slice(0, want);
  total += chosen[file].reduce((sum, key) => sum + nodes.get(key), 0);
}

fs.mkdirSync('reports', { recursive: true });
fs.writeFileSync(
  'reports/mutation-sample.json',
  JSON.stringify({ fraction, seed, mutantsInAll: mutants.length, mutants: total, nodes: chosen }, null, 1) + '\n',
);
console.log(`sampled ${total} of ${mutants.length} mutants (${Object.values(chosen).flat().length} nodes) -> reports/mutation-sample.json`);
