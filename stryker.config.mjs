// Mutation testing of src/store and src/runner with StrykerJS 9 (`npm run mutation`; not in CI: it takes hours
// on a small machine). Results: reports/mutation/ (html, json); the score is recorded in BENCHMARKS.md.
//
// How the code under test is loaded, and why the config looks like this:
// - vitest runs src/ through its TS transform, in the sandbox Stryker instruments (all mutants compiled in,
//   one switched on per run).
// - Wrappers, manager children (test/crash, test/two-managers) and servers run compiled code from dist/.
//   `buildCommand` compiles the instrumented sandbox into the sandbox's dist/, and test/stryker-env.ts puts the
//   active mutant into process.env, so a child process runs the same mutant as the test that started it.
// - Coverage is measured per test in the vitest process only: code that runs only in a child does not count
//   as covered, so a mutant reached only there is "no coverage" (see BENCHMARKS.md).
//
// Sampled run (`npm run mutation:sample`, MUTATION_SAMPLE_FILE set): only the nodes chosen by
// scripts/mutation/sample.mjs are mutated (their ranges as `mutate` patterns, the rest inside them ignored by
// scripts/mutation/sample-ignorer.mjs); reports and incremental file go to reports/<sample name>/.
import fs from 'node:fs';
import path from 'node:path';

const sampleFile = process.env.MUTATION_SAMPLE_FILE ? path.resolve(process.env.MUTATION_SAMPLE_FILE) : undefined;
const sample = sampleFile && JSON.parse(fs.readFileSync(sampleFile, 'utf8'));
if (sampleFile) process.env.MUTATION_SAMPLE_FILE = sampleFile; // absolute, for the ignorer
// reports/<sample file's name>/ for a sample (reports/mutation-sample/ for the default one)
const reports = sample ? `reports/${path.basename(sampleFile, '.json')}` : 'reports/mutation';
// The second pass (`npm run mutation:uncovered`, scripts/mutation/uncovered.mjs) runs every test against each mutant:
// coverage analysis off, which Stryker allows only with static mutants run too.
const everyTest = Boolean(sample?.of);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner', ...(sample ? ['./scripts/mutation/sample-ignorer.mjs'] : [])],
  ...(sample && { ignorers: ['mutation-sample'] }),
  vitest: { configFile: 'vitest.stryker.config.mjs', related: false },
  mutate: sample
    ? Object.entries(sample.nodes).flatMap(([file, ranges]) => ranges.map((range) => `${file}:${range}`))
    : // left out: process-tree.ts (one of its mutants signals every process on the machine) and the crash tests'
      // fault hook crash-points.ts (see scripts/mutation/sample.mjs)
      ['src/store/**/*.ts', 'src/runner/**/*.ts', '!src/runner/process-tree.ts', '!src/runner/crash-points.ts'],
  buildCommand: 'npx tsc -p tsconfig.build.json',
  coverageAnalysis: everyTest ? 'off' : 'perTest',
  // Static mutants (module-level constants) would need the whole suite per mutant: hours more. Reported as ignored.
  ignoreStatic: !everyTest,
  concurrency: 1,
  timeoutMS: 20_000,
  timeoutFactor: 2,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `${reports}/index.html` },
  jsonReporter: { fileName: `${reports}/mutation.json` },
  // Reuse earlier results for unchanged code and tests: `npm run mutation` again after an interrupted run.
  incremental: true,
  incrementalFile: sample ? `${reports}/stryker-incremental.json` : 'reports/stryker-incremental.json',
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
