// The score of a sampled mutation run (scripts/mutation/sample.mjs): reads reports/mutation-sample/mutation.json
// and counts only the sampled nodes' mutants (Stryker also runs the few nodes that lie inside a sampled node and
// hold another one). Prints, per file and in all, killed / timeout / survived / no coverage and the score
// (killed + timeout) / (killed + timeout + survived + no coverage), with a 95 % margin for the whole (the
// sample is clustered by node, so the margin is the ratio estimator's, from the spread between nodes).
// Then every surviving and uncovered sampled mutant, for BENCHMARKS.md. Static and compile-error mutants are
// not counted (as in Stryker's own score). A mutant without coverage that the second pass
// (scripts/mutation/uncovered.mjs, reports/mutation-sample-uncovered/mutation.json, if there) ran gets that
// pass's verdict.
import fs from 'node:fs';
import { fromReport } from './node-keys.mjs';

const sample = JSON.parse(fs.readFileSync(process.env.MUTATION_SAMPLE_FILE ?? 'reports/mutation-sample.json', 'utf8'));
const report = JSON.parse(fs.readFileSync('reports/mutation-sample/mutation.json', 'utf8'));

const SECOND = 'reports/mutation-sample-uncovered/mutation.json';
// One mutant across the two reports (their ids are not comparable): file, node, mutator, replacement.
const identity = (file, m) => `${file}|${fromReport(m.location)}|${m.mutatorName}|${m.replacement}`;
const recheck = new Map();
if (fs.existsSync(SECOND)) {
  for (const [file, { mutants }] of Object.entries(JSON.parse(fs.readFileSync(SECOND, 'utf8')).files)) {
    for (const m of mutants) recheck.set(identity(file, m), m.status);
  }
}
const statusOf = (file, m) => (m.status === 'NoCoverage' ? (recheck.get(identity(file, m)) ?? m.status) : m.status);
const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

const rows = [];
const nodes = []; // per sampled node: [detected, counted]
const left = [];
for (const [file, keys] of Object.entries(sample.nodes)) {
  const wanted = new Set(keys);
  const mutants = (report.files[file]?.mutants ?? [])
    .map((m) => ({ ...m, node: fromReport(m.location), status: statusOf(file, m) }))
    .filter((m) => wanted.has(m.node));
  const count = (status) => mutants.filter((m) => m.status === status).length;
  const row = { file, killed: count('Killed'), timeout: count('Timeout'), survived: count('Survived'), noCoverage: count('NoCoverage'), other: 0 };
  row.other = mutants.length - row.killed - row.timeout - row.survived - row.noCoverage;
  rows.push(row);
  const perNode = new Map();
  for (const m of mutants) {
    const entry = perNode.get(m.node) ?? [0, 0];
    if (DETECTED.has(m.status)) entry[0]++;
    if (DETECTED.has(m.status) || UNDETECTED.has(m.status)) entry[1]++;
    perNode.set(m.node, entry);
    if (UNDETECTED.has(m.status)) left.push({ file, line: m.location.start.line, status: m.status, mutator: m.mutatorName, replacement: m.replacement });
  }
  nodes.push(...[...perNode.values()].filter(([, n]) => n > 0));
}

const pct = (d, n) => (n ? ((100 * d) / n).toFixed(1) + ' %' : 'n/a');
const sum = (key) => rows.reduce((s, r) => s + r[key], 0);
console.log('| file | killed | timeout | survived | no coverage | not counted | % killed |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const r of [...rows, { file: '**all sampled**', killed: sum('killed'), timeout: sum('timeout'), survived: sum('survived'), noCoverage: sum('noCoverage'), other: sum('other') }]) {
  const detected = r.killed + r.timeout;
  console.log(`| ${r.file} | ${r.killed} | ${r.timeout} | ${r.survived} | ${r.noCoverage} | ${r.other} | ${pct(detected, detected + r.survived + r.noCoverage)} |`);
}

// Ratio estimator over clusters: R = sum d / sum n; var(R) ~ sum (d_i - R n_i)^2 / (k (k - 1) nbar^2).
const k = nodes.length;
const D = nodes.reduce((s, [d]) => s + d, 0);
const N = nodes.reduce((s, [, n]) => s + n, 0);
const R = D / N;
const nbar = N / k;
const variance = nodes.reduce((s, [d, n]) => s + (d - R * n) ** 2, 0) / (k * (k - 1) * nbar * nbar);
const margin = 1.96 * Math.sqrt(variance);
console.log(`\nscore ${(100 * R).toFixed(1)} % ± ${(100 * margin).toFixed(1)} (95 %), ${D} of ${N} mutants on ${k} sampled nodes`);

console.log('\nsurvived / no coverage:');
const sources = new Map();
const lineOf = (file, line) => {
  if (!sources.has(file)) sources.set(file, fs.readFileSync(file, 'utf8').split('\n'));
  return sources.get(file)[line - 1]?.trim().slice(0, 110);
};
for (const m of left.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line)) {
  console.log(`- ${m.file}:${m.line} ${m.status} ${m.mutator} → ${JSON.stringify(m.replacement)}\n    ${lineOf(m.file, m.line)}`);
}
