// Package entry for plain Node hosts: loads kycgate's TypeScript through a scoped tsx loader, re-exports index.ts.
import { register } from 'tsx/esm/api';

// A namespaced registration compiles only what is imported through it: the host's own modules are untouched.
const api = register({ namespace: 'kycgate' });
const m = await api.import('./index.ts', import.meta.url);

export const { kycgate, DecisionRecorder, drainBackgroundAdds, createHttpServer, ScreeningQueue, createScreenProcessor, createApp, KycError, isKycError, problemType, ERROR_CATALOG } = m;
