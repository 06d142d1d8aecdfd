/**
 * `npm run bench`: runs every benchmark in order, prints each figure and a
 * table, and writes BENCHMARKS.md (machine, date, figures with targets and
 * pass/fail, method notes).
 *
 *   node dist/bench/run.js                 all benchmarks; writes BENCHMARKS.md
 *   node dist/bench/run.js submit e2e      only these; prints, does not write BENCHMARKS.md
 *   node dist/bench/run.js --list          the benchmark names
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Figure, QUICK, ROOT, now } from './lib.js';
import { type Section, machine, markdown, table } from './report.js';
import { waitForQuiet } from './quiet.js';

interface Bench {
  name: string;
  title: string;
  /** Loads the module lazily: a single benchmark run loads only its own. */
  load(): Promise<{ run(): Promise<Figure[]>; method: string[] } | { skipped: string }>;
}

const BENCHES: Bench[] = [
  {
    name: 'submit',
    title: 'in-process submit latency (issue 2)',
    load: async () => import('./submit.js').then((m) => ({ run: m.benchSubmit, method: m.submitMethod })),
  },
  {
    name: 'e2e',
    title: 'end-to-end job against running the wrapper directly (issue 2)',
    load: async () => import('./end-to-end.js').then((m) => ({ run: m.benchEndToEnd, method: m.endToEndMethod })),
  },
  {
    name: 'wrapper-startup',
    title: "a no-op wrapper's start-up against `node -e \"\"` (issue 2)",
    load: async () => import('./wrapper-startup.js').then((m) => ({ run: m.benchWrapperStartup, method: m.wrapperStartupMethod })),
  },
  {
    name: 'result-latency',
    title: 'result file lands → patch applied and `job:completed` (issue 3)',
    load: async () => import('./result-latency.js').then((m) => ({ run: m.benchResultLatency, method: m.resultLatencyMethod })),
  },
  {
    name: 'startup',
    title: 'startup with 10,000 finished and 20 running jobs (issue 3)',
    load: async () => import('./startup-scale.js').then((m) => ({ run: m.benchStartupScale, method: m.startupScaleMethod })),
  },
  { name: 'mcp', title: 'MCP layer', load: loadMcp },
  {
    name: 'queue-scale',
    title: '5,000 queued jobs: submit, list, health, restart, dispatch pass (issue 8)',
    load: async () => import('./queue-scale.js').then((m) => ({ run: m.benchQueueScale, method: m.queueScaleMethod })),
  },
];

/** bench/mcp.ts belongs to the MCP work; until it exists, its section is skipped with a note. */
async function loadMcp(): Promise<{ run(): Promise<Figure[]>; method: string[] } | { skipped: string }> {
  const url = new URL('./mcp.js', import.meta.url);
  if (!existsSync(fileURLToPath(url))) return { skipped: 'bench/mcp.ts does not exist yet' };
  const specifier = url.href; // not a literal: the file may not exist when this is compiled
  const mod = (await import(specifier)) as { benchMcp(): Promise<Figure[]>; mcpMethod?: string[] };
  return { run: () => mod.benchMcp(), method: mod.mcpMethod ?? ['See bench/mcp.ts.'] };
}

/**
 * The "## Reliability" part of the existing BENCHMARKS.md (soak, fuzz, mutation
 * figures, written by their own runs): kept when the benchmarks rewrite the file.
 */
async function reliabilitySection(path: string): Promise<string> {
  const existing = await readFile(path, 'utf8').catch(() => '');
  const at = existing.indexOf('\n## Reliability');
  return at < 0 ? '' : existing.slice(at);
}

function print(section: Section): void {
  if (section.skipped) console.log(`  skipped: ${section.skipped}`);
  for (const f of section.figures) {
    const verdict = f.pass === undefined ? '' : f.pass ? `  (target ${f.target}: pass)` : `  (target ${f.target}: FAIL)`;
    console.log(`  ${f.name}: ${f.value} ${f.unit}${verdict}`);
    if (f.note) console.log(`      ${f.note}`);
  }
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--list')) {
    for (const b of BENCHES) console.log(`${b.name.padEnd(16)} ${b.title}`);
    return 0;
  }
  const unknown = argv.filter((name) => !BENCHES.some((b) => b.name === name));
  if (unknown.length) {
    console.error(`Unknown benchmark ${unknown.map((n) => `\`${n}\``).join(', ')}; known: ${BENCHES.map((b) => b.name).join(', ')}`);
    return 2;
  }
  const chosen = argv.length ? BENCHES.filter((b) => argv.includes(b.name)) : BENCHES;
  console.log(`mcp-jobs benchmarks — ${Object.values(machine()).join('; ')}`);
  const started = now();
  const sections: Section[] = [];
  let failed = false;
  for (const bench of chosen) {
    console.log(`\n${bench.name}: ${bench.title}`);
    const quiet = QUICK ? { busy: undefined, waitedMs: 0 } : await waitForQuiet();
    if (quiet.busy !== undefined) console.log(`  (other processes kept the CPUs ${quiet.busy} % busy at the start${quiet.waitedMs > 1000 ? `, after waiting ${Math.round(quiet.waitedMs / 1000)} s for quiet` : ''})`);
    const t0 = now();
    const loaded = await bench.load();
    const section: Section = { name: bench.name, title: bench.title, method: 'skipped' in loaded ? [] : loaded.method, figures: [] };
    if (quiet.busy !== undefined) section.busyAtStart = quiet.busy;
    if ('skipped' in loaded) section.skipped = loaded.skipped;
    else {
      try {
        section.figures = await loaded.run();
      } catch (error) {
        failed = true;
        section.skipped = `error: ${(error as Error).message}`;
        console.error((error as Error).stack);
      }
    }
    section.durationMs = now() - t0;
    sections.push(section);
    print(section);
  }
  const totalMs = now() - started;
  console.log(`\n${table(sections)}\n\n(${(totalMs / 1000).toFixed(1)} s)`);
  if (!argv.length && !QUICK) {
    const path = join(ROOT, 'BENCHMARKS.md');
    await writeFile(path, markdown(sections, totalMs) + (await reliabilitySection(path)));
    console.log(`wrote ${path}`);
  }
  return failed ? 1 : 0;
}

process.exit(await main(process.argv.slice(2)));
