/**
 * Our own McpServer: the runner's tools, resources and native Tasks, for one
 * connection (stdio), or one HTTP session bound to one principal.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { JobManager } from '../runner/job-manager.js';
import { packageVersion } from './health.js';
import { guardTransport } from './message-guard.js';
import { jobsServerOptions, registerJobTools, type RegisteredJobTools } from './register.js';
import { JobTaskStore, type JobTaskStoreOptions } from './task-store.js';

/** The task store's options (owner, poll interval, result limit, ttl bounds, `listTasks`) are the server's. */
export type JobsMcpServerOptions = JobTaskStoreOptions;

export interface JobsMcpServer {
  readonly server: McpServer;
  readonly taskStore: JobTaskStore;
  readonly registered: RegisteredJobTools;
  /** Closes the connection and detaches from the runner (the runner stays open). */
  close(): Promise<void>;
}

const INSTRUCTIONS =
  'Long-running work runs as background jobs. A start tool (one per job type) returns a job_id at once; ' +
  'poll get_job_status (or call wait_for_job), then fetch get_job_results. Clients that speak MCP Tasks can call start tools as tasks (task id = job id).';

export function createJobsMcpServer(runner: JobManager, options: JobsMcpServerOptions = {}): JobsMcpServer {
  const taskStore = new JobTaskStore(runner, options);
  const server = new McpServer({ name: 'mcp-jobs', version: packageVersion() }, jobsServerOptions(taskStore, { instructions: INSTRUCTIONS }));
  const registered = registerJobTools(server, runner, { taskStore });
  // Every connection goes through the message guard: malformed messages are answered, error text is capped.
  const connect = server.connect.bind(server);
  server.connect = (transport) => connect(guardTransport(transport));
  let closing: Promise<void> | undefined;
  return {
    server,
    taskStore,
    registered,
    close() {
      closing ??= Promise.resolve().then(async () => {
        registered.close();
        await server.close().catch(() => {});
      });
      return closing;
    },
  };
}
