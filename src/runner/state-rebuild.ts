/**
 * Rebuilding a state field whose file was damaged (unparsable: moved aside as
 * `<field>.json.corrupt-<ms>`). The jobs are the record of what built it: every
 * completed job whose patch on that field was applied is replayed, in finish
 * order, into a fresh file, each exactly once. Jobs already removed by
 * retention cannot be replayed; the note says how many jobs were replayed,
 * and how many could not be (their patch fails now: e.g. results.json gone).
 */
import { log } from '../log.js';
import type { JobRecord } from '../types.js';
import type { RunnerContext } from './context.js';
import { PatchError, patchField } from './patches.js';
import type { Supervisor } from './supervisor.js';

export async function rebuildField(ctx: RunnerContext, supervisor: Supervisor, field: string): Promise<number> {
  const absorbed: JobRecord[] = [];
  for (const id of await ctx.store.listIds()) {
    const read = await ctx.store.read(id);
    if (!read.ok) continue;
    const record = read.value;
    if (record.status === 'completed' && record.patch && patchField(record.patch) === field && record.patchState === 'applied') {
      absorbed.push(record);
    }
  }
  absorbed.sort((a, b) => (a.finishedAt ?? '').localeCompare(b.finishedAt ?? '') || a.id.localeCompare(b.id));
  let replayed = 0;
  for (const record of absorbed) {
    try {
      await supervisor.applyToState(record);
      replayed += 1;
    } catch (error) {
      if (!(error instanceof PatchError)) throw error;
      log.warn(`rebuilding state field \`${field}\`: job ${record.id} skipped: ${error.message}`);
    }
  }
  const skipped = absorbed.length - replayed;
  const note = `rebuilt from ${replayed} completed job(s) that had patched it${skipped ? `; ${skipped} could not be replayed (see the log)` : ''}`;
  ctx.state.damaged.set(field, `${ctx.state.damaged.get(field) ?? 'damaged'}; ${note}`);
  log.warn(`state field \`${field}\` ${note}`);
  return replayed;
}
