// Worker-thread entry of the threaded decision writer: registers a scoped TypeScript loader, then runs recorder-thread.ts.
import { register } from 'tsx/esm/api';

const api = register({ namespace: 'kycgate-recorder' });
await api.import('./recorder-thread.ts', import.meta.url);
