// Screening slow-path worker wiring: runs H5's processor (src/queue/screening-queue.ts) on this process's engine.
import type { Job } from 'bullmq';
import type { ScreenJobData, ScreenJobResult } from '../src/queue/screening-queue.js';
import { createScreenProcessor, type ScreenProcessorDeps } from '../src/queue/screening-queue.js';

/** The `screen` queue's processor. */
export function screenProcessor(deps: ScreenProcessorDeps): (job: Job<ScreenJobData>) => Promise<ScreenJobResult> {
  return createScreenProcessor(deps);
}
