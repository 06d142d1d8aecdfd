/**
 * `mcp-jobs status <id>`: a job's record and progress. Read-only: an end the
 * worker's files already show but no manager recorded yet is shown as such.
 */
import { Command } from 'commander';
import { assertJobId } from '../../ids.js';
import { jobJson, statusBlock } from '../format.js';
import { viewJob } from '../job-view.js';
import { print, printJson } from '../output.js';
import { addCommonOptions } from '../options.js';
import { openManager, type CommonOptions } from '../runner.js';

export function statusCommand(): Command {
  const command = new Command('status').description("show a job's status, progress, times and error").argument('<id>', 'job id');
  addCommonOptions(command);
  return command.action(async (id: string, options: CommonOptions) => {
    assertJobId(id);
    const manager = await openManager('read', options);
    const view = await viewJob(manager.store, id);
    const dir = manager.store.dir(id);
    if (options.json) printJson(jobJson(view, dir));
    else print(statusBlock(view, dir));
  });
}
