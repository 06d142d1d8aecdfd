/** The soak's summary: one line per figure, printed by the test and by `npm run soak`. */
import type { SoakReport } from './soak.js';

export function summarize(r: SoakReport): string {
  const v = r.verdict;
  const lines = [
    `soak: seed ${r.config.seed}, ${r.durationS} s, max-concurrent ${r.config.maxConcurrent}, ${r.config.readers} MCP readers + state-file reader + CLI list/run`,
    `jobs: ${r.acked.mcp} acknowledged over MCP + ${r.acked.cli} by \`mcp-jobs run\`; ${r.unacked} submits cut by a server kill; ${v.folders} job folders`,
    `outcomes: ${Object.entries(v.outcomes).map(([k, n]) => `${k} ${n}`).join(', ')}`,
    `kills: server ${r.kills.serverRandom + r.kills.serverCrashPoints} (${r.kills.serverRandom} random SIGKILL, ${r.kills.serverCrashPoints} at a crash point right after a results.json rename), workers ${r.kills.workers}`,
    `lost: ${v.lost.length} (${v.lostUnindexed.length} queued without .active marker)`,
    `wrong outcome: ${v.wrong.length}`,
    `appends: ${v.appends.expected} completed append jobs, ${v.appends.absorbed} absorbed, ${v.appends.values} values; duplicates ${v.appends.duplicates}, missing ${v.appends.missing}, extra ${v.appends.extra}; replace jobs missing from \`latest\`: ${v.replaceMissing}`,
    `orphans: ${r.orphans.length}`,
    `leftovers: ${v.leftovers.markers.length} .active markers, ${v.leftovers.tmp.length} *.tmp files, ${v.leftovers.staging.length} staging folders; ${v.staleWorkerLocks} worker.lock folders`,
    `state file: ${r.counts['state file reads'] ?? 0} reads, ${r.counts['state file parse failures'] ?? 0} parse failures`,
    `anomalies: ${r.anomalies.length}`,
    `counts: ${JSON.stringify(r.counts)}`,
  ];
  const detail = (title: string, items: string[]) => (items.length ? [`${title}:`, ...items.slice(0, 20).map((i) => `  ${i}`)] : []);
  return [
    ...lines,
    ...detail('lost', v.lost),
    ...detail('wrong', v.wrong),
    ...detail('orphans', r.orphans.map((o) => `${o.pid} (${o.why}) ${o.cmdline}`)),
    ...detail('leftovers', [...v.leftovers.markers.map((m) => `.active/${m}`), ...v.leftovers.tmp, ...v.leftovers.staging.map((s) => `.staging/${s}`)]),
    ...detail('anomalies', r.anomalies),
  ].join('\n');
}
