/**
 * Fault injection for the crash tests: when `MCP_JOBS_CRASH_AT` names a point,
 * the process SIGKILLs itself there, like a power cut between two steps.
 * Points: after-submit, after-claim, after-spawn, before-settle,
 * before-patch, after-state-write.
 */
const target = process.env.MCP_JOBS_CRASH_AT;

export function crashPoint(name: string): void {
  if (target === name) process.kill(process.pid, 'SIGKILL');
}
