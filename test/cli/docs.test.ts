/**
 * docs/cli.md stays true to the command line: every subcommand has a section,
 * every option `--help` lists is documented in that section, and every option
 * a section's usage block shows exists.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers.js';
import { cli } from './run-cli.js';

const doc = readFileSync(join(ROOT, 'docs', 'cli.md'), 'utf8');

/** The text of the `## \`name\`` section. */
function section(name: string): string {
  const start = doc.indexOf(`## \`${name}\``);
  if (start < 0) return '';
  const next = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, next < 0 ? undefined : next);
}

const options = (text: string) => new Set([...text.matchAll(/(?<![\w-])--[a-z][a-z-]*/g)].map((m) => m[0]));

describe('docs/cli.md', () => {
  it('documents every subcommand and every option, and documents no option that does not exist', async () => {
    const cwd = tempDir();
    const top = await cli(['--help'], { cwd });
    const names = [...top.stdout.matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1]!).filter((name) => name !== 'help');
    expect(names.length).toBeGreaterThanOrEqual(12);
    const helps = await Promise.all(names.map((name) => cli([name, '--help'], { cwd })));
    const common = options(doc.slice(doc.indexOf('## Common options'), doc.indexOf('## Exit codes')));
    for (const [i, name] of names.entries()) {
      const text = section(name);
      expect(text, `a section for ${name}`).not.toBe('');
      const listed = options(helps[i]!.stdout);
      listed.delete('--help');
      for (const option of listed) expect(text.includes(option) || common.has(option), `${name}: ${option} is documented`).toBe(true);
      const usage = /```\n([\s\S]*?)```/.exec(text)?.[1] ?? '';
      for (const option of options(usage)) expect(listed.has(option) || option === '--help', `${name}: ${option} in the usage block exists`).toBe(true);
    }
  });

  it('lists the exit codes the CLI uses', () => {
    for (const code of ['0', '1', '2', '3', '4', '5', '130']) expect(doc).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
  });
});
