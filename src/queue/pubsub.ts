// Announces accepted list snapshots on Redis pub/sub, so every API process swaps its index to the new one.
import type { Redis } from 'ioredis';
import { prefixedKey } from './names.js';

/** The channel new snapshot ids are published on: `<prefix>:snapshots`. */
export function snapshotChannel(prefix: string): string {
  return prefixedKey(prefix, 'snapshots');
}

/** Publishes a snapshot id; returns how many subscribers received it. */
export async function publishSnapshot(redis: Redis, prefix: string, snapshotId: string): Promise<number> {
  return redis.publish(snapshotChannel(prefix), snapshotId);
}

/**
 * Subscribes `onId` to announced snapshot ids. `redis` becomes a subscriber connection (use a
 * dedicated one). Handler errors are passed to `onError`, never thrown into ioredis.
 */
export async function subscribeSnapshots(
  redis: Redis,
  prefix: string,
  onId: (snapshotId: string) => void | Promise<void>,
  onError: (err: unknown) => void = () => {},
): Promise<{ close(): Promise<void> }> {
  const channel = snapshotChannel(prefix);
  const listener = (ch: string, message: string) => {
    if (ch !== channel) return;
    Promise.resolve()
      .then(() => onId(message))
      .catch(onError);
  };
  redis.on('message', listener);
  await redis.subscribe(channel);
  return {
    async close() {
      redis.off('message', listener);
      try {
        await redis.unsubscribe(channel);
      } catch {
        /* connection already gone */
      }
    },
  };
}
