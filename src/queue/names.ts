// BullMQ queue names and the hash-tagged key prefix (Redis Cluster keeps each queue's keys in one slot).
import type { Config } from '../config.js';

/** Every queue kycgate uses. */
export const QUEUE_NAMES = Object.freeze({ screen: 'screen', refresh: 'refresh', rescreen: 'rescreen' } as const);

export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

/** All queue names, in a stable order. */
export const ALL_QUEUES: readonly QueueName[] = Object.freeze(Object.values(QUEUE_NAMES));

/**
 * The BullMQ `prefix` in force. BullMQ writes keys as `<prefix>:<queue>:…`; a prefix such as
 * `{kycgate}` is a Redis Cluster hash tag, so every key of every queue lands in the same slot.
 */
export function queuePrefix(config: Pick<Config, 'KYCGATE_QUEUE_PREFIX'>): string {
  return config.KYCGATE_QUEUE_PREFIX;
}

/** A non-BullMQ key of ours under the same hash tag, e.g. `{kycgate}:rescreen:done:<snapshot>`. */
export function prefixedKey(prefix: string, ...parts: string[]): string {
  return [prefix, ...parts].join(':');
}

/** Parses `--queues screen,refresh` into queue names; throws on an unknown name. */
export function parseQueueList(list: string | undefined): QueueName[] {
  if (!list) return [...ALL_QUEUES];
  const names = list.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) {
    if (!(ALL_QUEUES as readonly string[]).includes(n)) throw new Error(`unknown queue "${n}" (known: ${ALL_QUEUES.join(', ')})`);
  }
  return names as QueueName[];
}
