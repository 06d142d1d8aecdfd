/**
 * `mcp-jobs list [--status s] [--type t] [--limit n]`: jobs newest first as a
 * table (id, type, status, progress, age, duration). Read-only; statuses are
 * as the files show them (an unrecorded end counts as ended).
 */
import { Command } from 'commander';
import type { JobStore } from '../../store/job-store.js';
import type { JobStatus } from '../../types.js';
import { formatDuration, ago } from '../duration.js';
import { CliError } from '../exit-codes.js';
import { jobJson, progressCell, runTime, statusText } from '../format.js';
import { effectiveStatus, viewRecord, type JobView } from '../job-view.js';
import { note, paint, print, printJson } from '../output.js';
import { addCommonOptions, intOption } from '../options.js';
import { openManager, type CommonOptions } from '../runner.js';
import { renderTable } from '../table.js';

interface ListOptions extends CommonOptions {
  status?: JobStatus[];
  type?: string;
  limit: number;
}

const STATUSES: readonly JobStatus[] = ['queued', 'running', 'completed', 'failed', 'cancelled'];

function parseStatuses(value: string): JobStatus[] {
  const wanted = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const status of wanted) {
    if (!STATUSES.includes(status as JobStatus)) throw new CliError(`Expected \`--status\` to be one or more of ${STATUSES.join(', ')} (comma-separated), got \`${status}\``);
  }
  return wanted as JobStatus[];
}

export function listCommand(): Command {
  const command = new Command('list')
    .description('list jobs, newest first')
    .option('--status <status>', `only these statuses, comma-separated (${STATUSES.join(', ')})`, parseStatuses)
    .option('--type <type>', 'only jobs of this type')
    .option('--limit <n>', 'at most this many jobs, 1..1000', intOption('--limit', 1, 1000), 20);
  addCommonOptions(command);
  return command.action(async (options: ListOptions) => {
    const manager = await openManager('read', options);
    const { jobs, more, unreadable } = await collect(manager.store, options);
    if (options.json) {
      printJson({ jobs: jobs.map((view) => jobJson(view, manager.store.dir(view.id))), more, unreadable });
      return;
    }
    if (!jobs.length) {
      print(paint('dim', `no jobs${options.status || options.type ? ' match' : ''} in ${manager.store.root}`));
    } else {
      const now = Date.now();
      const rows = jobs.map((view) => {
        const ran = runTime(view, now);
        return [view.id, view.type, statusText(effectiveStatus(view)) + (view.unsettled ? '*' : ''), progressCell(view), ago(view.createdAt, now), ran === undefined ? '-' : formatDuration(ran)];
      });
      const columns = [{ header: 'ID' }, { header: 'TYPE' }, { header: 'STATUS' }, { header: 'PROGRESS', right: true }, { header: 'AGE', right: true }, { header: 'DURATION', right: true }];
      print(renderTable(columns, rows));
      if (jobs.some((view) => view.unsettled)) note(paint('dim', '* ended; not recorded in job.json yet (the next manager records it)'));
      if (more) note(paint('dim', `showing the newest ${jobs.length}; more with --limit`));
    }
    for (const { id, problem } of unreadable) note(`${id}: unreadable job.json (${problem}); run \`mcp-jobs doctor\``);
  });
}

async function collect(store: JobStore, options: ListOptions): Promise<{ jobs: JobView[]; more: boolean; unreadable: { id: string; problem: string }[] }> {
  let ids: string[];
  try {
    ids = await store.listIds();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { jobs: [], more: false, unreadable: [] };
    throw error;
  }
  const jobs: JobView[] = [];
  const unreadable: { id: string; problem: string }[] = [];
  for (const id of ids) {
    const read = await store.read(id);
    if (!read.ok) {
      if (read.reason !== 'missing') unreadable.push({ id, problem: read.message });
      continue;
    }
    if (options.type && read.value.type !== options.type) continue;
    const view = await viewRecord(store, read.value);
    if (options.status && !options.status.includes(effectiveStatus(view))) continue;
    if (jobs.length === options.limit) return { jobs, more: true, unreadable };
    jobs.push(view);
  }
  return { jobs, more: false, unreadable };
}
