/** What the runner's parts share: IO passed in as narrow dependencies. */
import { EventEmitter } from 'node:events';
import type { ResolvedOptions } from '../options.js';
import type { JobStore } from '../store/job-store.js';
import type { StateStore } from '../store/state-store.js';
import type { JobEvents } from '../types.js';
import type { Launcher } from './launcher.js';
import type { Clock } from './clock.js';
import type { PatchHandlers } from './patches.js';
import type { JobTypeRegistry } from './registry.js';

export class JobEventEmitter extends EventEmitter<JobEvents> {}

export interface RunnerContext {
  readonly options: ResolvedOptions;
  readonly store: JobStore;
  readonly state: StateStore;
  readonly launcher: Launcher;
  readonly clock: Clock;
  readonly registry: JobTypeRegistry;
  readonly patches: PatchHandlers;
  readonly events: JobEventEmitter;
  /** Ask the dispatcher to look for queued jobs it may start. */
  scheduleDispatch(): void;
}
