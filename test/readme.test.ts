/**
 * The README, taken at its word: every command in its `sh` blocks names a
 * real script, file, subcommand and option; the safe ones run; every JSON
 * block parses; the TypeScript wrapper compiles, registers and runs.
 * A README that drifts from the code fails here.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { createJobRunner } from '../src/index.js';
import { DIST, ROOT, tempDir } from './helpers.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const blocks = (lang: string) => [...readme.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);
const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;
const CLI = join(DIST, 'src', 'cli', 'main.js');

/** Lines of the sh blocks, comments removed. */
const lines = blocks('sh')
  .flatMap((block) => block.split('\n'))
  .map((line) => line.replace(/\s+#\s.*$/, '').trim())
  .filter((line) => line && !line.startsWith('#'));
/** The commands of those lines (`a && b` split). */
const commands = lines.flatMap((line) => line.split(' && '));

const flagsOf = (line: string) => [...line.matchAll(/(?:^|\s)(--[a-z][a-z-]*)/g)].map((m) => m[1]!);
/** --help text, from stdout or (the stdio server, whose stdout is the protocol) stderr. */
const help = (argv: string[]) => {
  const r = spawnSync(process.execPath, argv, { encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`;
};

describe('README.md', () => {
  it('shows the two commands: npm install && npm start, npm test', () => {
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
  });

  it('names only npm scripts that exist', () => {
    for (const line of commands.filter((l) => l.startsWith('npm '))) {
      const [, verb, name] = line.split(/\s+/);
      if (verb === 'run') expect(scripts, line).toHaveProperty(name!);
      else expect(['install', 'test', 'start', 'ci'], line).toContain(verb);
    }
    for (const [, name] of readme.matchAll(/`npm run ([a-z:-]+)`/g)) expect(scripts, `npm run ${name}`).toHaveProperty(name!);
  });

  it('names only CLI subcommands and options that exist', () => {
    const lines = commands.filter((l) => l.startsWith('npx mcp-jobs '));
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) {
      const sub = line.split(/\s+/)[2]!;
      const text = help([CLI, sub, '--help']);
      for (const flag of flagsOf(line)) expect(text, `${line}: ${flag}`).toContain(flag);
    }
    for (const [, sub] of readme.matchAll(/`(serve|types|run|submit|status|result|logs|cancel|list|watch|cleanup|doctor)\b[^`]*`/g)) {
      expect(help([CLI, sub!, '--help']), sub).toContain(`mcp-jobs ${sub}`);
    }
  });

  it('names only built files and their real options', () => {
    for (const line of commands.filter((l) => l.startsWith('node dist/'))) {
      const file = line.split(/\s+/)[1]!;
      expect(existsSync(join(ROOT, file)), file).toBe(true);
      const text = help([join(ROOT, file), '--help']);
      for (const flag of flagsOf(line)) expect(text, `${line}: ${flag}`).toContain(flag);
    }
  });

  it('runs its CLI and wrapper commands as written, in a fresh folder', () => {
    const cwd = tempDir();
    const run = (line: string) => {
      const script = line
        .replaceAll('/tmp/job', join(cwd, 'job'))
        .replaceAll(/(^|&& )npx mcp-jobs /g, `$1node ${CLI} `)
        .replaceAll(/(^|&& )node dist\//g, `$1node ${DIST}/`);
      const { MCP_JOBS_DIR: _d, MCP_JOBS_STATE_DIR: _s, MCP_JOBS_CONFIG: _c, ...env } = process.env;
      const r = spawnSync('bash', ['-c', script], { cwd, encoding: 'utf8', env });
      return r;
    };
    for (const line of lines.filter((l) => /^(npx mcp-jobs|node dist\/cli-wrappers|mkdir -p \/tmp\/job)/.test(l))) {
      const r = run(line);
      expect(r.status, `${line}\n${r.stderr}`).toBe(0);
    }
    expect(JSON.parse(readFileSync(join(cwd, 'job', 'results.json'), 'utf8'))).toMatchObject({ steps: 5 });
    expect(existsSync(join(cwd, 'jobs'))).toBe(true);
  }, 60_000);

  it('every JSON block parses', () => {
    const json = blocks('json');
    expect(json.length).toBeGreaterThan(3);
    for (const block of json) expect(() => JSON.parse(block), block).not.toThrow();
  });

  it('the TypeScript wrapper compiles, registers from the config shown, and runs', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(ROOT, join(dir, 'node_modules', 'mcp-jobs'), 'dir');
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    const [source] = blocks('ts').filter((b) => b.includes('defineWrapper'));
    const js = ts.transpileModule(source!, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2023 } }).outputText;
    mkdirSync(join(dir, 'dist', 'wrappers'), { recursive: true });
    writeFileSync(join(dir, 'dist', 'wrappers', 'slow-sum.js'), js);
    const config = blocks('json').find((b) => b.includes('"wrappers"'))!;
    writeFileSync(join(dir, 'mcp-jobs.config.json'), config);
    const m = await createJobRunner({ jobsDir: join(dir, 'jobs'), stateDir: join(dir, 'state'), config: join(dir, 'mcp-jobs.config.json') });
    try {
      const { jobId } = await m.submit('slow_sum', { numbers: [2] });
      expect((await m.wait(jobId, 15_000)).status).toBe('completed');
      expect(await m.result(jobId)).toEqual({ status: 'completed', result: { sum: 2 } });
    } finally {
      await m.close();
    }
  });
});
