/**
 * `mcp-jobs run <type>`: a real job in the foreground. The job is submitted to
 * the jobs folder like any other (a job folder, a detached worker), and this
 * process follows it with a progress bar until it ends.
 *
 * The cap: the job starts at once when fewer than `--max-concurrent` jobs of
 * the folder run (counted from the folder, so jobs of a server count too).
 * When the cap is full, it waits in the queue like any job, the bar says so,
 * and it starts when a slot frees. Ctrl-C cancels it: a queued job never
 * starts; a running one gets SIGTERM (SIGKILL after 5 s) and ends `cancelled`.
 */
import { Command } from 'commander';
import { JobsError } from '../../errors.js';
import { EXIT } from '../exit-codes.js';
import { follow } from '../follow.js';
import { addNewJobOptions, readJobInput, submitOptionsFrom, type NewJobOptions } from '../input.js';
import { exitCodeOf, printResultForPeople, printSummary, readResult } from '../outcome.js';
import { note, printJson } from '../output.js';
import { addCommonOptions, addTypeOptions } from '../options.js';
import { openManager, type OpenOptions } from '../runner.js';
import { isTerminal, type JobStatusView } from '../../types.js';

type RunOptions = OpenOptions & NewJobOptions;

export function runCommand(): Command {
  const command = new Command('run')
    .description('run a job in the foreground with a live progress bar; Ctrl-C cancels it')
    .argument('<type>', 'job type (see `mcp-jobs types`)');
  addNewJobOptions(command);
  addTypeOptions(command);
  addCommonOptions(command);
  return command.action(async (type: string, options: RunOptions) => {
    const input = await readJobInput(options);
    // Ctrl-C from here on cancels the job (once it exists); a second one only says it is in progress.
    const interrupt = new AbortController();
    let interrupts = 0;
    const onSigint = () => {
      interrupts += 1;
      if (interrupts === 1) interrupt.abort();
      else note('still cancelling the job (SIGKILL follows SIGTERM after 5 s)...');
    };
    const manager = await openManager('dispatch', { ...options, types: true });
    process.on('SIGINT', onSigint);
    try {
      const submitOptions = submitOptionsFrom(options);
      const { jobId } = await manager.submit(type, input, submitOptions);
      if (!options.json) note(`job ${jobId} (${type}) in ${manager.store.dir(jobId)}`);
      await manager.idle(); // the dispatch pass: started now, or queued behind the cap
      let final: JobStatusView = await follow(manager, jobId, { mode: options.json ? 'quiet' : 'human', signal: interrupt.signal });
      if (interrupt.signal.aborted && !isTerminal(final.status)) {
        if (!options.json) note('cancelling the job...');
        await manager.cancel(jobId).catch((error: unknown) => {
          if (!(error instanceof JobsError && error.code === 'already_finished')) throw error;
        });
        final = await follow(manager, jobId, { mode: 'quiet' });
      }
      const result = final.status === 'completed' ? await readResult(manager.store, jobId) : undefined;
      if (options.json) {
        printJson({ job_id: jobId, type, status: final.status, ...(result ? { result: result.result, results_path: result.resultsPath } : {}), ...(final.error ? { error: final.error } : {}), dir: manager.store.dir(jobId) });
      } else {
        printSummary(final);
        if (result) printResultForPeople(result, jobId);
      }
      process.exitCode = interrupt.signal.aborted && final.status === 'cancelled' ? EXIT.interrupted : exitCodeOf(final);
    } finally {
      process.off('SIGINT', onSigint);
      await manager.close();
    }
  });
}
