/** Doctor: the state files (`state/<field>.json`) parse, and no damaged file was left set aside. */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonFile } from '../../store/atomic.js';
import { FIELD_PATTERN } from '../../store/state-store.js';
import { finding, type DoctorContext, type Finding } from './findings.js';

export async function checkState(ctx: DoctorContext): Promise<Finding[]> {
  const root = ctx.manager.state.root;
  const names = await readdir(root).catch(() => undefined);
  if (!names) return [];
  const found: Finding[] = [];
  let fields = 0;
  for (const name of names.sort()) {
    const path = join(root, name);
    if (/\.json\.corrupt-\d+$/.test(name)) {
      found.push(finding('state', 'warn', `${path}: a damaged state file was set aside here`, { fix: 'inspect it; restore what you need into the field, then delete it' }));
      continue;
    }
    if (!name.endsWith('.json') || !FIELD_PATTERN.test(name.slice(0, -5))) continue;
    fields += 1;
    const read = await readJsonFile(path);
    if (!read.ok && read.reason !== 'missing') {
      found.push(finding('state', 'problem', `${path}: ${read.message}`, {
        fix: 'the next manager start moves it aside (<field>.json.corrupt-<ms>) and reports it; restore the value from a backup or by re-running the jobs that built it',
      }));
    }
  }
  if (!found.some((f) => f.level === 'problem')) found.unshift(finding('state', 'ok', `${fields} state field${fields === 1 ? '' : 's'} readable`));
  return found;
}
