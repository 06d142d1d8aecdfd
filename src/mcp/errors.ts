/**
 * How failures reach an MCP client. A handler never throws past this module:
 *
 * - tools: every failure becomes an `isError: true` result whose text names the
 *   problem (a `JobsError` keeps its message, plus a hint of what to do next);
 *   an unexpected exception is logged with its stack and reported briefly.
 * - task methods and resources: protocol errors stay `McpError`; a bad or
 *   unknown id is -32602 (InvalidParams), as the 2025-11-25 spec asks.
 */
import { ErrorCode, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { JobsError, type ErrorCode as JobsErrorCode } from '../errors.js';
import { log } from '../log.js';

const HINTS: Partial<Record<JobsErrorCode, string>> = {
  invalid_id: 'Pass the `job_id` a start tool returned.',
  not_found: 'Check the id; `list_jobs` shows the jobs you can see.',
  not_finished: 'Call `wait_for_job`, or poll `get_job_status` until it ends.',
  already_finished: 'Nothing to cancel; `get_job_results` shows how it ended.',
};

/** The exact answer for a job this caller may not see: identical to a job that does not exist. */
export function notFound(id: string): JobsError {
  return new JobsError('not_found', `No job with id \`${id}\``);
}

/** One line for a person: the message, and what to do about it where that is known. */
export function describeError(error: unknown): string {
  if (error instanceof JobsError) {
    const hint = HINTS[error.code];
    return hint ? `${error.message}. ${hint}` : error.message;
  }
  if (error instanceof McpError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

/** A failed tool call, as the client sees it. Unexpected errors are logged with their stack. */
export function toolError(error: unknown, tool: string): CallToolResult {
  if (!(error instanceof JobsError) && !(error instanceof McpError)) {
    log.error(`tool ${tool}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return { isError: true, content: [{ type: 'text', text: `Internal error in \`${tool}\`: ${describeError(error)}` }] };
  }
  return { isError: true, content: [{ type: 'text', text: describeError(error) }] };
}

/** Wraps a tool handler so that nothing it throws escapes as anything but an `isError` result. */
export function guarded<A extends unknown[]>(tool: string, handler: (...args: A) => Promise<CallToolResult>): (...args: A) => Promise<CallToolResult> {
  return async (...args: A) => {
    try {
      return await handler(...args);
    } catch (error) {
      return toolError(error, tool);
    }
  };
}

/** A protocol error for task methods and resources: bad input is -32602, the rest -32603. */
export function protocolError(error: unknown): McpError {
  if (error instanceof McpError) return error;
  if (error instanceof JobsError) {
    if (error.code === 'storage') {
      log.error(`storage: ${error.message}`);
      return new McpError(ErrorCode.InternalError, describeError(error));
    }
    return new McpError(ErrorCode.InvalidParams, describeError(error));
  }
  log.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  return new McpError(ErrorCode.InternalError, `Internal error: ${describeError(error)}`);
}
