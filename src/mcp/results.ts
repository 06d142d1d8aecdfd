/**
 * Results as clients receive them. A result up to `maxResultBytes` comes back
 * whole; a larger one comes back as its first `maxResultBytes` of text plus a
 * `resource_link` to `job://<id>/results`, which reads it in full (up to the
 * runner's `maxResultsFileBytes`, the same limit a job's result must meet to
 * complete). Only the first bytes of a large results.json are read for the
 * preview; results.json is opened like every worker file (safe-read.ts: no
 * links, regular files only).
 *
 * Used by `get_job_results`, by `tasks/result`, and by the results resource.
 */
import { closeSync } from 'node:fs';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { JobsError } from '../errors.js';
import type { JobStore } from '../store/job-store.js';
import { jobFile } from '../store/paths.js';
import { openRegular, parseJsonText, readBytes, tooLarge } from '../store/safe-read.js';
import type { JobStatusView } from '../types.js';
import type { ToolContext } from './tool-options.js';
import { progressOutput, statusLine } from './views.js';

export interface ResultsFile {
  sizeBytes: number;
  truncated: boolean;
  /** The parsed result (whole results only). */
  value?: unknown;
  /** The first `limit` bytes of results.json (truncated results only). */
  preview?: string;
}

export const resultsUri = (id: string) => `job://${id}/results`;

/** Reads results.json of job `id` whole when it is at most `limit` bytes, else only its first `limit` bytes. */
export async function readResultsFile(store: JobStore, id: string, limit: number): Promise<ResultsFile> {
  const opened = store.folderProblem(id) ?? openRegular(jobFile(store.dir(id), 'results'));
  if (!opened.ok) throw new JobsError('storage', `job ${id}: results.json of a completed job cannot be read: ${opened.message}`);
  try {
    const size = opened.size;
    if (size > store.limits.resultsBytes) {
      throw new JobsError('storage', `job ${id}: ${tooLarge('results.json', size, { maxBytes: store.limits.resultsBytes, option: 'maxResultsFileBytes' }).message}`);
    }
    const bytes = readBytes(opened.fd, Math.min(size, limit));
    if (size > limit) return { sizeBytes: size, truncated: true, preview: bytes.toString('utf8') };
    const parsed = parseJsonText(bytes.toString('utf8'), 'results.json');
    if (!parsed.ok) throw new JobsError('storage', `job ${id}: ${parsed.message}`);
    return { sizeBytes: size, truncated: false, value: parsed.value };
  } finally {
    closeSync(opened.fd);
  }
}

const kib = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`);

function truncatedContent(id: string, file: ResultsFile, limit: number): CallToolResult['content'] {
  return [
    { type: 'text', text: `The result is ${kib(file.sizeBytes)}, over the ${kib(limit)} limit: below are its first ${kib(limit)}. Read the resource ${resultsUri(id)} for all of it.` },
    { type: 'text', text: file.preview ?? '' },
    { type: 'resource_link', uri: resultsUri(id), name: `results of job ${id}`, mimeType: 'application/json', size: file.sizeBytes },
  ];
}

/** `get_job_results`: the outcome of a visible job, or a plain "not finished yet". */
export async function jobResultsOutput(ctx: ToolContext, view: JobStatusView): Promise<CallToolResult> {
  const base = { job_id: view.id, status: view.status };
  if (view.status === 'queued' || view.status === 'running') {
    const structured = { ...base, progress: progressOutput(view.progress), message: `Job ${view.id} is ${statusLine(view)}; it has no result yet. Call wait_for_job, or poll get_job_status.` };
    return { content: [{ type: 'text', text: structured.message }], structuredContent: structured };
  }
  if (view.status === 'failed') {
    const error = { kind: view.error?.kind ?? 'lost', message: view.error?.message ?? 'no details' };
    const structured = { ...base, error, message: `Job ${view.id} ${statusLine(view)}` };
    return { isError: true, content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured };
  }
  if (view.status === 'cancelled') {
    const structured = { ...base, message: `Job ${view.id} was cancelled; it has no result.` };
    return { isError: true, content: [{ type: 'text', text: structured.message }], structuredContent: structured };
  }
  const file = await readResultsFile(ctx.runner.store, view.id, ctx.maxResultBytes);
  if (file.truncated) {
    const structured = { ...base, truncated: true, size_bytes: file.sizeBytes, resource_uri: resultsUri(view.id), message: `Result truncated at ${kib(ctx.maxResultBytes)}; read ${resultsUri(view.id)} for all of it.` };
    return { content: truncatedContent(view.id, file, ctx.maxResultBytes), structuredContent: structured };
  }
  const structured = { ...base, result: file.value, truncated: false, size_bytes: file.sizeBytes, message: 'completed' };
  return { content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured };
}

/**
 * `tasks/result` of a finished job: what the tool call would have returned had
 * it waited. Completed: the result (as `structuredContent` when it is an
 * object); failed or cancelled: an `isError` result saying why.
 */
export async function taskToolResult(ctx: ToolContext, view: JobStatusView): Promise<CallToolResult> {
  if (view.status === 'failed') {
    return { isError: true, content: [{ type: 'text', text: `Job ${view.id} ${statusLine(view)}` }] };
  }
  if (view.status === 'cancelled') return { isError: true, content: [{ type: 'text', text: `Job ${view.id} was cancelled; it has no result.` }] };
  if (view.status !== 'completed') throw new JobsError('not_finished', `Job \`${view.id}\` is ${view.status}; it has no result yet`);
  const file = await readResultsFile(ctx.runner.store, view.id, ctx.maxResultBytes);
  if (file.truncated) return { content: truncatedContent(view.id, file, ctx.maxResultBytes) };
  const value = file.value;
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
  return {
    content: [{ type: 'text', text: JSON.stringify(value) }],
    ...(isObject ? { structuredContent: value as Record<string, unknown> } : {}),
  };
}
