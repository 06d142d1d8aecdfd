/**
 * `mcp-jobs watch <id>`: a live progress bar until the job ends; the exit code
 * mirrors the outcome (0 completed, 1 failed or cancelled). Ctrl-C stops
 * watching (the job goes on), exit 130.
 *
 * While it watches it is a manager of the folder (like `run`): it starts
 * queued jobs under `--max-concurrent` (so the job it waits for starts even
 * when no server runs), records ends and applies state patches.
 */
import { Command } from 'commander';
import { assertJobId } from '../../ids.js';
import { isTerminal } from '../../types.js';
import { EXIT } from '../exit-codes.js';
import { follow } from '../follow.js';
import { jobJson } from '../format.js';
import { viewJob } from '../job-view.js';
import { exitCodeOf, printSummary } from '../outcome.js';
import { note, printJsonLine } from '../output.js';
import { addCommonOptions, intOption } from '../options.js';
import { openManager, type OpenOptions } from '../runner.js';

export function watchCommand(): Command {
  const command = new Command('watch')
    .description('follow a job with a live progress bar until it ends; the exit code mirrors the outcome')
    .argument('<id>', 'job id')
    .option('--max-concurrent <n>', 'cap on running jobs of the folder while watching (default: the number of CPUs)', intOption('--max-concurrent', 1, 10_000));
  addCommonOptions(command);
  command.addHelpText('after', '\nWith --json, prints one JSON line per change ({"event":"progress",...}) and a last line {"event":"end","job":{...}}.');
  return command.action(async (id: string, options: OpenOptions) => {
    assertJobId(id);
    const manager = await openManager('dispatch', options);
    try {
      await viewJob(manager.store, id); // not_found before the manager creates anything
      await manager.start();
      await manager.idle(); // a queued job may be started right away
      const stop = new AbortController();
      const onSigint = () => stop.abort();
      process.on('SIGINT', onSigint);
      let final;
      try {
        final = await follow(manager, id, { mode: options.json ? 'lines' : 'human', signal: stop.signal });
      } finally {
        process.off('SIGINT', onSigint);
      }
      if (!isTerminal(final.status)) {
        if (!options.json) note(`stopped watching; job ${id} is still ${final.status}`);
        process.exitCode = EXIT.interrupted;
        return;
      }
      if (options.json) printJsonLine({ event: 'end', job: jobJson(final, manager.store.dir(id)) });
      else printSummary(final);
      process.exitCode = exitCodeOf(final);
    } finally {
      await manager.close();
    }
  });
}
