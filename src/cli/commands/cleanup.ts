/**
 * `mcp-jobs cleanup [--older-than 7d] [--keep-last 100] [--dry-run]`: removes
 * finished job folders past retention, with the same rules as automatic
 * cleanup: never a queued or running job, one whose state patch is pending,
 * or one whose job.json cannot be read. Removes only what it reports; starts
 * no manager.
 */
import { Command } from 'commander';
import { cleanupJobs } from '../../runner/cleanup.js';
import { defaults } from '../../options.js';
import { formatDuration } from '../duration.js';
import { print, printJson } from '../output.js';
import { addCommonOptions, durationOption, intOption } from '../options.js';
import { openManager, type CommonOptions } from '../runner.js';

interface CleanupCliOptions extends CommonOptions {
  olderThan: number;
  keepLast: number;
  dryRun?: boolean;
}

export function cleanupCommand(): Command {
  const retention = defaults().cleanup;
  const command = new Command('cleanup')
    .description('remove finished job folders past retention')
    .option('--older-than <duration>', 'remove jobs that finished longer ago than this (7d, 12h, 30m; 0 = any age)', durationOption('--older-than'), retention.olderThanMs)
    .option('--keep-last <n>', 'always keep this many of the newest finished jobs', intOption('--keep-last', 0, 1_000_000), retention.keepLast)
    .option('--dry-run', 'list what would be removed; remove nothing');
  addCommonOptions(command);
  return command.action(async (options: CleanupCliOptions) => {
    const manager = await openManager('read', options);
    const exists = await manager.store.listIds().then(() => true, (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false;
      throw error;
    });
    const report = exists
      ? await cleanupJobs(manager.store, { olderThanMs: options.olderThan, keepLast: options.keepLast, dryRun: options.dryRun === true })
      : { removed: [], kept: 0, dryRun: options.dryRun === true };
    if (options.json) {
      printJson({ ...report, olderThanMs: options.olderThan, keepLast: options.keepLast });
      return;
    }
    const verb = report.dryRun ? 'would remove' : 'removed';
    print(`${verb} ${report.removed.length} job folder${report.removed.length === 1 ? '' : 's'} (finished over ${formatDuration(options.olderThan)} ago, beyond the newest ${options.keepLast}); kept ${report.kept}`);
    for (const id of report.removed) print(`  ${id}`);
  });
}
