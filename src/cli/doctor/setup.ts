/** Doctor: Node.js version, and the job types: config file loads, wrapper scripts and programs exist. */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import type { JobType } from '../../runner/registry.js';
import { finding, type DoctorContext, type Finding } from './findings.js';

export function checkNode(): Finding {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const ok = major > 20 || (major === 20 && minor >= 19);
  return ok
    ? finding('setup', 'ok', `Node.js ${process.versions.node}`)
    : finding('setup', 'problem', `Node.js ${process.versions.node} is too old`, { fix: 'use Node.js 20.19 or newer' });
}

async function executable(program: string): Promise<boolean> {
  const candidates = isAbsolute(program) || program.includes('/') ? [program] : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, program));
  for (const path of candidates) {
    if (await access(path, constants.X_OK).then(() => true, () => false)) return true;
  }
  return false;
}

async function checkType(type: JobType): Promise<Finding | undefined> {
  const [program, script] = type.command;
  if (!program || !(await executable(program))) {
    return finding('types', 'problem', `job type \`${type.name}\`: program \`${program}\` is not found or not executable`, { fix: 'install it, or fix the command in the config file' });
  }
  if (program === process.execPath && script && !(await access(script).then(() => true, () => false))) {
    return finding('types', 'problem', `job type \`${type.name}\`: wrapper script ${script} does not exist`, { fix: 'build the project (npm run build) or fix the module path in the config file' });
  }
  return undefined;
}

/** `loadError`: why registering the types failed (a broken config file), if it did. */
export async function checkTypes(ctx: DoctorContext, loadError: Error | undefined): Promise<Finding[]> {
  if (loadError) return [finding('types', 'problem', loadError.message, { fix: 'fix the config file (see docs/writing-wrappers.md)' })];
  const types = ctx.manager.registry.list();
  const found: Finding[] = [];
  for (const type of types) {
    const problem = await checkType(type);
    if (problem) found.push(problem);
  }
  if (!found.length) found.push(finding('types', 'ok', `job types: ${types.map((t) => t.name).join(', ')}`));
  return found;
}
