/**
 * `mcp-jobs cancel <id>`: a queued job never starts; a running one gets
 * SIGTERM on its process group, SIGKILL after 5 s, and ends `cancelled`
 * (or `completed` if it finished first). Runs a manager without dispatching:
 * its startup pass also records other jobs that ended unnoticed.
 */
import { Command } from 'commander';
import { JobsError } from '../../errors.js';
import { assertJobId } from '../../ids.js';
import { isTerminal } from '../../types.js';
import { EXIT } from '../exit-codes.js';
import { statusText } from '../format.js';
import { effectiveStatus, viewJob } from '../job-view.js';
import { print, printError, printJson } from '../output.js';
import { addCommonOptions } from '../options.js';
import { openManager, type CommonOptions } from '../runner.js';

export function cancelCommand(): Command {
  const command = new Command('cancel').description('cancel a queued or running job').argument('<id>', 'job id');
  addCommonOptions(command);
  return command.action(async (id: string, options: CommonOptions) => {
    assertJobId(id);
    const manager = await openManager('maintain', options);
    try {
      // Read first: a job that does not exist or has ended changes nothing (and creates no folder).
      const before = await viewJob(manager.store, id);
      const seen = effectiveStatus(before);
      if (isTerminal(seen)) throw new JobsError('already_finished', `Job \`${id}\` already ended: ${seen}`);
      const record = await manager.cancel(id);
      if (options.json) printJson({ job_id: id, status: record.status });
      else if (record.status === 'cancelled') print(`${statusText('cancelled')} ${id}`);
      else if (isTerminal(record.status)) printError(`job ${id} ended before it could be cancelled: ${record.status}`);
      else printError(`job ${id}: stop requested, but it is still ${record.status}; check again with \`mcp-jobs status ${id}\``);
      if (record.status !== 'cancelled') process.exitCode = isTerminal(record.status) ? EXIT.wrongState : EXIT.internal;
    } finally {
      await manager.close();
    }
  });
}
