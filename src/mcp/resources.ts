/**
 * Resources: `job://<id>` (the status JSON), `job://<id>/results` (the full
 * result, never truncated) and `state://<field>`. `resources/subscribe` on any
 * of them brings `notifications/resources/updated` when it changes: job events
 * for the job's URIs, `state:changed` for the field. A job this caller cannot
 * see cannot be read or subscribed to, with the same answer as a missing one.
 */
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SubscribeRequestSchema, UnsubscribeRequestSchema, type ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { JobsError } from '../errors.js';
import { log } from '../log.js';
import { assertField } from '../store/state-store.js';
import type { JobRecord } from '../types.js';
import { protocolError } from './errors.js';
import { resultsUri } from './results.js';
import { readStateField } from './state-tools.js';
import type { ToolContext } from './tool-options.js';
import { jobStatusOutput } from './views.js';

const JOB_URI = /^job:\/\/([^/]+)(\/results)?$/;
const STATE_URI = /^state:\/\/([^/]+)$/;

const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) ?? '';
const json = (uri: string, value: unknown): ReadResourceResult => ({ contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(value) }] });

async function readJob(ctx: ToolContext, uri: string, id: string): Promise<ReadResourceResult> {
  try {
    return json(uri, jobStatusOutput(await ctx.access.status(id)));
  } catch (error) {
    throw protocolError(error);
  }
}

async function readResults(ctx: ToolContext, uri: string, id: string): Promise<ReadResourceResult> {
  try {
    const view = await ctx.access.status(id);
    if (view.status !== 'completed') throw new JobsError('not_finished', `Job \`${view.id}\` is ${view.status}; it has no results`);
    return { contents: [{ uri, mimeType: 'application/json', text: await ctx.runner.store.readResultsText(view.id) }] };
  } catch (error) {
    throw protocolError(error);
  }
}

export function registerResources(server: McpServer, ctx: ToolContext): void {
  const recentJobs = async () => {
    const page = await ctx.access.list({ limit: 20 });
    return { resources: page.jobs.map((job) => ({ uri: `job://${job.id}`, name: `${job.type} job ${job.id} (${job.status})`, mimeType: 'application/json' })) };
  };
  server.registerResource(
    'job',
    new ResourceTemplate('job://{id}', { list: recentJobs }),
    { title: 'Job status', description: 'Status of a job as JSON (the same as get_job_status).', mimeType: 'application/json' },
    (uri, vars) => readJob(ctx, uri.href, one(vars.id)),
  );
  server.registerResource(
    'job-results',
    new ResourceTemplate('job://{id}/results', { list: undefined }),
    { title: 'Job results', description: 'The full result of a completed job (results.json), never truncated.', mimeType: 'application/json' },
    (uri, vars) => readResults(ctx, uri.href, one(vars.id)),
  );
  const fields = async () => ({
    resources: (await ctx.runner.state.fields()).map((field) => ({ uri: `state://${field}`, name: `state field ${field}`, mimeType: 'application/json' })),
  });
  server.registerResource(
    'state',
    new ResourceTemplate('state://{field}', { list: fields }),
    { title: 'State field', description: 'A state field built from job results.', mimeType: 'application/json' },
    async (uri, vars) => {
      try {
        return json(uri.href, await readStateField(ctx.runner, one(vars.field)));
      } catch (error) {
        throw protocolError(error);
      }
    },
  );
}

/** Subscriptions of one connection; returns a function that detaches them from the runner. */
export function installSubscriptions(server: McpServer, ctx: ToolContext): () => void {
  const subscribed = new Set<string>();
  server.server.registerCapabilities({ resources: { subscribe: true, listChanged: true } });
  server.server.setRequestHandler(SubscribeRequestSchema, async (request) => {
    const uri = request.params.uri;
    try {
      const job = JOB_URI.exec(uri);
      const state = STATE_URI.exec(uri);
      if (job) await ctx.access.status(job[1]);
      else if (state) assertField(state[1]);
      else throw new JobsError('invalid_input', `Cannot subscribe to \`${uri}\`: expected job://<id>, job://<id>/results or state://<field>`);
    } catch (error) {
      throw protocolError(error);
    }
    subscribed.add(uri);
    return {};
  });
  server.server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
    subscribed.delete(request.params.uri);
    return {};
  });

  const updated = (uri: string) => {
    if (!subscribed.has(uri) || !server.isConnected()) return;
    server.server.sendResourceUpdated({ uri }).catch((error: Error) => log.debug(`resources/updated ${uri} not sent: ${error.message}`));
  };
  const onJob = (record: JobRecord) => {
    updated(`job://${record.id}`);
    if (record.status === 'completed') updated(resultsUri(record.id));
  };
  const onProgress = ({ id }: { id: string }) => updated(`job://${id}`);
  const onState = ({ field }: { field: string }) => updated(`state://${field}`);
  const jobEvents = ['job:queued', 'job:started', 'job:completed', 'job:failed', 'job:cancelled', 'job:retry'] as const;
  for (const event of jobEvents) ctx.runner.on(event, onJob);
  ctx.runner.on('job:progress', onProgress);
  ctx.runner.on('state:changed', onState);
  return () => {
    for (const event of jobEvents) ctx.runner.off(event, onJob);
    ctx.runner.off('job:progress', onProgress);
    ctx.runner.off('state:changed', onState);
    subscribed.clear();
  };
}
