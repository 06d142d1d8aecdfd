/** The figures table printed to the terminal, and BENCHMARKS.md: machine, date, figures with targets, method notes. */
import { cpus, platform, release, totalmem, arch } from 'node:os';
import type { Figure } from './lib.js';

export interface Section {
  name: string;
  title: string;
  method: string[];
  figures: Figure[];
  /** Set when the section could not run (e.g. its module does not exist yet). */
  skipped?: string;
  durationMs?: number;
  /** How busy other processes kept the CPUs when the section started (%). */
  busyAtStart?: number;
}

export function machine(): Record<string, string> {
  const list = cpus();
  return {
    CPU: `${list[0]?.model.trim() ?? 'unknown'} (${list.length} cores${list[0]?.speed ? `, ${list[0].speed} MHz` : ''})`,
    Memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    Node: process.version,
    OS: `${platform()} ${release()} (${arch()})`,
  };
}

const verdict = (f: Figure) => (f.pass === undefined ? 'info' : f.pass ? 'pass' : 'FAIL');
const value = (f: Figure) => `${f.value} ${f.unit}`;

/** A plain-text table for the terminal. */
export function table(sections: Section[]): string {
  const rows: string[][] = [['figure', 'value', 'target', 'result']];
  for (const section of sections) {
    if (section.skipped) rows.push([`[${section.name}] skipped: ${section.skipped}`, '', '', '']);
    for (const f of section.figures) rows.push([`[${section.name}] ${f.name}`, value(f), f.target ?? '', verdict(f)]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function markdown(sections: Section[], totalMs: number, date = new Date()): string {
  const out: string[] = [
    '# Benchmarks',
    '',
    `Written by \`npm run bench\` (\`bench/run.ts\`) on ${date.toISOString()}; the whole run took ${(totalMs / 1000).toFixed(0)} s.`,
    'Do not edit by hand: run `npm run bench` again.',
    '',
    'The machine may be shared with other work: before each section the harness waits (up to 20 s) for other processes to leave the CPUs at most 25 % busy, and records how busy they were (under each section below). Latencies taken on a busy machine are inflated, fsync-bound ones (submit) also by other processes\' disk activity; the CPU-time figure is much less sensitive to that.',
    '',
    '## Machine',
    '',
    ...Object.entries(machine()).map(([k, v]) => `- ${k}: ${v}`),
    '',
    '## Figures',
    '',
    '| Bench | Figure | Value | Target | Result |',
    '|---|---|---:|---|---|',
  ];
  for (const s of sections) {
    if (s.skipped) out.push(`| ${s.name} | (skipped) | | | ${cell(s.skipped)} |`);
    for (const f of s.figures) out.push(`| ${s.name} | ${cell(f.name)} | ${value(f)} | ${cell(f.target ?? '')} | ${verdict(f)} |`);
  }
  out.push('', '## Method', '');
  for (const s of sections) {
    out.push(`### ${s.name}: ${s.title}`, '');
    if (s.skipped) out.push(`Skipped: ${s.skipped}`, '');
    for (const m of s.method) out.push(`- ${m}`);
    const notes = s.figures.filter((f) => f.note);
    if (notes.length) {
      out.push('', 'Details:', '');
      for (const f of notes) out.push(`- ${f.name}: ${f.note}`);
    }
    const busy = s.busyAtStart === undefined ? '' : `; other processes kept the CPUs ${s.busyAtStart} % busy when it started`;
    if (s.durationMs !== undefined) out.push('', `(section took ${(s.durationMs / 1000).toFixed(1)} s${busy})`);
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
