/**
 * Concurrent readers during the soak. MCP readers (in this process, the
 * server in its own) call get_job_status, wait_for_job, get_job_results,
 * list_jobs and get_state on acknowledged jobs; an error from a live server
 * about a job it acknowledged is an anomaly. A file reader parses the state
 * files straight from disk every few milliseconds: each read must parse, and
 * an `append` field must hold as many values as job ids it absorbed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Ledger } from './ledger.js';
import { APPEND_FIELD, REPLACE_FIELD } from './mix.js';
import { ServerGone, type SoakServer } from './server.js';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const text = (r: CallToolResult) => r.content.map((c) => (c.type === 'text' ? c.text : '')).join(' ');
/** Errors a live server may rightly give about an existing job (not finished, failed, cancelled). */
const FINE = /no result yet|is (queued|running)|failed|cancelled|has no result/i;

export async function mcpReader(server: SoakServer, ledger: Ledger, random: () => number, stopped: () => boolean): Promise<void> {
  while (!stopped()) {
    const ids = [...ledger.acked.keys()];
    const id = ids[Math.floor(random() * ids.length)];
    const r = random();
    const [tool, args]: [string, Record<string, unknown>] =
      !id || r < 0.15 ? ['list_jobs', random() < 0.5 ? { status: 'queued' } : random() < 0.5 ? { status: 'running', limit: 50 } : {}]
        : r < 0.45 ? ['get_job_status', { job_id: id }]
          : r < 0.6 ? ['wait_for_job', { job_id: id, timeout_s: 1 }]
            : r < 0.85 ? ['get_job_results', { job_id: id }]
              : ['get_state', { field: APPEND_FIELD }];
    try {
      const result = await server.call(tool, args);
      ledger.count(`read ${tool}`);
      if (result.isError) {
        const said = text(result);
        const rightly = (tool === 'get_job_results' && FINE.test(said)) || (tool === 'get_state' && /unknown|no state|not found/i.test(said));
        if (!rightly) ledger.anomaly(`${tool} ${JSON.stringify(args)}: ${said}`);
      }
    } catch (error) {
      if (error instanceof ServerGone) {
        ledger.count('reads cut by a server death');
        await pause(20);
      } else if (!stopped()) ledger.anomaly(`${tool} threw: ${(error as Error).message}`);
    }
  }
}

/** Parses the state files from disk until stopped; every failure is an anomaly. */
export async function stateFileReader(stateDir: string, ledger: Ledger, stopped: () => boolean): Promise<void> {
  while (!stopped()) {
    for (const field of [APPEND_FIELD, REPLACE_FIELD]) {
      const path = join(stateDir, `${field}.json`);
      if (!existsSync(path)) continue;
      let raw: string;
      try {
        raw = readFileSync(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') ledger.anomaly(`state read ${field}: ${(error as Error).message}`);
        continue;
      }
      ledger.count('state file reads');
      try {
        const file = JSON.parse(raw) as { value: unknown; applied: Record<string, string> };
        const absorbed = Object.keys(file.applied ?? {}).length;
        if (field === APPEND_FIELD && (!Array.isArray(file.value) || file.value.length !== absorbed)) {
          ledger.anomaly(`state ${field}: ${Array.isArray(file.value) ? file.value.length : typeof file.value} values for ${absorbed} absorbed job ids`);
        }
      } catch (error) {
        ledger.count('state file parse failures');
        ledger.anomaly(`state ${field} does not parse: ${(error as Error).message}`);
      }
    }
    await pause(15);
  }
}
