// Structured JSON logs (pino) to stderr, so NDJSON commands keep stdout for records only.
import { pino, type Logger } from 'pino';

export type { Logger };

/** Creates the process logger. Customer names never go in logs: log ids and hashes only. */
export function createLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  return pino(
    {
      level,
      base: { app: 'kycgate', ...bindings },
      redact: { paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'], remove: true },
    },
    pino.destination(2),
  );
}
