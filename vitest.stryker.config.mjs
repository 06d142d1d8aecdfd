// The test set of the mutation run (stryker.config.mjs): the suites that exercise src/store and src/runner in
// the test process (store, runner, and the hostile-file, property, worker-runtime and MCP suites, which drive a
// JobManager or the store in process; the MCP suite's in-memory servers run the manager in the test process). test/crash and test/two-managers are left out: they run every manager in a child process,
// so per-test coverage never attributes a mutant to them and they would only cost dry-run time (minutes);
// `npm test` runs them against every change as usual.
import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/{store,runner,hostile,property,worker,mcp}/**/*.test.ts'],
    setupFiles: ['test/stryker-env.ts'],
  },
});
