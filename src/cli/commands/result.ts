/**
 * `mcp-jobs result <id>`: a finished job's result on stdout (pretty JSON), so
 * `mcp-jobs result <id> > out.json` works. Failed or cancelled: the reason on
 * stderr, exit 1. Not finished yet: exit 4. Read-only.
 */
import { Command } from 'commander';
import { JobsError } from '../../errors.js';
import { assertJobId } from '../../ids.js';
import { EXIT } from '../exit-codes.js';
import { effectiveError, effectiveStatus, viewJob } from '../job-view.js';
import { readResult } from '../outcome.js';
import { print, printError, printJson } from '../output.js';
import { addCommonOptions } from '../options.js';
import { percentText } from '../progress-bar.js';
import { openManager, type CommonOptions } from '../runner.js';

export function resultCommand(): Command {
  const command = new Command('result').description("print a finished job's result (JSON)").argument('<id>', 'job id');
  addCommonOptions(command);
  return command.action(async (id: string, options: CommonOptions) => {
    assertJobId(id);
    const manager = await openManager('read', options);
    const view = await viewJob(manager.store, id);
    const status = effectiveStatus(view);
    if (status === 'queued' || status === 'running') {
      const where = view.progress ? ` (${percentText(view.progress)}${view.progress.message ? `: ${view.progress.message}` : ''})` : '';
      throw new JobsError('not_finished', `Job \`${id}\` is ${status}${where}; it has no result yet (follow it with \`mcp-jobs watch ${id}\`)`);
    }
    if (status === 'completed') {
      let report;
      try {
        report = await readResult(manager.store, id);
      } catch (error) {
        throw new JobsError('storage', `job ${id}: results.json cannot be read: ${(error as Error).message}`);
      }
      if (options.json) printJson({ job_id: id, status, result: report.result });
      else print(JSON.stringify(report.result, null, 2));
      return;
    }
    const error = effectiveError(view);
    if (options.json) printJson({ job_id: id, status, ...(error && status === 'failed' ? { error } : {}) });
    else if (status === 'failed') printError(`job ${id} failed${error ? ` (${error.kind}): ${error.message}` : ''}`);
    else printError(`job ${id} was cancelled; it has no result`);
    process.exitCode = EXIT.jobFailed;
  });
}
