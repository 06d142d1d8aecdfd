/** Wrappers from the config file through the built `mcp-jobs` CLI: listed by `types`, run end to end by `run`. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIST, ROOT, tempDir } from '../helpers.js';
import { writeConfig } from './setup.js';

const CLI = join(DIST, 'src', 'cli', 'main.js');
const EXAMPLE_CONFIG = join(ROOT, 'mcp-jobs.config.example.json');

function cli(args: string[], cwd: string) {
  return spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 20_000, env: { ...process.env, NO_COLOR: '1' } });
}

describe('config wrappers in the CLI', () => {
  it('`mcp-jobs types --config` lists the TypeScript and the Python wrapper with their input schemas', () => {
    const out = cli(['types', '--config', EXAMPLE_CONFIG, '--json'], tempDir());
    expect(out.status).toBe(0);
    const types = JSON.parse(out.stdout) as { name: string; input_schema: { required?: string[] } }[];
    expect(types.map((t) => t.name)).toEqual(['simulate', 'word_count', 'prime_sieve']);
    expect(types.find((t) => t.name === 'prime_sieve')?.input_schema.required).toEqual(['limit']);
  });

  it('reads ./mcp-jobs.config.json from the working folder without --config', () => {
    const cwd = tempDir();
    writeConfig(cwd, { wrappers: [join(DIST, 'examples', 'wrappers', 'word-count.js')] });
    const out = cli(['types', '--json'], cwd);
    expect(out.status).toBe(0);
    expect((JSON.parse(out.stdout) as { name: string }[]).map((t) => t.name)).toEqual(['simulate', 'word_count']);
  });

  it('`mcp-jobs run` runs the Python and the TypeScript wrapper in the foreground', () => {
    const cwd = tempDir();
    const sieve = cli(['run', 'prime_sieve', '--config', EXAMPLE_CONFIG, '--input-json', '{"limit": 100000}', '--json'], cwd);
    expect(sieve.status).toBe(0);
    expect(JSON.parse(sieve.stdout)).toMatchObject({ type: 'prime_sieve', status: 'completed', result: { count: 9592, largest: 99_991 } });
    const words = cli(['run', 'word_count', '--config', EXAMPLE_CONFIG, '--input-json', '{"text": "a b a"}', '--json'], cwd);
    expect(words.status).toBe(0);
    expect(JSON.parse(words.stdout)).toMatchObject({ status: 'completed', result: { words: 3, unique_words: 2 } });
  });

  it('a broken config is one line naming the file and the entry, exit code 2', () => {
    const cwd = tempDir();
    const path = writeConfig(cwd, { wrappers: ['./missing.js'] });
    const out = cli(['types'], cwd);
    expect(out.status).toBe(2);
    expect(out.stderr.trim()).toBe(`mcp-jobs: Config ${path}: wrappers[0] (module ./missing.js): module not found: ${join(cwd, 'missing.js')}`);
  });
});
