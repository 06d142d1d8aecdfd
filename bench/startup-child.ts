/**
 * Startup probe, run in a fresh process by bench/startup-scale.ts so that its
 * RSS is the startup's own: imports the library, times `createJobRunner()`
 * until it resolves (ready), and prints one JSON line.
 *
 *   node dist/bench/startup-child.js <jobsDir> <stateDir>
 */
const [jobsDir, stateDir] = process.argv.slice(2);
if (!jobsDir || !stateDir) {
  console.error('usage: node dist/bench/startup-child.js <jobsDir> <stateDir>');
  process.exit(2);
}
const t0 = performance.now();
const { createJobRunner } = await import('../src/index.js');
const t1 = performance.now();
const manager = await createJobRunner({ jobsDir, stateDir });
const t2 = performance.now();
const rss = process.memoryUsage().rss;
const maxRss = process.resourceUsage().maxRSS * 1024;
const health = await manager.health();
const indexSize = (await manager.store.activeIds()).length;
await manager.close();
console.log(
  JSON.stringify({
    importMs: t1 - t0,
    readyMs: t2 - t1,
    rss,
    maxRss,
    running: health.running,
    queued: health.queued,
    watchedJobs: health.reconciler.watchedJobs,
    indexSize,
  }),
);
process.exit(0);
