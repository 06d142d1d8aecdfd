/**
 * Embedding mcp-jobs in an MCP server you already have.
 *
 * Your server keeps its own tools; the runner adds one start tool per job type
 * (here `simulate`, plus any wrapper you register), the job tools
 * (`get_job_status`, `get_job_results`, `wait_for_job`, ...), the `job://` and
 * `state://` resources, and native MCP Tasks for clients that speak them.
 *
 *   npm run build && node dist/examples/embed.js        (an MCP server on stdio)
 *
 * In your own project, import from 'mcp-jobs' instead of '../src/index.js'.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';
import { createJobRunner, JobTaskStore, jobsServerOptions, registerJobTools, type CreateJobRunnerOptions, type JobManager } from '../src/index.js';

export interface MyServer {
  server: McpServer;
  runner: JobManager;
  close(): Promise<void>;
}

export async function createMyServer(runnerOptions: CreateJobRunnerOptions = {}): Promise<MyServer> {
  // 1. The runner: job folders, the dispatcher, the reconciler. Register your
  //    own wrappers here too: `await runner.registerWrapper(myWrapper)`.
  const runner = await createJobRunner({ jobsDir: './jobs', stateDir: './state', ...runnerOptions });

  // 2. Your McpServer, constructed with a task store over the job folders, so
  //    that start tools can also run as native MCP Tasks (task id = job id).
  //    (Without it — `new McpServer(info)` and no `taskStore` below — the start
  //    tools are plain tools, and everything else works the same.)
  const taskStore = new JobTaskStore(runner);
  const server = new McpServer({ name: 'my-server', version: '1.0.0' }, jobsServerOptions(taskStore));

  // 3. Your own tools, as before.
  server.registerTool(
    'add',
    { description: 'Add two numbers.', inputSchema: { a: z.number(), b: z.number() }, annotations: { readOnlyHint: true } },
    async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] }),
  );

  // 4. The runner's tools, resources and task handlers. Before connect().
  const jobs = registerJobTools(server, runner, { taskStore });

  return {
    server,
    runner,
    async close() {
      jobs.close();
      await server.close();
      await runner.close(); // detached workers keep running; the next start reconciles them
    },
  };
}

/** True when this file is the program being run (not imported). */
function isMain(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  const mine = await createMyServer();
  await mine.server.connect(new StdioServerTransport());
  const stop = () => void mine.close().finally(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.stdin.once('end', stop);
}
