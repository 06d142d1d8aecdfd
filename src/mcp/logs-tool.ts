/**
 * `get_job_logs`: a bounded tail of a job's `stdout.log` or `stderr.log`. At
 * most `tail_lines` lines, read from at most the last `maxResultBytes` bytes of
 * the file, so a huge log costs no more than a small one.
 */
import { closeSync } from 'node:fs';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { JobsError } from '../errors.js';
import { jobFile } from '../store/paths.js';
import { openRegular, readBytes } from '../store/safe-read.js';
import { guarded } from './errors.js';
import { jobIdInput, logsOutputSchema } from './schemas.js';
import type { ToolContext } from './tool-options.js';

export const MAX_TAIL_LINES = 2000;
const DEFAULT_TAIL_LINES = 100;

export interface LogTail {
  lines: string[];
  /** Earlier lines exist that are not in `lines`. */
  truncated: boolean;
  sizeBytes: number;
}

/**
 * The last `maxLines` lines of `path`, reading at most its last `maxBytes`
 * bytes. A missing file is empty; a link, FIFO or folder in its place is
 * refused (`storage`), never followed or waited on (safe-read.ts).
 */
export async function tailFile(path: string, maxLines: number, maxBytes: number): Promise<LogTail> {
  const opened = openRegular(path);
  if (!opened.ok) {
    if (opened.reason === 'missing') return { lines: [], truncated: false, sizeBytes: 0 };
    throw new JobsError('storage', opened.message);
  }
  try {
    const size = opened.size;
    const start = Math.max(0, size - maxBytes);
    const bytes = readBytes(opened.fd, size - start, start);
    let lines = bytes.toString('utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    let truncated = false;
    if (start > 0) {
      lines = lines.slice(1); // the first one is probably cut
      truncated = true;
    }
    if (lines.length > maxLines) {
      lines = lines.slice(lines.length - maxLines);
      truncated = true;
    }
    return { lines, truncated, sizeBytes: size };
  } finally {
    closeSync(opened.fd);
  }
}

export function registerLogsTool(server: McpServer, ctx: ToolContext): string[] {
  server.registerTool(
    'get_job_logs',
    {
      title: 'Job logs',
      description: `The last lines of a job's stdout or stderr log (default ${DEFAULT_TAIL_LINES} lines, at most ${MAX_TAIL_LINES}).`,
      inputSchema: {
        job_id: jobIdInput,
        stream: z.enum(['stdout', 'stderr']).optional().describe('which log (default stdout)'),
        tail_lines: z.number().int().min(1).max(MAX_TAIL_LINES).optional().describe(`lines from the end (default ${DEFAULT_TAIL_LINES})`),
      },
      outputSchema: logsOutputSchema,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    guarded('get_job_logs', async ({ job_id, stream = 'stdout', tail_lines = DEFAULT_TAIL_LINES }) => {
      const { view, dir } = await ctx.access.dir(job_id);
      const tail = await tailFile(jobFile(dir, stream), tail_lines, ctx.maxResultBytes);
      const output = { job_id: view.id, stream, lines: tail.lines, truncated: tail.truncated, size_bytes: tail.sizeBytes };
      const header = `${stream}.log of job ${view.id}: ${tail.lines.length} line(s)${tail.truncated ? ' (earlier lines not shown)' : ''}`;
      return {
        content: [{ type: 'text', text: tail.lines.length ? `${header}\n${tail.lines.join('\n')}` : `${header}; the log is empty` }],
        structuredContent: output,
      };
    }),
  );
  return ['get_job_logs'];
}
