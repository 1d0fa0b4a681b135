// The public library surface: `import { kycgate } from 'kycgate'`, plus the types callers need.
import { screen } from './http/middleware/screen-middleware.js';

/** kycgate's entry points. `kycgate.screen(options)` returns the Express screening middleware. */
export const kycgate = Object.freeze({ screen });

export type { ScreenOptions, CustomerInput } from './http/middleware/options.js';
export type { ScreeningEnginePort, ReviewPort, ScreeningQueuePort, AggregatorPort } from './http/middleware/ports.js';
export { DecisionRecorder, type RecorderOptions, type RecorderStore } from './http/middleware/decision-recorder.js';
/** Call at shutdown with the aggregator you passed to `kycgate.screen()`: training-sum additions still waiting reach Redis. */
export { drainBackgroundAdds } from './http/middleware/background-adds.js';
export { createHttpServer } from './http/http-server.js';
export { ScreeningQueue, createScreenProcessor, type ScreeningQueueOptions } from './queue/screening-queue.js';
export { createApp, type AppDeps } from './http/app.js';
export { KycError, isKycError, problemType, ERROR_CATALOG, type ErrorCode } from './errors.js';
export type {
  Customer,
  Parent,
  BeneficialOwner,
  ComputeRequest,
  Decision,
  Hit,
  Reason,
  ReasonCode,
  Outcome,
  ScorePiece,
  ListEntry,
  ListCode,
} from './model/index.js';
// Deliberately not exported: the screener core, route factories and runtime wiring (internal; may change).
