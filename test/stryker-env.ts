/**
 * Mutation runs only (vitest.stryker.config.mjs): Stryker switches a mutant on
 * in this test process (globalThis.__stryker__.activeMutant); the instrumented
 * code in dist/ reads it from env __STRYKER_ACTIVE_MUTANT__ when it starts. Copy
 * it there, so the workers and manager children a test starts run the same
 * mutant. Runs after Stryker's own setup file (which sets it at load or in its
 * beforeAll, depending on the mutant).
 */
import { beforeAll } from 'vitest';

const VARIABLE = '__STRYKER_ACTIVE_MUTANT__';

function mirror(): void {
  const active = (globalThis as { __stryker__?: { activeMutant?: string | number } }).__stryker__?.activeMutant;
  if (active === undefined) delete process.env[VARIABLE];
  else process.env[VARIABLE] = String(active);
}

mirror();
beforeAll(mirror);
