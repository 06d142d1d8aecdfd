/**
 * The built CLI: --help for every subcommand, `types`, and bad input: one line
 * on stderr, a documented non-zero exit code, and nothing created on disk.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { cli, lines } from './run-cli.js';

const SUBCOMMANDS = ['types', 'run', 'submit', 'status', 'result', 'logs', 'cancel', 'list', 'watch', 'cleanup', 'doctor'];

describe('mcp-jobs --help', () => {
  it('lists every subcommand, and each has --help with --jobs-dir, --state-dir and --json', async () => {
    const cwd = tempDir();
    const top = await cli(['--help'], { cwd });
    expect(top.code, top.stderr).toBe(0);
    for (const name of SUBCOMMANDS) expect(top.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    const helps = await Promise.all(SUBCOMMANDS.map((name) => cli([name, '--help'], { cwd })));
    for (const [i, help] of helps.entries()) {
      expect(help.code, `${SUBCOMMANDS[i]}: ${help.stderr}`).toBe(0);
      expect(help.stdout, SUBCOMMANDS[i]).toContain(`Usage: mcp-jobs ${SUBCOMMANDS[i]}`);
      for (const option of ['--jobs-dir', '--state-dir', '--json']) expect(help.stdout, `${SUBCOMMANDS[i]} ${option}`).toContain(option);
    }
    const serve = await cli(['serve', '--help'], { cwd });
    expect(serve.code, serve.stderr).toBe(0);
    for (const option of ['--jobs-dir', '--state-dir', '--http', '--port', '--host', '--auth-tokens', '--config']) expect(serve.stdout).toContain(option);
    expect(existsSync(join(cwd, 'jobs'))).toBe(false);
  });
});

describe('mcp-jobs types', () => {
  it('lists simulate with its input fields, and --json gives the input JSON Schema', async () => {
    const cwd = tempDir();
    const human = await cli(['types'], { cwd });
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^simulate\s+Simulate a long computation/m);
    expect(human.stdout).toMatch(/steps\s+integer, required/);
    const json = await cli(['types', '--json'], { cwd });
    const types = JSON.parse(json.stdout) as { name: string; input_schema: { properties: Record<string, unknown>; required: string[] } }[];
    const simulate = types.find((t) => t.name === 'simulate')!;
    expect(Object.keys(simulate.input_schema.properties)).toEqual(expect.arrayContaining(['steps', 'step_ms', 'fail_at_step']));
    expect(simulate.input_schema.required).toEqual(expect.arrayContaining(['steps', 'step_ms']));
    expect(existsSync(join(cwd, 'jobs'))).toBe(false);
  });

  it('shows run_command only when --allow-command names a program', async () => {
    const cwd = tempDir();
    const without = JSON.parse((await cli(['types', '--json'], { cwd })).stdout) as { name: string }[];
    const withIt = JSON.parse((await cli(['types', '--json', '--allow-command', 'echo'], { cwd })).stdout) as { name: string }[];
    expect(without.map((t) => t.name)).not.toContain('run_command');
    expect(withIt.map((t) => t.name)).toContain('run_command');
  });
});

describe('bad input: one line, a non-zero exit, nothing created', () => {
  const ID = '0mwq8vcdk-1e319626-929b-4e31-a08b-820c88f1fbf6';
  const cases: [string, string[], number, RegExp][] = [
    ['unknown type', ['run', 'x', '--input-json', '{}'], 2, /^mcp-jobs: Unknown job type `x` \(registered: simulate\)$/],
    ['unknown type (submit)', ['submit', 'nope', '--input-json', '{}'], 2, /Unknown job type `nope`/],
    ['invalid JSON', ['submit', 'simulate', '--input-json', '{bad'], 2, /^mcp-jobs: `--input-json` is not valid JSON: /],
    ['invalid input', ['run', 'simulate', '--input-json', '{"steps":0,"step_ms":1}'], 2, /^mcp-jobs: Invalid input for `simulate`: steps: /],
    ['unknown field', ['run', 'simulate', '--input-json', '{"steps":1,"step_ms":1,"bogus":1}'], 2, /bogus/],
    ['missing input', ['run', 'simulate'], 2, /Missing the job input/],
    ['missing input file', ['submit', 'simulate', '--input', 'nofile.json'], 2, /Cannot read the input file `nofile.json`: no such file/],
    ['both inputs', ['submit', 'simulate', '--input', 'a.json', '--input-json', '{}'], 2, /not both/],
    ['bad priority', ['submit', 'simulate', '--input-json', '{}', '--priority', 'high'], 2, /`--priority` to be an integer/],
    ['bad timeout', ['run', 'simulate', '--input-json', '{}', '--timeout', 'soon'], 2, /`--timeout` to be seconds/],
    ['malformed id (status)', ['status', '../x'], 2, /^mcp-jobs: Expected a job id matching .* got `..\/x` \(string\)$/],
    ['malformed id (result)', ['result', '../x'], 2, /Expected a job id/],
    ['malformed id (logs)', ['logs', 'a/b'], 2, /Expected a job id/],
    ['malformed id (cancel)', ['cancel', '..'], 2, /Expected a job id/],
    ['malformed id (watch)', ['watch', '../x'], 2, /Expected a job id/],
    ['no such job (status)', ['status', ID], 3, /^mcp-jobs: No job with id `/],
    ['no such job (cancel)', ['cancel', ID], 3, /No job with id/],
    ['no such job (watch)', ['watch', ID], 3, /No job with id/],
    ['no such job (logs)', ['logs', ID], 3, /No job with id/],
    ['bad status filter', ['list', '--status', 'done'], 2, /`--status` to be one or more of/],
    ['bad limit', ['list', '--limit', '0'], 2, /`--limit` to be an integer from 1 to 1000/],
    ['bad duration', ['cleanup', '--older-than', '7x'], 2, /`--older-than` to be a duration like 7d/],
    ['unknown option', ['run', '--bogus', 'simulate'], 2, /^mcp-jobs: unknown option '--bogus' \(see `mcp-jobs run --help`\)$/],
    ['unknown command', ['frobnicate'], 2, /^mcp-jobs: unknown command 'frobnicate'/],
    ['missing argument', ['status'], 2, /missing required argument 'id'/],
    ['HTTP option without --http', ['serve', '--port', '9000'], 2, /^mcp-jobs: --port applies to HTTP only; add --http$/],
  ];
  it.each(cases)('%s', async (_name, args, code, message) => {
    const cwd = tempDir();
    const result = await cli(args, { cwd });
    expect(result.code, result.stderr).toBe(code);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(lines(result.stderr)[0]).toMatch(message);
    expect(result.stdout).toBe('');
    expect(existsSync(join(cwd, 'jobs'))).toBe(false);
    expect(existsSync(join(cwd, 'state'))).toBe(false);
  });

  it('a bad config file is one line naming the file (exit 2)', async () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, 'conf'));
    const result = await cli(['types', '--config', 'conf/missing.json'], { cwd });
    expect(result.code, result.stderr).toBe(2);
    expect(lines(result.stderr)).toEqual([expect.stringMatching(/^mcp-jobs: Config .*missing\.json: the file does not exist$/)]);
  });
});
