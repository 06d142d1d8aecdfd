/**
 * The "five minutes" guides of docs/writing-wrappers.md, taken from the page
 * itself and run: a page that drifts from the code fails here.
 */
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { createJobRunner } from '../../src/index.js';
import { ROOT, tempDir } from '../helpers.js';
import { closeAfter } from './setup.js';

const page = readFileSync(join(ROOT, 'docs', 'writing-wrappers.md'), 'utf8');

/** The code blocks of a section of the page, by language. */
function blocks(section: string, lang: string): string[] {
  const start = page.indexOf(`## ${section}`);
  const end = page.indexOf('\n## ', start + 1);
  const text = page.slice(start, end < 0 ? undefined : end);
  return [...text.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);
}

/** A project folder where `import ... from 'mcp-jobs'` resolves to this repository. */
function project(): string {
  const dir = tempDir();
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules', 'mcp-jobs'), 'dir');
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  return dir;
}

describe('docs/writing-wrappers.md', () => {
  it('the TypeScript guide: the wrapper compiles, registers from the config and runs', async () => {
    const dir = project();
    const [source] = blocks('Five minutes: a TypeScript wrapper', 'ts');
    const [config] = blocks('Five minutes: a TypeScript wrapper', 'json');
    const js = ts.transpileModule(source!, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2023 } }).outputText;
    mkdirSync(join(dir, 'dist', 'wrappers'), { recursive: true });
    writeFileSync(join(dir, 'dist', 'wrappers', 'slow-sum.js'), js);
    writeFileSync(join(dir, 'mcp-jobs.config.json'), config!);
    const m = closeAfter(await createJobRunner({ jobsDir: join(dir, 'jobs'), stateDir: join(dir, 'state'), config: join(dir, 'mcp-jobs.config.json') }));
    expect(m.registry.get('slow_sum')).toMatchObject({ description: 'Add up numbers, one per second.', timeoutMs: 600_000 });
    const { jobId } = await m.submit('slow_sum', { numbers: [1, 2] });
    expect((await m.wait(jobId, 15_000)).status).toBe('completed');
    expect(await m.result(jobId)).toEqual({ status: 'completed', result: { sum: 3 } });
  });

  it('the Python guide: the wrapper and its command entry register and run', async () => {
    const dir = project();
    const [source] = blocks('Five minutes: a Python wrapper', 'python');
    const [config] = blocks('Five minutes: a Python wrapper', 'json');
    mkdirSync(join(dir, 'wrappers'));
    writeFileSync(join(dir, 'wrappers', 'slow_sum.py'), source!);
    cpSync(join(ROOT, 'cli-wrappers', 'python', 'mcp_jobs'), join(dir, 'wrappers', 'mcp_jobs'), { recursive: true });
    writeFileSync(join(dir, 'mcp-jobs.config.json'), config!);
    const m = closeAfter(await createJobRunner({ jobsDir: join(dir, 'jobs'), stateDir: join(dir, 'state'), config: join(dir, 'mcp-jobs.config.json') }));
    expect(m.registry.get('slow_sum').command).toEqual(['python3', join(dir, 'wrappers', 'slow_sum.py')]);
    await expect(m.submit('slow_sum', { numbers: [] })).rejects.toThrow(/numbers/);
    const { jobId } = await m.submit('slow_sum', { numbers: [1, 2.5] });
    expect((await m.wait(jobId, 15_000)).status).toBe('completed');
    expect(await m.result(jobId)).toEqual({ status: 'completed', result: { sum: 3.5 } });
  });

  it('the example config file is the one the page shows', () => {
    const shown = blocks('The config file', 'json').at(-1)!;
    expect(JSON.parse(shown)).toEqual(JSON.parse(readFileSync(join(ROOT, 'mcp-jobs.config.example.json'), 'utf8')));
  });
});
