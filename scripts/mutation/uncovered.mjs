// Second pass of a sampled mutation run: the sampled nodes whose mutants Stryker found no test for.
//
// Per-test coverage is measured in the vitest process only, so a mutant reached only in a child process (a
// wrapper's runtime, `mcp-jobs run`, a manager child) is "no coverage" and never run, although the child runs the
// same mutant (test/stryker-env.ts) and a test may well fail on it. This writes
// reports/mutation-sample-uncovered.json (the same form as the sample) from reports/mutation-sample/mutation.json;
// `npm run mutation:uncovered` then runs those mutants against the whole test set (coverage analysis off), and
// scripts/mutation/score.mjs counts that pass's verdict for them.
import fs from 'node:fs';
import { fromReport } from './node-keys.mjs';

const sample = JSON.parse(fs.readFileSync('reports/mutation-sample.json', 'utf8'));
const report = JSON.parse(fs.readFileSync('reports/mutation-sample/mutation.json', 'utf8'));
const nodes = {};
let count = 0;
for (const [file, keys] of Object.entries(sample.nodes)) {
  const wanted = new Set(keys);
  const uncovered = new Set(
    (report.files[file]?.mutants ?? []).filter((m) => m.status === 'NoCoverage').map((m) => fromReport(m.location)).filter((key) => wanted.has(key)),
  );
  if (uncovered.size) nodes[file] = [...uncovered];
  count += uncovered.size;
}
fs.writeFileSync(
  'reports/mutation-sample-uncovered.json',
  JSON.stringify({ ...sample, of: 'reports/mutation-sample.json', nodes }, null, 1) + '\n',
);
console.log(`${count} sampled nodes without coverage -> reports/mutation-sample-uncovered.json`);
