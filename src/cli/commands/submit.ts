/**
 * `mcp-jobs submit <type>`: a job in the background; prints its id.
 *
 * The command returns only once the job is durable and, when a slot is free,
 * its worker is started (detached: it outlives this process; `manager.idle()`
 * resolves after the dispatch pass has spawned it and recorded its pid). When
 * the cap is full the job stays `queued` in its folder, and the next manager
 * on the folder starts it: a running server at its next dispatch pass (when
 * one of its jobs ends, or its periodic scan), or the next `mcp-jobs` command
 * that dispatches (serve, run, submit, watch).
 */
import { Command } from 'commander';
import { addNewJobOptions, readJobInput, submitOptionsFrom, type NewJobOptions } from '../input.js';
import { note, print, printJson } from '../output.js';
import { addCommonOptions, addTypeOptions } from '../options.js';
import { openManager, type OpenOptions } from '../runner.js';

type SubmitOptions = OpenOptions & NewJobOptions;

export function submitCommand(): Command {
  const command = new Command('submit')
    .description('start a job in the background and print its id')
    .argument('<type>', 'job type (see `mcp-jobs types`)');
  addNewJobOptions(command);
  addTypeOptions(command);
  addCommonOptions(command);
  return command.action(async (type: string, options: SubmitOptions) => {
    const input = await readJobInput(options);
    const manager = await openManager('launch', { ...options, types: true });
    try {
      const submitOptions = submitOptionsFrom(options);
      const { jobId } = await manager.submit(type, input, submitOptions);
      await manager.idle();
      const record = await manager.store.get(jobId);
      if (options.json) {
        printJson({ job_id: jobId, type, status: record.status, ...(record.pid ? { pid: record.pid } : {}), dir: manager.store.dir(jobId) });
        return;
      }
      print(jobId);
      if (record.status === 'queued') {
        const health = await manager.health();
        note(`queued: ${health.running} of ${health.maxConcurrent} slots busy; it starts when one frees (a running server or the next run/submit/watch starts it)`);
      } else if (process.stderr.isTTY) {
        note(`${record.status}${record.pid ? ` (pid ${record.pid})` : ''}; follow it with \`mcp-jobs watch ${jobId}\``);
      }
    } finally {
      await manager.close();
    }
  });
}
